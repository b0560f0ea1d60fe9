// Device profiles for simulated fleets (issue 12): the profile format, its loader, the step-time model and the
// modelled engine. Browser-loadable except loader.ts, which imports node: modules on first use.
export * from './types.js';
export { DeviceProfileError, distributionSchema, parseDeviceProfile, validateDeviceProfile } from './schema.js';
export { loadAvailabilityTrace, loadDeviceProfile, resolveProfileFile, SHIPPED_DEVICE_PROFILES } from './loader.js';
export { distributionMean, sampleDistribution } from './distribution.js';
export { AvailabilityTraceError, isOnlineAt, parseAvailabilityTrace, type AvailabilityTrace, type OnlineInterval } from './trace.js';
export { macsPerExample, REFERENCE_PROVENANCE, REFERENCE_STEPS, referenceStepMs, type ReferenceStep } from './reference-steps.js';
export { REFERENCE_KERNEL_RATES, referenceKernelGflops, type ReferenceKernelRate } from './reference-kernels.js';
export { jitteredStepMs, modelledStepMs, STEP_JITTER_SIGMA, type ModelledStepJob } from './step-model.js';
export { createModelledEngine, ModelledOutOfMemoryError, type ModelledEngineEvent, type ModelledEngineOptions } from './modelled-engine.js';
export { encodeModelledCheckpoint, MODELLED_CHECKPOINT_FORMAT_VERSION, ModelledCheckpointError, readModelledCheckpoint, type ModelledPosition } from './modelled-checkpoint.js';
export { curvePoint, type CurvePoint, type CurveSettings } from './learning-curve.js';
export { DEFAULT_SLICE_MS, Pacer } from './pacer.js';
export {
  CampaignProfileError,
  profilesFromCampaign,
  type CampaignForProfiles,
  type CampaignResultForProfiles,
  type DerivedProfile,
  type ProfileGrouping,
} from './from-campaign.js';
export { formatDeviceProfile } from './format.js';
