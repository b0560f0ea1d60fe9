// The code every pool worker runs, as source text (no module imports, so the same text runs in a Node worker thread
// and in a Web Worker, whatever bundler built the page). It instantiates the threads build over the shared memory
// it is sent, then loops: wait on GENERATION (Atomics.wait: workers may block), run its slice, decrement PENDING.
// The slot constants are interpolated from protocol.ts.
import { ARG_STRIDE, ARGS, EXIT, FAILED, FUNCTION, GENERATION, PENDING } from './protocol.js';

const BODY = `
(listen, reply) => listen((init) => {
  const { module, memory, control, index, names } = init;
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  const fns = names.map((name) => instance.exports[name]);
  const ctrl = new Int32Array(control);
  const base = ${ARGS} + ${ARG_STRIDE} * index;
  let seen = init.generation;
  reply('ready');
  for (;;) {
    // An optional short poll (init.spin) can catch the next task without a futex round trip; then block.
    for (let k = 0; k < init.spin && Atomics.load(ctrl, ${GENERATION}) === seen; k++);
    while (Atomics.load(ctrl, ${GENERATION}) === seen) Atomics.wait(ctrl, ${GENERATION}, seen);
    seen = Atomics.load(ctrl, ${GENERATION});
    if (Atomics.load(ctrl, ${EXIT}) !== 0) break;
    const count = ctrl[base];
    if (count >= 0) {
      try {
        fns[ctrl[${FUNCTION}]].apply(null, Array.from(ctrl.subarray(base + 1, base + 1 + count)));
      } catch (error) {
        Atomics.compareExchange(ctrl, ${FAILED}, 0, index + 1);
      }
    }
    if (Atomics.sub(ctrl, ${PENDING}, 1) === 1) Atomics.notify(ctrl, ${PENDING});
  }
  reply('exit');
})`;

/** Worker thread source for Node (worker_threads, eval: true). */
export function nodeWorkerSource(): string {
  return `const { parentPort } = require('node:worker_threads');
(${BODY})((handler) => parentPort.once('message', handler), (message) => parentPort.postMessage(message));`;
}

/** Web Worker source (loaded from a Blob URL). */
export function browserWorkerSource(): string {
  return `(${BODY})((handler) => { self.onmessage = (event) => { self.onmessage = null; handler(event.data); }; }, (message) => self.postMessage(message));`;
}
