// Which identity the agent starts with: the saved credential for this coordinator, or enrollment with a token.
import { ErrorCode } from '../../../protocol/src/index.js';
import type { StoredCredential } from './credential-store.js';
import { AgentFatalError } from './errors.js';
import type { CredentialStorage } from './platform.js';

/** The saved credential when it belongs to `server`; undefined when the agent must enroll with `token`. */
export async function startingCredential(
  store: CredentialStorage,
  server: string,
  token: string | undefined,
): Promise<StoredCredential | undefined> {
  const stored = await store.load();
  const normalized = normalizeServer(server);
  if (stored && stored.server === normalized) return stored;
  if (token) return undefined;
  if (stored) {
    throw new AgentFatalError(
      `state file ${store.location} is enrolled with ${stored.server}, not ${normalized}; pass --token to enroll here`,
      ErrorCode.ERROR_CODE_UNAUTHENTICATED,
    );
  }
  throw new AgentFatalError(
    `not enrolled yet (no ${store.location}); pass an enrollment token (--token)`,
    ErrorCode.ERROR_CODE_UNAUTHENTICATED,
  );
}

/** One spelling per coordinator, so `http://host:8080/` and `http://host:8080` share a credential. */
export function normalizeServer(url: string): string {
  try {
    return new URL(url).toString().replace(/\/+$/, '');
  } catch {
    return url.replace(/\/+$/, '');
  }
}
