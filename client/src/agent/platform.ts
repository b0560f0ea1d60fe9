// The agent's platform port: what differs between a Node process and a browser (credential storage, the device's
// facts and sensors, the build, dataset files or a job's data). The Node implementation is node-platform.ts; the
// browser's lives in client/src/browser/platform/. Nothing else in the agent touches the host.
import type { DeviceFacts, Telemetry } from '../../../protocol/src/index.js';
import type { DataFiles } from '../engine/data/files.js';
import type { LoadDatasetsSpec, LoadedDatasets } from '../engine/data/types.js';
import type { BuildInfo } from './build-info.js';
import type { StoredCredential } from './credential-store.js';

/** Keeps the device's enrollment (a 0600 file in Node, IndexedDB in a browser). */
export interface CredentialStorage {
  /** Where the credential is kept, for messages. */
  readonly location: string;
  /** The saved credential, or undefined when none is saved. */
  load(): Promise<StoredCredential | undefined>;
  save(credential: StoredCredential): Promise<void>;
  clear(): Promise<void>;
}

/** The device as the host describes it; the backend probe adds what TensorFlow.js found. */
export type HostFacts = Pick<DeviceFacts, 'platform' | 'arch' | 'cpuModel' | 'cores' | 'memoryBytes' | 'deviceModel' | 'runtime'> & {
  readonly labels: Readonly<Record<string, string>>;
};

export interface AgentPlatform {
  readonly credentials: CredentialStorage;
  hostFacts(): HostFacts;
  /** One heartbeat's readings; sensors the host does not expose read as negative / empty. */
  telemetry(): Telemetry;
  buildInfo(): BuildInfo;
  /** Where the engine reads dataset files; absent = the engine's default (the file system in Node). */
  readonly dataFiles?: DataFiles;
  /** A job's data from elsewhere than dataset files (a browser's shard from the coordinator); absent = load the files. */
  readonly jobDatasets?: JobDatasets;
}

/** The data job `jobId` trains on, already selected as `spec` says; undefined = load `spec` from the dataset files. */
export type JobDatasets = (jobId: string, spec: LoadDatasetsSpec) => Promise<LoadedDatasets | undefined>;
