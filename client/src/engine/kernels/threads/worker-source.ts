// The code every pool worker runs, as source text (no module imports, so the same text runs in a Node worker thread
// and in a Web Worker, whatever bundler built the page). It instantiates the threads build over the shared memory
// it is sent, then loops: wait for a new GENERATION, claim and run slices until none is left (protocol.ts; a slice of
// a later phase first waits for DONE to reach its phase's start, polling up to `barrierSpin` µs before blocking), and
// poll for the next call for up to `spin` µs before blocking in Atomics.wait. The slot constants are interpolated
// from protocol.ts.
import { ARG_STRIDE, ARGS, CLAIM, CLAIM_TAG_MASK, DONE, EXIT, FAILED, FAILED_SLICE, GENERATION, SLICE_HEADER } from './protocol.js';

const BODY = `
(listen, reply) => listen((init) => {
  const { module, memory, control, index, names } = init;
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  const fns = names.map((name) => instance.exports[name]);
  const ctrl = new Int32Array(control);
  // The twin of pool.ts's claimSlice.
  const claim = (tag) => {
    for (;;) {
      const word = Atomics.load(ctrl, ${CLAIM});
      if (word >>> 16 !== tag || (word & 0xff) >= ((word >>> 8) & 0xff)) return -1;
      if (Atomics.compareExchange(ctrl, ${CLAIM}, word, word + 1) === word) return word;
    }
  };
  const spinMs = init.spin / 1000;
  const barrierSpinMs = init.barrierSpin / 1000;
  // The twin of pool.ts's awaitDone.
  const awaitDone = (target) => {
    let done = Atomics.load(ctrl, ${DONE});
    if (done < target && barrierSpinMs > 0) {
      const end = performance.now() + barrierSpinMs;
      for (let k = 1; (done = Atomics.load(ctrl, ${DONE})) < target; k++) if ((k & 63) === 0 && performance.now() >= end) break;
    }
    for (; done < target; done = Atomics.load(ctrl, ${DONE})) Atomics.wait(ctrl, ${DONE}, done);
  };
  const argv = [];
  let seen = init.generation;
  reply('ready');
  for (;;) {
    let generation = Atomics.load(ctrl, ${GENERATION});
    // A worker that just finished a slice is likely to get the next call within microseconds: poll for a bounded
    // time (checking the clock every 64 polls) before the futex sleep, whose wake-up costs tens of µs.
    if (generation === seen && spinMs > 0) {
      const end = performance.now() + spinMs;
      for (let k = 1; (generation = Atomics.load(ctrl, ${GENERATION})) === seen; k++) if ((k & 63) === 0 && performance.now() >= end) break;
    }
    while (generation === seen) {
      Atomics.wait(ctrl, ${GENERATION}, seen);
      generation = Atomics.load(ctrl, ${GENERATION});
    }
    seen = generation;
    if (Atomics.load(ctrl, ${EXIT}) !== 0) break;
    const tag = generation & ${CLAIM_TAG_MASK};
    for (let word = claim(tag); word >= 0; word = claim(tag)) {
      const slice = word & 0xff;
      const base = ${ARGS} + ${ARG_STRIDE} * slice;
      const header = ctrl[base + 1];
      const start = (header >>> 8) & 0xff;
      if (start > 0) awaitDone(start);
      if (Atomics.load(ctrl, ${FAILED}) === 0) {
        argv.length = ctrl[base];
        for (let k = 0; k < argv.length; k++) argv[k] = ctrl[base + ${SLICE_HEADER} + k];
        try {
          fns[header & 0xff].apply(null, argv);
        } catch (error) {
          if (Atomics.compareExchange(ctrl, ${FAILED}, 0, index + 1) === 0) Atomics.store(ctrl, ${FAILED_SLICE}, slice);
        }
      }
      // Whoever ends a phase wakes the threads waiting at its barrier (and the calling thread after the last one).
      if (Atomics.add(ctrl, ${DONE}, 1) === (header >>> 16) - 1) Atomics.notify(ctrl, ${DONE});
    }
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
