export { SimulatedFleet, defaultFleetMode, type FleetMember, type FleetMode, type MemberState, type SimulatedFleetOptions } from './fleet.js';
export type { FleetEvent, SimAgentConfig } from './fleet-events.js';
