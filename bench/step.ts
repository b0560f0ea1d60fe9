// Whole-training-step benchmark: the MLP 784-300-100-10 (batch 128) and the Fashion-MNIST CNN (batch 64), and the
// seeds' networks on CIFAR-10 shapes (WRN-22-2, ResNet-18, MobileNetV2; batch 32, 8 with --quick) at d = 0.2 and
// 0.1, each step = forward + backward + SGD(momentum, weight decay) update + re-masking, all in one process on
// tfjs-wasm:
//   stock          plain tfjs autodiff (tf.matMul / tf.conv2d gradients as registered by tfjs)
//   dense          the engine's corrected dense path (explicit-transpose linear gradients, wasm-safe conv gradients)
//   masked-dense   the engine's sparse training on dense storage (ERK masks), for reference
//   sparse-kernels compressed weights on the WASM SIMD kernels (ERK masks, irregular CSR or 4×1 blocks), on 1 thread
//                  and, for the small models at d = 0.1, on every core (the threads build and its worker pool)
// Dense tfjs-wasm is asked for the same thread count (setThreadsCount before the backend starts); the figure it
// actually ran with is printed: tfjs-backend-wasm 4.22 runs one thread on Node whatever is asked.
//   npm run build && node dist/bench/step.js [--quick] [--json FILE] [--model NAME]
// The cases, plan, measurement and table are bench/support/step-cases.ts and step-table.ts (shared with bench:browser).
// Each model's configurations are built together, run round-robin (rounds × steps each) so machine noise hits them
// alike, then disposed before the next model; each round of each
// configuration runs under the engine's run-rules executor (client/src/engine/bench/run-rules.ts; warm-up steps in
// the first round only), and each figure is a percentile (numpy 'linear') of all timed steps. The trainees and the
// step are the engine's (client/src/engine/bench/trainee.ts), the same a campaign's training-step cell times.
// Model-state memory is measured after the last step (models/memory.ts). The process's RSS is read after each
// model's steps, before its trainees are disposed (`rss_bytes`), with the peak so far (`peak_rss_bytes`, getrusage): models run smallest first, so a
// rise in the peak belongs to the model that caused it.
import { writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { getThreadsCount, setThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../client/src/engine/backend/init.js';
import { addSpeedups, configurations, measureGroup, planFor, stepBenchArgs, stepPlan, type StepRecord } from './support/step-cases.js';
import { printTable } from './support/step-table.js';

async function main(): Promise<void> {
  const { quick, jsonFile, only } = stepBenchArgs(process.argv.slice(2));
  const plan = stepPlan(quick);
  const stockConvGradient = tf.getGradient('Conv2D'); // before initBackend replaces it
  const threads = Math.max(2, Math.min(8, availableParallelism()));
  setThreadsCount(threads); // before the backend starts; ignored on Node by tfjs-backend-wasm 4.22
  const backend = await initBackend('wasm');
  const tfjsThreads = getThreadsCount();
  if (backend.name !== 'wasm') throw new Error(`tfjs wasm backend unavailable (got ${backend.name})`);
  const silenced = console.warn;
  console.warn = () => undefined; // tfjs warns on every gradient re-registration
  const meta = {
    node: process.version,
    tfjs: tf.version.tfjs,
    backend: backend.name,
    simd: backend.simd,
    kernel_threads_requested: threads,
    tfjs_threads_requested: threads,
    tfjs_threads: tfjsThreads,
    quick,
    plan,
    loadavg_start: loadavg(),
    date: new Date().toISOString(),
  };
  process.stdout.write(`# whole training steps (${JSON.stringify(meta)})\n`);
  process.stdout.write(`# tfjs-wasm: setThreadsCount(${threads}) -> getThreadsCount() = ${tfjsThreads}; every dense figure ran on ${tfjsThreads} thread(s)\n`);
  const started = performance.now();
  // getrusage reports kilobytes on Linux.
  const memory = () => ({ rss: process.memoryUsage().rss, peak: process.resourceUsage().maxRSS * 1024 });
  const cpuClock = () => {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1000;
  };
  const records: StepRecord[] = [];
  for (const group of configurations(quick, only, threads)) {
    records.push(...(await measureGroup(group, planFor(group, plan, quick), stockConvGradient, { memory, tfjsThreads, cpuClock })));
  }
  addSpeedups(records);
  console.warn = silenced;
  printTable(records);
  process.stdout.write(`# ${records.length} configurations in ${((performance.now() - started) / 1000).toFixed(1)} s, load average now ${loadavg().map((v) => v.toFixed(2)).join(' ')}\n`);
  if (jsonFile) writeFileSync(jsonFile, JSON.stringify({ meta: { ...meta, loadavg_end: loadavg() }, records }, null, 2));
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
