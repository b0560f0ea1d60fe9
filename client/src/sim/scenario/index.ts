// Simulated-fleet scenarios (issue 12): scenario files, the run (`sparsefleet sim run`), invariants, verdict and its
// reports (text, JUnit XML, JSON, HTML timeline).
export { loadScenarioFile, resolveScenario, type JobBatch, type LoadedScenario } from './scenario-file.js';
export { ScenarioError, validateScenario, fleetSize, type Scenario } from './scenario-schema.js';
export { runScenario, type EventLogEntry, type RunScenarioOptions, type ScenarioRun } from './run-scenario.js';
export { firstDifference, type CanonicalEvent } from './event-log.js';
export type { InProcessCoordinatorHandle, InProcessCoordinatorStartOptions, StartInProcessCoordinator } from './in-process-coordinator.js';
export { planFaults, plannedDevices, summarizePlan, type FaultAction } from './fault-plan.js';
export { checkInvariants, INVARIANTS, type InvariantOutcome, type RunObservations, type Violation } from './invariants.js';
export { buildVerdict, formatVerdict, type RunFigures, type Verdict } from './verdict.js';
export { verdictToJUnit } from './report-junit.js';
export { verdictToJson, type SimRunJson } from './report-json.js';
export { renderTimelineHtml } from './timeline-html.js';
export type { Timeline, TimelineSample } from './timeline.js';
