// The seeded fault planner: turns a scenario's scripted faults and random rates into one time-ordered list of
// actions (kill, restart, partition, link impairment and its end, coordinator crash and restart) at simulated times.
// Pure and deterministic: the same scenario, fleet and seed give the same plan.
import type { DeviceSelection, LinkImpairment, RandomFaults, Scenario, ScriptedFault, SimSpan } from './scenario-schema.js';
import { seededRandom, type SeededRandom } from './seeded-random.js';

export type FaultAction =
  | { readonly atSimMs: number; readonly kind: 'kill'; readonly device: number; readonly cause: string }
  | { readonly atSimMs: number; readonly kind: 'restart'; readonly device: number; readonly cause: string }
  | { readonly atSimMs: number; readonly kind: 'partition'; readonly device: number; readonly forSimMs: number; readonly cause: string }
  | { readonly atSimMs: number; readonly kind: 'link'; readonly device: number; readonly link: LinkImpairment; readonly cause: string }
  | { readonly atSimMs: number; readonly kind: 'link-restore'; readonly device: number; readonly cause: string }
  | { readonly atSimMs: number; readonly kind: 'coordinator-kill'; readonly cause: string }
  | { readonly atSimMs: number; readonly kind: 'coordinator-restart'; readonly cause: string };

export type FaultKind = FaultAction['kind'];

/** The fleet as the planner sees it: device index → profile name (as written in the scenario). */
export interface PlannedDevice {
  readonly index: number;
  readonly profile: string;
}

/** Devices of a scenario in fleet order: the first group's devices first. */
export function plannedDevices(scenario: Pick<Scenario, 'fleet'>): PlannedDevice[] {
  return scenario.fleet.flatMap((group) => Array.from({ length: group.count }, () => group.profile)).map((profile, index) => ({ index, profile }));
}

export function planFaults(scenario: Pick<Scenario, 'faults' | 'duration'>, devices: readonly PlannedDevice[], seed: number): FaultAction[] {
  const random = seededRandom(seed).fork('faults');
  const actions: FaultAction[] = [];
  scenario.faults.scripted.forEach((fault, index) => actions.push(...scriptedActions(fault, devices, random.fork(`scripted-${index}`), index)));
  if (scenario.faults.random) actions.push(...randomActions(scenario.faults.random, scenario.duration, devices, random.fork('random')));
  // Stable order: by time, then by the order planned (a restart planned at the same time as a kill stays after it).
  return actions.map((action, order) => ({ action, order })).sort((a, b) => a.action.atSimMs - b.action.atSimMs || a.order - b.order).map(({ action }) => action);
}

function scriptedActions(fault: ScriptedFault, devices: readonly PlannedDevice[], random: SeededRandom, index: number): FaultAction[] {
  const cause = `scripted fault ${index} (${fault.kind})`;
  const at = fault.at;
  switch (fault.kind) {
    case 'coordinator-crash':
      return [
        { atSimMs: at, kind: 'coordinator-kill', cause },
        { atSimMs: at + fault.downFor, kind: 'coordinator-restart', cause },
      ];
    case 'kill':
      return selectDevices(fault.devices, devices, random).flatMap((device): FaultAction[] => [
        { atSimMs: at, kind: 'kill', device, cause },
        ...(fault.restartAfter === undefined ? [] : [{ atSimMs: at + fault.restartAfter, kind: 'restart' as const, device, cause }]),
      ]);
    case 'restart':
      return selectDevices(fault.devices, devices, random).map((device) => ({ atSimMs: at, kind: 'restart', device, cause }));
    case 'partition':
      return selectDevices(fault.devices, devices, random).map((device) => ({ atSimMs: at, kind: 'partition', device, forSimMs: fault.for, cause }));
    case 'link':
      return selectDevices(fault.devices, devices, random).flatMap((device): FaultAction[] => [
        { atSimMs: at, kind: 'link', device, link: fault.link, cause },
        { atSimMs: at + fault.for, kind: 'link-restore', device, cause },
      ]);
  }
}

function randomActions(faults: RandomFaults, durationMs: number, devices: readonly PlannedDevice[], random: SeededRandom): FaultAction[] {
  const from = faults.window?.from ?? 0;
  const to = faults.window?.to ?? durationMs * 0.6;
  const when = (stream: SeededRandom): number => Math.round(stream.uniform(from, to));
  const all = devices.map((device) => device.index);
  const actions: FaultAction[] = [];
  if (faults.churn) {
    const stream = random.fork('churn');
    for (const device of stream.sample(all, Math.round(faults.churn.fraction * all.length))) {
      const at = when(stream);
      actions.push({ atSimMs: at, kind: 'kill', device, cause: 'churn' });
      actions.push({ atSimMs: at + drawSpan(faults.churn.downtime, stream), kind: 'restart', device, cause: 'churn' });
    }
  }
  if (faults.partitions) {
    const stream = random.fork('partitions');
    for (const device of stream.sample(all, Math.round(faults.partitions.fraction * all.length))) {
      actions.push({ atSimMs: when(stream), kind: 'partition', device, forSimMs: drawSpan(faults.partitions.duration, stream), cause: 'random partition' });
    }
  }
  if (faults.links) {
    const stream = random.fork('links');
    for (const device of stream.sample(all, Math.round(faults.links.fraction * all.length))) {
      const at = when(stream);
      actions.push({ atSimMs: at, kind: 'link', device, link: faults.links.link, cause: 'random link fault' });
      actions.push({ atSimMs: at + drawSpan(faults.links.duration, stream), kind: 'link-restore', device, cause: 'random link fault' });
    }
  }
  return actions;
}

function selectDevices(selection: DeviceSelection, devices: readonly PlannedDevice[], random: SeededRandom): number[] {
  if (selection.indices) return [...selection.indices];
  const pool = devices.filter((device) => selection.profile === undefined || device.profile === selection.profile).map((device) => device.index);
  const count = selection.count ?? Math.round((selection.fraction ?? 0) * pool.length);
  return random.sample(pool, count);
}

function drawSpan(span: SimSpan, random: SeededRandom): number {
  return Math.round(span.minMs === span.maxMs ? span.minMs : random.uniform(span.minMs, span.maxMs));
}

/** Counts per kind, for the run's summary line. */
export function summarizePlan(actions: readonly FaultAction[]): Partial<Record<FaultKind, number>> {
  const counts: Partial<Record<FaultKind, number>> = {};
  for (const action of actions) counts[action.kind] = (counts[action.kind] ?? 0) + 1;
  return counts;
}
