// Public surface of the simulated fleet and the demo built on it (used by the CLI and tests).
export { SimulatedFleet, defaultFleetMode, type FleetMember, type FleetMode, type MemberState, type SimulatedFleetOptions } from './fleet.js';
export type { FleetEvent, SimAgentConfig } from './fleet-events.js';
// The demo (`sparsefleet demo`): a simulated fleet training a job matrix or running a shipped campaign.
export { demoCampaignPlan, runDemoCampaign, type DemoCampaignOutcome, type DemoCampaignPlan } from './demo/demo-campaign.js';
export { demoJobMatrix, type DemoJob } from './demo/job-matrix.js';
export { createProgressView, type JobProgressView } from './demo/progress-view.js';
export { formatResultsTable, type PersistedResult, type ResultRow } from './demo/results-table.js';
