// Entry of one simulated agent in its own worker thread: a real Agent with a real socket.io client and its own
// tfjs instance. Runs only from compiled JavaScript (dist/); see fleet.ts for how TS sources are handled.
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { Agent } from '../agent/agent.js';
import { forwardAgentEvents, type FleetEvent, type SimAgentConfig, type WorkerCommand } from './fleet-events.js';
import { createSimAgent } from './sim-agent.js';

if (isMainThread || !parentPort) throw new Error('agent-worker.js must be started as a worker thread');
const port = parentPort;
const config = workerData as SimAgentConfig;
const post = (event: FleetEvent): void => port.postMessage(event);

const agent: Agent = createSimAgent(config);
forwardAgentEvents(agent, config.index, post);

port.on('message', (command: WorkerCommand) => {
  void (command.kind === 'kill' ? agent.kill() : agent.stop()).finally(() => {
    post({ kind: 'stopped', index: config.index });
    port.close();
  });
});

// Failures are reported through the 'error' event; the thread stays up until the parent says stop.
agent.start().catch(() => undefined);
