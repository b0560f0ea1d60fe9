// The agent's build (version and git commit) from generated/build-info.json, which scripts/build-info.mjs writes at
// build time. Read once; a missing or unreadable file gives commit "unknown" (e.g. running from a source tree that
// was never built). Node built-ins are looked up when used, so the module loads in a browser (which gets its build
// from the page instead).
import { nodeBuiltins } from './node-builtins.js';
import { AGENT_VERSION } from './version.js';

export interface BuildInfo {
  readonly version: string;
  readonly commit: string;
  /** Tracked files differed from `commit` when the build ran. */
  readonly dirty: boolean;
}

const BUILD_INFO_RELATIVE = 'generated/build-info.json';
export const UNKNOWN_COMMIT = 'unknown';

let cached: BuildInfo | undefined;

export function agentBuildInfo(): BuildInfo {
  cached ??= readBuildInfo(findBuildInfo());
  return cached;
}

/** Parses a build-info file; anything missing falls back to the compiled-in version and "unknown". */
export function readBuildInfo(path: string | undefined): BuildInfo {
  const fallback = { version: AGENT_VERSION, commit: UNKNOWN_COMMIT, dirty: false };
  if (path === undefined) return fallback;
  try {
    const raw = JSON.parse(nodeBuiltins('the build info')('node:fs').readFileSync(path, 'utf8')) as { version?: unknown; commit?: unknown; dirty?: unknown };
    return {
      version: typeof raw.version === 'string' && raw.version !== '' ? raw.version : fallback.version,
      commit: typeof raw.commit === 'string' && raw.commit !== '' ? raw.commit : fallback.commit,
      dirty: raw.dirty === true,
    };
  } catch {
    return fallback;
  }
}

/** The commit as results report it: "<sha>-dirty" for a build from a modified tree, since that sha alone does not reproduce it. */
export function reportedCommit(info: BuildInfo): string {
  return info.dirty && info.commit !== UNKNOWN_COMMIT ? `${info.commit}-dirty` : info.commit;
}

/** Walks up from this module (src or dist layout) to the first directory holding generated/build-info.json. */
function findBuildInfo(): string | undefined {
  const builtins = nodeBuiltins('the build info');
  const { readFileSync } = builtins('node:fs');
  const { dirname, join } = builtins('node:path');
  const { fileURLToPath } = builtins('node:url');
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const candidate = join(dir, BUILD_INFO_RELATIVE);
    try {
      readFileSync(candidate);
      return candidate;
    } catch {
      if (dirname(dir) === dir) return undefined;
    }
  }
}
