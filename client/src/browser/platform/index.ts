// The agent's platform in a browser (a Web Worker of the /agent/ page): credential in IndexedDB, facts from
// navigator, telemetry from the page's conditions, each job's dataset shard over HTTP through the Cache API.
import { DEVICE_CREDENTIAL_HEADER, DEVICE_ID_HEADER } from '../../../../protocol/src/index.js';
import type { BuildInfo } from '../../agent/build-info.js';
import type { AgentPlatform } from '../../agent/platform.js';
import { UNKNOWN_CONDITIONS, type PageConditions } from './conditions.js';
import { IndexedDbCredentialStore } from './credential-store.js';
import { httpJobDatasets, NO_DATASET_FILES } from './dataset-shards.js';
import { browserHostFacts } from './host-facts.js';
import { browserTelemetry } from './telemetry.js';

export interface BrowserPlatform extends AgentPlatform {
  /** The page's latest conditions, for the heartbeats and the pause-when-hidden gate. */
  conditions: PageConditions;
}

/** `warn` hears of recoverable problems (a damaged cached shard). */
export function browserPlatform(origin: string, build: BuildInfo, warn: (message: string) => void): BrowserPlatform {
  const credentials = new IndexedDbCredentialStore();
  const platform: BrowserPlatform = {
    conditions: UNKNOWN_CONDITIONS,
    credentials,
    hostFacts: () => browserHostFacts(),
    telemetry: () => browserTelemetry(platform.conditions),
    buildInfo: () => build,
    dataFiles: NO_DATASET_FILES,
    jobDatasets: httpJobDatasets(
      origin,
      async () => {
        const stored = await credentials.load();
        return stored && { [DEVICE_ID_HEADER]: stored.deviceId, [DEVICE_CREDENTIAL_HEADER]: stored.credential };
      },
      warn,
    ),
  };
  return platform;
}
