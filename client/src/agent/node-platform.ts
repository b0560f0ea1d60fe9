// The agent's platform in a Node process: the credential in a 0600 file, facts and telemetry from node:os and Linux
// sysfs, the build from generated/build-info.json, dataset files from the file system (the engine's default).
// Every Node built-in behind these is looked up at run time, so this module loads (unused) in a browser bundle too.
import { agentBuildInfo } from './build-info.js';
import { CredentialStore } from './credential-store.js';
import { nodeHostFacts } from './facts.js';
import type { AgentPlatform } from './platform.js';
import { collectTelemetry } from './telemetry.js';

export function nodePlatform(statePath?: string): AgentPlatform {
  return {
    credentials: new CredentialStore(statePath),
    hostFacts: () => nodeHostFacts(),
    telemetry: () => collectTelemetry(),
    buildInfo: () => agentBuildInfo(),
  };
}
