// `sparsefleet` — one command for operators, devices and developers. Each sub-command lives in ./commands and is
// loaded only when it runs: the coordinator (NestJS) and the engine (tfjs) take seconds to import, which an
// operator listing jobs should not pay.
import { Command } from 'commander';
import { AGENT_VERSION } from '../../client/src/agent/version.js';

type Register = (program: Command) => void;

const COMMANDS: Readonly<Record<string, () => Promise<Register>>> = {
  serve: async () => (await import('./commands/serve.js')).registerServeCommand,
  agent: async () => (await import('./commands/agent.js')).registerAgentCommand,
  demo: async () => (await import('./commands/demo.js')).registerDemoCommand,
  train: async () => (await import('./commands/train.js')).registerTrainCommand,
  login: async () => (await import('./commands/login.js')).registerLoginCommand,
  apikey: async () => (await import('./commands/apikey.js')).registerApiKeyCommand,
  tokens: async () => (await import('./commands/tokens.js')).registerTokensCommand,
  devices: async () => (await import('./commands/devices.js')).registerDevicesCommand,
  jobs: async () => (await import('./commands/jobs.js')).registerJobsCommand,
  campaign: async () => (await import('./commands/campaign.js')).registerCampaignCommand,
  datastats: async () => (await import('./commands/datastats.js')).registerDatastatsCommand,
  removal: async () => (await import('./commands/removal.js')).registerRemovalCommand,
  sim: async () => (await import('./commands/sim.js')).registerSimCommand,
  fed: async () => (await import('./commands/fed.js')).registerFedCommand,
};

const program = new Command()
  .name('sparsefleet')
  .description('Sparse neural-network training across a fleet of edge devices')
  .version(AGENT_VERSION);

// Register only the requested command; help, unknown commands and no command get all of them.
const requested = process.argv[2];
const names = requested !== undefined && requested in COMMANDS ? [requested] : Object.keys(COMMANDS);
for (const name of names) (await COMMANDS[name]())(program);

await program.parseAsync(process.argv);
