// Builds the Agent of one simulated device from its cloneable config (shared by worker and in-process modes).
import { Agent } from '../agent/agent.js';
import type { TrainingEngine } from '../agent/training-engine.js';
import type { SimAgentConfig } from './fleet-events.js';

export function createSimAgent(config: SimAgentConfig, engine?: TrainingEngine): Agent {
  return new Agent({
    server: config.server,
    enrollmentToken: config.enrollmentToken,
    statePath: config.statePath,
    backend: config.backend,
    displayName: config.displayName,
    deviceModel: config.deviceModel,
    labels: config.labels,
    backoff: config.backoff,
    progressEverySteps: config.progressEverySteps,
    checkpointEverySteps: config.checkpointEverySteps,
    engine,
  });
}
