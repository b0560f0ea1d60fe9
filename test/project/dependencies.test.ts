// The dependency tree keeps the promises package.json makes: every locked package runs on the Node floor that
// "engines" promises, and every locked package with an install script has an explicit allowScripts decision (npm 11
// runs an unreviewed script and only warns; only an explicit `false` stops it), with telemetry scripts denied.
import { readFileSync } from 'node:fs';
import semver from 'semver';
import { describe, expect, it } from 'vitest';

interface LockEntry {
  name?: string;
  version?: string;
  link?: boolean;
  hasInstallScript?: boolean;
  engines?: { node?: string } | string[];
}

interface Lockfile {
  packages: Record<string, LockEntry>;
}

type ScriptPolicy = Record<string, boolean>;

const root = new URL('../../', import.meta.url);
const packageJson = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as {
  engines?: { node?: string };
  allowScripts?: ScriptPolicy;
};
const lockfile = JSON.parse(readFileSync(new URL('package-lock.json', root), 'utf8')) as Lockfile;

/** Install scripts that only phone home or print banners: never to run, whichever version gets locked. */
const MUST_DENY = ['@scarf/scarf'];
/** Install scripts the project cannot work without (better-sqlite3 compiles its native module). */
const MUST_ALLOW = ['better-sqlite3'];

/** The package name a lock entry installs: its own "name" (aliases) or the last node_modules segment of its path. */
function lockedName(path: string, entry: LockEntry): string {
  if (entry.name) return entry.name;
  const at = path.lastIndexOf('node_modules/');
  return at === -1 ? path : path.slice(at + 'node_modules/'.length);
}

function lockedPackages(lock: Lockfile): Array<{ path: string; name: string; entry: LockEntry }> {
  return Object.entries(lock.packages)
    .filter(([path]) => path !== '')
    .map(([path, entry]) => ({ path, name: lockedName(path, entry), entry }));
}

/** The oldest Node the project promises, e.g. '>=20.19.0' → '20.19.0'. */
function nodeFloor(enginesNode: string | undefined): string {
  const floor = enginesNode === undefined ? null : semver.minVersion(enginesNode);
  if (!floor) throw new Error(`package.json engines.node ${JSON.stringify(enginesNode)} has no lowest version`);
  return floor.version;
}

/** Every locked package whose engines.node range does not admit the floor, as "path@version (range)". */
function engineOffenders(lock: Lockfile, floor: string): string[] {
  return lockedPackages(lock)
    .filter(({ entry }) => !Array.isArray(entry.engines) && typeof entry.engines?.node === 'string')
    .filter(({ entry }) => !semver.satisfies(floor, (entry.engines as { node: string }).node, { includePrerelease: true }))
    .map(({ path, entry }) => `${path}@${entry.version} (engines.node ${(entry.engines as { node: string }).node})`);
}

/** Splits an allowScripts key: 'pkg', '@scope/pkg', 'pkg@1.2.3', 'pkg@1.2.3 || 1.2.4'. */
function parsePolicyKey(key: string): { name: string; versions: string[] | null } {
  const at = key.indexOf('@', key.startsWith('@') ? 1 : 0);
  if (at === -1) return { name: key, versions: null };
  const spec = key.slice(at + 1).trim();
  return {
    name: key.slice(0, at),
    versions: spec === '' || spec === '*' ? null : spec.split('||').map((version) => version.trim()),
  };
}

/** The policy's decision for one locked package, as npm makes it: a matching deny wins, else a matching allow, else none. */
function decisionFor(policy: ScriptPolicy, name: string, version: string | undefined): boolean | null {
  let allowed = false;
  for (const [key, value] of Object.entries(policy)) {
    const parsed = parsePolicyKey(key);
    if (parsed.name !== name) continue;
    if (parsed.versions !== null && (version === undefined || !parsed.versions.includes(version))) continue;
    if (value === false) return false;
    if (value === true) allowed = true;
  }
  return allowed ? true : null;
}

/** Locked packages with an install script that the policy neither allows nor denies, as "name@version (path)". */
function unreviewedInstallScripts(lock: Lockfile, policy: ScriptPolicy): string[] {
  return lockedPackages(lock)
    .filter(({ entry }) => entry.hasInstallScript === true && !entry.link)
    .filter(({ name, entry }) => decisionFor(policy, name, entry.version) === null)
    .map(({ path, name, entry }) => `${name}@${entry.version} (${path})`);
}

/** Keys npm would ignore (it drops semver ranges and dist-tags with a warning) or values that are not booleans. */
function malformedPolicyEntries(policy: ScriptPolicy): string[] {
  return Object.entries(policy)
    .filter(([key, value]) => {
      if (typeof value !== 'boolean') return true;
      const { name, versions } = parsePolicyKey(key);
      if (name === '' || /\s/.test(name)) return true;
      return versions !== null && !versions.every((version) => semver.valid(version) === version);
    })
    .map(([key, value]) => `${key}: ${JSON.stringify(value)}`);
}

describe('locked dependencies', () => {
  const floor = nodeFloor(packageJson.engines?.node);

  it('should read the Node floor from package.json engines', () => {
    expect(semver.valid(floor)).toBe(floor);
    expect(nodeFloor('>=22.12.0')).toBe('22.12.0');
    expect(() => nodeFloor(undefined)).toThrow(/engines\.node/);
  });

  it('should admit the Node floor in every locked package that declares engines.node', () => {
    const offenders = engineOffenders(lockfile, floor);
    expect(offenders, `locked packages that refuse Node ${floor}:\n  ${offenders.join('\n  ')}`).toEqual([]);
  });

  it('should name every locked package whose engines.node refuses the floor', () => {
    const lock: Lockfile = {
      packages: {
        '': { name: 'fixture', engines: { node: '>=20.19.0' } },
        'node_modules/nestjs-pino': { version: '5.2.1', engines: { node: '>=22.12.0' } },
        'node_modules/@nestjs/common/node_modules/file-type': { version: '22.3.0', engines: { node: '>=22' } },
        'node_modules/fine': { version: '1.0.0', engines: { node: '>=18 || ^20.19.0' } },
        'node_modules/rc-fine': { version: '1.0.0', engines: { node: '^20.19.0-rc.1' } },
        'node_modules/no-engines': { version: '1.0.0' },
        'node_modules/legacy-array-engines': { version: '1.0.0', engines: ['node >= 0.8'] },
      },
    };
    expect(engineOffenders(lock, '20.19.0')).toEqual([
      'node_modules/nestjs-pino@5.2.1 (engines.node >=22.12.0)',
      'node_modules/@nestjs/common/node_modules/file-type@22.3.0 (engines.node >=22)',
    ]);
  });
});

describe('install scripts (package.json allowScripts)', () => {
  const policy = packageJson.allowScripts ?? {};

  it('should decide explicitly, allow or deny, for every locked package with an install script', () => {
    const unreviewed = unreviewedInstallScripts(lockfile, policy);
    expect(unreviewed, `install scripts without an allowScripts decision:\n  ${unreviewed.join('\n  ')}`).toEqual([]);
  });

  it('should only hold entries npm honours: a name or exact versions, each true or false', () => {
    const malformed = malformedPolicyEntries(policy);
    expect(malformed, `allowScripts entries npm would ignore:\n  ${malformed.join('\n  ')}`).toEqual([]);
  });

  it.each(MUST_DENY)('should deny the telemetry install script of %s by name, for every version', (name) => {
    expect(policy[name], `allowScripts["${name}"] must be false`).toBe(false);
    expect(decisionFor(policy, name, '0.0.0-any')).toBe(false);
  });

  it.each(MUST_ALLOW)('should allow the install script of %s, which the coordinator needs', (name) => {
    const locked = lockedPackages(lockfile).filter((pkg) => pkg.name === name && pkg.entry.hasInstallScript);
    expect(locked.length, `${name} is no longer locked with an install script`).toBeGreaterThan(0);
    for (const { entry } of locked) expect(decisionFor(policy, name, entry.version), `${name}@${entry.version}`).toBe(true);
  });

  it('should report every package with an install script that the policy does not cover', () => {
    const lock: Lockfile = {
      packages: {
        '': { name: 'fixture' },
        'node_modules/allowed': { version: '1.0.0', hasInstallScript: true },
        'node_modules/pinned': { version: '2.0.0', hasInstallScript: true },
        'node_modules/pinned-elsewhere': { version: '3.0.0', hasInstallScript: true },
        'node_modules/@scope/denied': { version: '1.0.0', hasInstallScript: true },
        'node_modules/forgotten': { version: '1.0.0', hasInstallScript: true },
        'node_modules/a/node_modules/nested-forgotten': { version: '1.0.0', hasInstallScript: true },
        'node_modules/no-script': { version: '1.0.0' },
      },
    };
    const fixturePolicy: ScriptPolicy = {
      allowed: true,
      'pinned@1.0.0 || 2.0.0': true,
      'pinned-elsewhere@2.9.9': true,
      '@scope/denied': false,
    };
    expect(unreviewedInstallScripts(lock, fixturePolicy)).toEqual([
      'pinned-elsewhere@3.0.0 (node_modules/pinned-elsewhere)',
      'forgotten@1.0.0 (node_modules/forgotten)',
      'nested-forgotten@1.0.0 (node_modules/a/node_modules/nested-forgotten)',
    ]);
  });

  it('should let a deny win over an allow, as npm does', () => {
    expect(decisionFor({ '@scarf/scarf@1.4.0': true, '@scarf/scarf': false }, '@scarf/scarf', '1.4.0')).toBe(false);
    expect(decisionFor({ '@scarf/scarf@1.4.0': true }, '@scarf/scarf', '1.4.0')).toBe(true);
    expect(decisionFor({ '@scarf/scarf@1.4.0': true }, '@scarf/scarf', '1.5.0')).toBeNull();
  });

  it('should flag entries npm would drop', () => {
    expect(
      malformedPolicyEntries({ ok: true, 'ok-pinned@1.2.3 || 1.2.4': false, 'ranged@^1.0.0': true, 'tagged@latest': true, 'odd': 'yes' as unknown as boolean }),
    ).toEqual(['ranged@^1.0.0: true', 'tagged@latest: true', 'odd: "yes"']);
  });
});
