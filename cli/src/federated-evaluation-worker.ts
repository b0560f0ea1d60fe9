// Entry of the federated evaluation worker (a worker_threads Worker started by federated-evaluation-thread.ts): it
// evaluates global models on the held-out split on its own event loop, one request at a time in arrival order, so
// the coordinator's thread keeps answering heartbeats and requests meanwhile.
import { parentPort } from 'node:worker_threads';
import { engineAccess } from './federated-engine-access.js';
import type { EvaluationReply, EvaluationRequest } from './federated-evaluation-protocol.js';

const port = parentPort;
if (!port) throw new Error('federated-evaluation-worker runs as a worker thread');
const access = engineAccess();
let queue: Promise<void> = Promise.resolve();

port.on('message', (request: EvaluationRequest) => {
  queue = queue.then(async () => {
    let reply: EvaluationReply;
    try {
      reply = { id: request.id, ok: true, ...(await access.evaluate(request.model, request.base)) };
    } catch (error) {
      reply = { id: request.id, ok: false, error: error instanceof Error ? error.message : String(error) };
    }
    port.postMessage(reply);
  });
});
