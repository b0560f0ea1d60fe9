// `sparsefleet` — one command for operators, devices and developers. Each sub-command lives in ./commands.
import { Command } from 'commander';
import { registerAgentCommand } from './commands/agent.js';
import { registerDemoCommand } from './commands/demo.js';
import { registerServeCommand } from './commands/serve.js';
import { registerTrainCommand } from './commands/train.js';
import { AGENT_VERSION } from '../../client/src/agent/version.js';

const program = new Command()
  .name('sparsefleet')
  .description('Sparse neural-network training across a fleet of edge devices')
  .version(AGENT_VERSION);

registerServeCommand(program);
registerAgentCommand(program);
registerDemoCommand(program);
registerTrainCommand(program);

await program.parseAsync(process.argv);
