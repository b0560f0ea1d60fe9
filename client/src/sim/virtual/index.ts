// Virtual fleets (issue 12): many real agents with device profiles, simulated links and availability churn.
export { AvailabilityCycle, drawnSessions, traceSessions, type Session } from './availability.js';
export { VirtualFleet, deviceStream, modelledEngineOptions, type EngineRequest, type FleetGroup, type VirtualFleetOptions } from './virtual-fleet.js';
export { VirtualDevice, type AcknowledgedReportRecord, type VirtualDeviceState } from './virtual-device.js';
export type { VirtualFleetEvent, VirtualFleetEventKind } from './fleet-event.js';
export { SimulatedLink, PERFECT_LINK, type LinkCounters, type LinkModel } from './simulated-link.js';
export { profileFacts, profileTelemetry } from './profile-facts.js';
export { ClockScope, VirtualClock, type VirtualClockOptions } from './virtual-clock.js';
