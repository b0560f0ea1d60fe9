// The import floors of .dependency-cruiser.cjs (issue 13) hold over the source folders: generated code only through
// protocol/, the CLI through public entries, the coordinator through the engine's spec entry, no static Node imports
// in the engine and the browser-loadable part of the agent, protocol/ at the bottom, REST controllers and DTOs off the
// protocol. The same rules also run over a
// small synthetic tree with one breach per rule, so a rule that stopped matching fails here instead of passing
// silently. `npm run lint:imports` runs the same check from the command line.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cruise, type ICruiseOptions, type ICruiseResult, type IViolation } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const CONFIG_FILE = join(root, '.dependency-cruiser.cjs');
const SOURCE_FOLDERS = ['protocol/src', 'server/src', 'client/src', 'cli/src'];

async function cruiseWithRules(baseDir: string, folders: readonly string[], extra: Partial<ICruiseOptions> = {}): Promise<ICruiseResult> {
  const options = await extractDepcruiseOptions(CONFIG_FILE);
  const reported = await cruise(
    [...folders],
    { ...options, ...extra, baseDir, validate: true },
    {},
    { tsConfig: extractTSConfig(join(root, 'tsconfig.json')) },
  );
  if (typeof reported.output === 'string') throw new Error('dependency-cruiser returned a formatted report, not a result');
  return reported.output;
}

/** The violations that fail the check. */
function failing(result: ICruiseResult): IViolation[] {
  return result.summary.violations.filter((violation) => violation.rule.severity === 'error' || violation.rule.severity === 'warn');
}

function describeViolation(violation: IViolation): string {
  const how = violation.dependencyTypes?.length ? ` (${violation.dependencyTypes.join(', ')})` : '';
  return `${violation.rule.name}: ${violation.from} → ${violation.to}${how}`;
}

describe('import floors over the source folders', () => {
  it('are kept by every import', async () => {
    const result = await cruiseWithRules(root, SOURCE_FOLDERS);
    // A vacuous pass (nothing cruised) would also report no violations.
    expect(result.summary.totalCruised).toBeGreaterThan(300);
    const lines = failing(result).map(describeViolation);
    expect(lines, `imports that break the floors in .dependency-cruiser.cjs:\n${lines.join('\n')}`).toEqual([]);
  });
});

/** One breach per rule, plus the imports each rule must let through. Paths mirror the repository's layout. */
const FIXTURE: Readonly<Record<string, string>> = {
  'generated/proto/job.ts': 'export interface Job { id: string }\n',
  'protocol/src/index.ts': "export type { Job } from '../../generated/proto/job.js';\n",
  'protocol/src/codec.ts': 'export const codec = 1;\n',
  'protocol/src/reaches-up.ts': "import { start } from '../../server/src/index.js';\nexport const s = start;\n",
  'protocol/src/uses-node.ts': "import { gzipSync } from 'node:zlib';\nexport const z = gzipSync;\n",
  'server/src/index.ts': 'export const start = 1;\n',
  'server/src/deep.ts': 'export const deep = 1;\n',
  'server/src/uses-spec.ts': "import { spec } from '../../client/src/engine/spec.js';\nexport const s = spec;\n",
  'server/src/uses-deep-engine.ts': "import { config } from '../../client/src/engine/train/config.js';\nexport const c = config;\n",
  'server/src/uses-agent.ts': "import { agent } from '../../client/src/agent/index.js';\nexport const a = agent;\n",
  'server/src/uses-generated.ts': "import type { Job } from '../../generated/proto/job.js';\nexport type J = Job;\n",
  'server/src/uses-protocol-door.ts': "import type { Job } from '../../protocol/src/index.js';\nexport type J = Job;\n",
  'server/src/uses-protocol-deep.ts': "import { codec } from '../../protocol/src/codec.js';\nexport const c = codec;\n",
  'server/src/uses-cli.ts': "import { main } from '../../cli/src/main.js';\nexport const m = main;\n",
  // REST: controllers and DTO modules stay off the protocol; mapping modules and domain modules may use it.
  'server/src/jobs/job-state.ts': "import type { Job } from '../../../protocol/src/index.js';\nexport type State = Job['id'];\n",
  'server/src/devices/labels.ts': 'export type Labels = Record<string, string>;\n',
  'server/src/api/dto/index.ts': "export type { DeviceDto } from './device.dto.js';\n",
  'server/src/api/dto/device.dto.ts': "import type { Labels } from '../../devices/labels.js';\nexport interface DeviceDto { labels: Labels }\n",
  'server/src/api/dto/job.dto.ts': "import type { State } from '../../jobs/job-state.js';\nexport interface JobDto { state: State }\n",
  'server/src/api/mapping/job.mapping.ts': [
    "import type { Job } from '../../../../protocol/src/index.js';",
    "import type { JobDto } from '../dto/job.dto.js';",
    "export const toJobDto = (job: Job): JobDto => ({ state: job.id });",
    '',
  ].join('\n'),
  'server/src/api/job.controller.ts': "import type { Job } from '../../../protocol/src/index.js';\nexport type Answer = Job;\n",
  'server/src/fleet/fleet.controller.ts': "import type { Job } from '../../../protocol/src/index.js';\nexport type Answer = Job;\n",
  'client/src/engine/spec.ts': "export const spec = 1;\n",
  'client/src/engine/train/config.ts': 'export const config = 1;\n',
  'client/src/engine/static-node.ts': "import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n",
  'client/src/engine/mixed-node.ts':
    "import type { Stats } from 'node:fs';\nimport { statSync } from 'node:fs';\nexport const s: (p: string) => Stats = statSync;\n",
  'client/src/engine/lazy-node.ts': [
    "import type { Stats } from 'node:fs';",
    'export type S = Stats;',
    "export const load = async () => (await import('node:fs/promises')).readFile;",
    "export const os = () => process.getBuiltinModule('node:os');",
    '',
  ].join('\n'),
  'client/src/engine/uses-agent.ts': "import { agent } from '../agent/index.js';\nexport const a = agent;\n",
  'client/src/engine/kernels/build.mjs': "import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n",
  'client/src/agent/index.ts': 'export const agent = 1;\n',
  'client/src/agent/facts.ts': "import os from 'node:os';\nexport const cpus = os.cpus;\n",
  'client/src/agent/outbox.ts': "import { writeFileSync } from 'node:fs';\nexport const w = writeFileSync;\n",
  'client/src/agent/uses-server.ts': "import { start } from '../../../server/src/index.js';\nexport const s = start;\n",
  'client/src/sim/uses-server.ts': "import { start } from '../../../server/src/index.js';\nexport const s = start;\n",
  'client/src/browser/lazy-node.ts': "export const load = async () => (await import('node:fs/promises')).readFile;\n",
  'client/src/browser/uses-server.ts': "import { start } from '../../../server/src/index.js';\nexport const s = start;\n",
  'client/src/browser/uses-engine.ts': "import { spec } from '../engine/spec.js';\nexport const e = spec;\n",
  'cli/src/main.ts': [
    "import { start } from '../../server/src/index.js';",
    "import { spec } from '../../client/src/engine/spec.js';",
    "import type { Job } from '../../protocol/src/index.js';",
    'export const main = [start, spec];',
    'export type J = Job;',
    '',
  ].join('\n'),
  'cli/src/uses-deep-server.ts': "import { deep } from '../../server/src/deep.js';\nexport const d = deep;\n",
  'cli/src/uses-rest-dtos.ts': "import type { DeviceDto } from '../../server/src/api/dto/index.js';\nexport type D = DeviceDto;\n",
};

const EXPECTED_FIXTURE_VIOLATIONS = [
  'agent-no-static-node-imports: client/src/agent/outbox.ts → fs',
  'agent-not-server-cli-or-sim: client/src/agent/uses-server.ts → server/src/index.ts',
  'cli-uses-public-entries: cli/src/uses-deep-server.ts → server/src/deep.ts',
  'engine-no-static-node-imports: client/src/engine/mixed-node.ts → fs',
  'engine-no-static-node-imports: client/src/engine/static-node.ts → fs',
  'engine-stays-a-library: client/src/engine/uses-agent.ts → client/src/agent/index.ts',
  'generated-only-through-protocol: server/src/uses-generated.ts → generated/proto/job.ts',
  'protocol-is-the-bottom: protocol/src/reaches-up.ts → server/src/index.ts',
  'protocol-no-node-imports: protocol/src/uses-node.ts → zlib',
  'protocol-through-its-door: server/src/uses-protocol-deep.ts → protocol/src/codec.ts',
  'rest-dtos-reach-no-protocol: server/src/api/dto/job.dto.ts → protocol/src/index.ts',
  'rest-layer-not-protocol: server/src/api/job.controller.ts → protocol/src/index.ts',
  'rest-layer-not-protocol: server/src/fleet/fleet.controller.ts → protocol/src/index.ts',
  'server-not-cli: server/src/uses-cli.ts → cli/src/main.ts',
  'server-uses-engine-spec-only: server/src/uses-agent.ts → client/src/agent/index.ts',
  'server-uses-engine-spec-only: server/src/uses-deep-engine.ts → client/src/engine/train/config.ts',
  'sim-not-server-or-cli: client/src/sim/uses-server.ts → server/src/index.ts',
  'browser-agent-no-node-imports: client/src/browser/lazy-node.ts → fs/promises',
  'browser-agent-not-server-cli-or-sim: client/src/browser/uses-server.ts → server/src/index.ts',
];

describe('import floor rules on a synthetic tree', () => {
  let fixtureDir: string;

  beforeAll(() => {
    fixtureDir = mkdtempSync(join(tmpdir(), 'sparsefleet-import-floors-'));
    for (const [path, text] of Object.entries(FIXTURE)) {
      mkdirSync(dirname(join(fixtureDir, path)), { recursive: true });
      writeFileSync(join(fixtureDir, path), text);
    }
  });

  afterAll(() => rmSync(fixtureDir, { recursive: true, force: true }));

  it('flag exactly one breach per planted import and let the allowed ones through', async () => {
    const result = await cruiseWithRules(fixtureDir, ['protocol', 'server', 'client', 'cli']);
    const found = failing(result)
      .map((violation) => `${violation.rule.name}: ${violation.from} → ${violation.to}`)
      .sort();
    expect(found).toEqual([...EXPECTED_FIXTURE_VIOLATIONS].sort());
    // Every rule in the config is exercised, so none can go quiet unnoticed.
    const options = await extractDepcruiseOptions(CONFIG_FILE);
    const ruleNames = (options.ruleSet?.forbidden ?? []).map((rule) => rule.name).sort();
    expect([...new Set(found.map((line) => line.split(':')[0]))].sort()).toEqual(ruleNames);
  });
});
