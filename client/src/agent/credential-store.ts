// The agent's enrollment state on disk: `{ server, deviceId, credential }`, readable only by its owner.
// Written to a temp file in the same directory and renamed over the old one, so a crash never leaves half a file.
// Node built-ins are looked up when used (process.getBuiltinModule), so the agent still loads in a browser.
import { z } from 'zod';
import { nodeBuiltins } from './node-builtins.js';
import type { CredentialStorage } from './platform.js';

export interface StoredCredential {
  /** Coordinator URL the credential belongs to. */
  readonly server: string;
  readonly deviceId: string;
  readonly credential: string;
  /** ISO time of enrollment (informational). */
  readonly enrolledAt?: string;
}

const storedCredentialSchema = z.object({
  server: z.string().min(1),
  deviceId: z.string().min(1),
  credential: z.string().min(1),
  enrolledAt: z.string().optional(),
});

const FILE_MODE = 0o600;
const DIR_MODE = 0o700;

export function defaultStatePath(): string {
  return node('node:path').join(node('node:os').homedir(), '.sparsefleet', 'agent.json');
}

/** A state file that exists but cannot be used; the message says which file and why. */
export class CredentialStoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CredentialStoreError';
  }
}

export class CredentialStore implements CredentialStorage {
  constructor(readonly path: string = defaultStatePath()) {}

  get location(): string {
    return this.path;
  }

  /** The saved credential, or undefined when the file does not exist. */
  async load(): Promise<StoredCredential | undefined> {
    let text: string;
    try {
      text = await node('node:fs/promises').readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new CredentialStoreError(`cannot read agent state ${this.path}: ${(error as Error).message}`);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new CredentialStoreError(`agent state ${this.path} is not valid JSON; delete it and enroll again`);
    }
    const parsed = storedCredentialSchema.safeParse(json);
    if (!parsed.success) {
      throw new CredentialStoreError(
        `agent state ${this.path} lacks server/deviceId/credential; delete it and enroll again`,
      );
    }
    return parsed.data;
  }

  async save(credential: StoredCredential): Promise<void> {
    const { chmod, mkdir, open, rename, rm } = node('node:fs/promises');
    const { dirname, join } = node('node:path');
    const { randomBytes } = node('node:crypto');
    const directory = dirname(this.path);
    await mkdir(directory, { recursive: true, mode: DIR_MODE });
    const temp = join(directory, `.${baseName(this.path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
    const handle = await open(temp, 'wx', FILE_MODE);
    try {
      await handle.writeFile(`${JSON.stringify(credential, null, 2)}\n`, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      // The umask may have narrowed the mode at creation; never widened, but make it exact.
      await chmod(temp, FILE_MODE);
      await rename(temp, this.path);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  }

  async clear(): Promise<void> {
    await node('node:fs/promises').rm(this.path, { force: true });
  }
}

function node<const K extends 'node:crypto' | 'node:fs/promises' | 'node:os' | 'node:path'>(id: K) {
  return nodeBuiltins('the credential file')(id);
}

function baseName(path: string): string {
  const parts = path.split(/[\\/]/);
  return parts[parts.length - 1] || 'agent.json';
}
