// A stand-in for the federated evaluation worker (same messages) whose evaluations the test releases one by one:
// each request blocks this thread on a shared gate until the test stores 1 (answer) or 2 (crash the worker).
// gate[1] counts the requests received, so the test knows an evaluation is under way.
import { parentPort, workerData } from 'node:worker_threads';

const gate = new Int32Array(workerData.gate);
parentPort.on('message', (request) => {
  Atomics.add(gate, 1, 1);
  Atomics.notify(gate, 1);
  while (Atomics.load(gate, 0) === 0) Atomics.wait(gate, 0, 0);
  const verdict = Atomics.exchange(gate, 0, 0);
  if (verdict === 2) throw new Error('evaluation blew up');
  parentPort.postMessage({ id: request.id, ok: true, accuracy: 0.5 + request.model.length / 1e6, loss: 0.25, examples: 2 });
});
