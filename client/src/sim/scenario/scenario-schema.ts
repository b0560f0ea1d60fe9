// The scenario file of `sparsefleet sim run`: the fleet (device profile × count), the work (job templates × count,
// or a campaign file), the faults (scripted at simulated times, and random rates), the simulated duration, the time
// scale and the seed. Validated with zod; every error names the file and the field. Pure: file reading and the
// resolution of the files a scenario names live in scenario-file.ts.
import { z } from 'zod';
import { parseSimDuration } from './sim-duration.js';

export class ScenarioError extends Error {
  override readonly name = 'ScenarioError';
}

/** A duration in simulated time (`90s`, `30m`, `1h30m`, or seconds), as milliseconds. */
const simDuration = z.union([z.string(), z.number()]).transform((value, context) => {
  try {
    return parseSimDuration(value);
  } catch (error) {
    context.addIssue({ code: 'custom', message: (error as Error).message });
    return z.NEVER;
  }
});

const fraction = z.number().min(0, 'must be >= 0').max(1, 'must be <= 1');
const labels = z.record(z.string(), z.string());

/** A simulated span drawn per event: a fixed value or uniform in [min, max]. */
const spanSchema = z.union([
  simDuration.transform((ms) => ({ minMs: ms, maxMs: ms })),
  z
    .strictObject({ min: simDuration, max: simDuration })
    .refine((span) => span.max >= span.min, 'max must be >= min')
    .transform((span) => ({ minMs: span.min, maxMs: span.max })),
]);
export type SimSpan = z.output<typeof spanSchema>;

/** Which devices a fault hits, chosen with the scenario's seed (optionally among one profile's devices). */
const deviceSelectionSchema = z
  .strictObject({
    count: z.number().int().min(1).optional(),
    fraction: fraction.optional(),
    indices: z.array(z.number().int().min(0)).min(1).optional(),
    profile: z.string().min(1).optional(),
  })
  .refine(
    (selection) => [selection.count, selection.fraction, selection.indices].filter((field) => field !== undefined).length === 1,
    'give exactly one of count, fraction, indices',
  );
export type DeviceSelection = z.output<typeof deviceSelectionSchema>;

/** An outgoing-link impairment (the fleet's LinkModel, partial): latency in simulated ms, rates in [0, 1]. */
const linkSchema = z
  .strictObject({
    latencyMs: z.number().min(0).optional(),
    jitterMs: z.number().min(0).optional(),
    lossRate: fraction.optional(),
    duplicateRate: fraction.optional(),
    reorderRate: fraction.optional(),
  })
  .refine((link) => Object.keys(link).length > 0, 'name at least one of latencyMs, jitterMs, lossRate, duplicateRate, reorderRate');
export type LinkImpairment = z.output<typeof linkSchema>;

const scriptedFaultSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('kill'), at: simDuration, devices: deviceSelectionSchema, restartAfter: simDuration.optional() }),
  z.strictObject({ kind: z.literal('restart'), at: simDuration, devices: deviceSelectionSchema }),
  z.strictObject({ kind: z.literal('partition'), at: simDuration, devices: deviceSelectionSchema, for: simDuration }),
  z.strictObject({ kind: z.literal('link'), at: simDuration, devices: deviceSelectionSchema, for: simDuration, link: linkSchema }),
  z.strictObject({ kind: z.literal('coordinator-crash'), at: simDuration, downFor: simDuration.default(10_000) }),
]);
export type ScriptedFault = z.output<typeof scriptedFaultSchema>;

const randomFaultsSchema = z.strictObject({
  /** Crash churn: this fraction of the devices is killed once at a random time and restarted after `downtime`. */
  churn: z.strictObject({ fraction, downtime: spanSchema }).optional(),
  partitions: z.strictObject({ fraction, duration: spanSchema }).optional(),
  links: z.strictObject({ fraction, duration: spanSchema, link: linkSchema }).optional(),
  /** Random faults start in [from, to) of simulated time; default the first 60 % of the duration. */
  window: z.strictObject({ from: simDuration, to: simDuration }).optional(),
});
export type RandomFaults = z.output<typeof randomFaultsSchema>;

/** A job submission body (POST /api/jobs), inline; the coordinator validates its config. */
const jobBodySchema = z.looseObject({ config: z.record(z.string(), z.unknown()) });

const jobGroupSchema = z
  .strictObject({
    /** A job file (as for `sparsefleet jobs submit`), relative to the scenario file. */
    template: z.string().min(1).optional(),
    job: jobBodySchema.optional(),
    count: z.number().int().min(1).max(100_000),
    /** Job names are `<name>-<n>`; default the template's name. */
    name: z.string().min(1).optional(),
  })
  .refine((group) => (group.template === undefined) !== (group.job === undefined), 'give exactly one of template, job');
export type JobGroup = z.output<typeof jobGroupSchema>;

export const scenarioSchema = z
  .strictObject({
    name: z.string().min(1),
    description: z.string().optional(),
    seed: z.number().int().min(0).max(0xffffffff).default(1),
    /**
     * 'virtual' (default): the coordinator runs in the runner's process and it and every device share one
     * discrete-event clock (time jumps to the next timer once everything settled; a seeded run is repeatable).
     * 'wall': real time compressed by timeScale against a coordinator child process (a real SIGKILL).
     */
    time: z.enum(['virtual', 'wall']).default('virtual'),
    /** Simulated seconds per wall second ('wall' time only). */
    timeScale: z.number().min(1).max(10_000).default(30),
    /** The simulated deadline: jobs unfinished by then are violations. */
    duration: simDuration,
    fleet: z
      .array(
        z.strictObject({
          /** A shipped profile name (profiles/devices/<name>.yaml) or a path relative to the scenario file. */
          profile: z.string().min(1),
          count: z.number().int().min(1).max(100_000),
          labels: labels.optional(),
        }),
      )
      .min(1),
    /** How many devices run the real engine instead of the modelled one (`--real N` overrides). */
    realEngines: z.number().int().min(0).default(0),
    coordinator: z
      .strictObject({
        /** Heartbeat interval in simulated time; the coordinator's lease and presence derive from it. */
        heartbeat: simDuration.default(60_000),
      })
      .default({ heartbeat: 60_000 }),
    jobs: z.array(jobGroupSchema).min(1).optional(),
    /** A campaign file (as for `sparsefleet campaign run`), relative to the scenario file. */
    campaign: z.string().min(1).optional(),
    faults: z
      .strictObject({ scripted: z.array(scriptedFaultSchema).default([]), random: randomFaultsSchema.optional() })
      .default({ scripted: [] }),
  })
  .refine((scenario) => (scenario.jobs === undefined) !== (scenario.campaign === undefined), {
    message: 'give exactly one of jobs, campaign',
    path: ['jobs'],
  });

export type Scenario = z.output<typeof scenarioSchema>;

/** Validates a parsed scenario document; throws a ScenarioError naming `source` and each offending field. */
export function validateScenario(document: unknown, source: string): Scenario {
  const parsed = scenarioSchema.safeParse(document);
  if (parsed.success) return checkConsistency(parsed.data, source);
  const issues = parsed.error.issues.map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(top level)'}: ${issue.message}`);
  throw new ScenarioError(`${source}: invalid scenario\n  ${issues.join('\n  ')}`);
}

/** What the schema cannot see field by field: device indices and profile names inside the fleet. */
function checkConsistency(scenario: Scenario, source: string): Scenario {
  const deviceCount = scenario.fleet.reduce((total, group) => total + group.count, 0);
  const profiles = new Set(scenario.fleet.map((group) => group.profile));
  const issues: string[] = [];
  if (scenario.realEngines > deviceCount) issues.push(`realEngines: ${scenario.realEngines} is more than the fleet's ${deviceCount} devices`);
  scenario.faults.scripted.forEach((fault, index) => {
    const where = `faults.scripted.${index}`;
    if (fault.at > scenario.duration) issues.push(`${where}.at: lies after the duration`);
    if (!('devices' in fault)) return;
    const { indices, profile } = fault.devices;
    const outside = (indices ?? []).filter((device) => device >= deviceCount);
    if (outside.length > 0) issues.push(`${where}.devices.indices: ${outside.join(', ')} outside the fleet (0..${deviceCount - 1})`);
    if (profile !== undefined && !profiles.has(profile)) issues.push(`${where}.devices.profile: '${profile}' is not in the fleet`);
  });
  const window = scenario.faults.random?.window;
  if (window && window.to <= window.from) issues.push('faults.random.window.to: must be after from');
  if (issues.length > 0) throw new ScenarioError(`${source}: invalid scenario\n  ${issues.join('\n  ')}`);
  return scenario;
}

export function fleetSize(scenario: Pick<Scenario, 'fleet'>): number {
  return scenario.fleet.reduce((total, group) => total + group.count, 0);
}
