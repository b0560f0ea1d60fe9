// The agent's platform in a browser (a Web Worker of the /agent/ page): credential in IndexedDB, facts from
// navigator, telemetry from the page's conditions, dataset files over HTTP through the Cache API.
import { DEVICE_CREDENTIAL_HEADER, DEVICE_ID_HEADER } from '../../../../protocol/src/index.js';
import type { BuildInfo } from '../../agent/build-info.js';
import type { AgentPlatform } from '../../agent/platform.js';
import { UNKNOWN_CONDITIONS, type PageConditions } from './conditions.js';
import { IndexedDbCredentialStore } from './credential-store.js';
import { httpDatasetFiles } from './dataset-files.js';
import { browserHostFacts } from './host-facts.js';
import { browserTelemetry } from './telemetry.js';

export interface BrowserPlatform extends AgentPlatform {
  /** The page's latest conditions, for the heartbeats and the pause-when-hidden gate. */
  conditions: PageConditions;
}

export function browserPlatform(origin: string, build: BuildInfo): BrowserPlatform {
  const credentials = new IndexedDbCredentialStore();
  const platform: BrowserPlatform = {
    conditions: UNKNOWN_CONDITIONS,
    credentials,
    hostFacts: () => browserHostFacts(),
    telemetry: () => browserTelemetry(platform.conditions),
    buildInfo: () => build,
    dataFiles: httpDatasetFiles(origin, async () => {
      const stored = await credentials.load();
      return stored && { [DEVICE_ID_HEADER]: stored.deviceId, [DEVICE_CREDENTIAL_HEADER]: stored.credential };
    }),
  };
  return platform;
}
