// Whole-training-step benchmark: the MLP 784-300-100-10 (batch 128) and the Fashion-MNIST CNN (batch 64), and the
// seeds' networks on CIFAR-10 shapes (WRN-22-2, ResNet-18, MobileNetV2; batch 32, 8 with --quick) at d = 0.2 and
// 0.1, each step = forward + backward + SGD(momentum, weight decay) update + re-masking, all in one process on
// tfjs-wasm:
//   stock          plain tfjs autodiff (tf.matMul / tf.conv2d gradients as registered by tfjs)
//   dense          the engine's corrected dense path (explicit-transpose linear gradients, wasm-safe conv gradients)
//   masked-dense   the engine's sparse training on dense storage (ERK masks), for reference
//   sparse-kernels compressed weights on the WASM SIMD kernels (ERK masks, irregular CSR or 4×1 blocks)
//   npm run build && node dist/bench/step.js [--quick] [--json FILE] [--model NAME]
// Each model's configurations are built together, run round-robin (rounds × steps each) so machine noise hits them
// alike, then disposed before the next model; each round of each
// configuration runs under the engine's run-rules executor (client/src/engine/bench/run-rules.ts; warm-up steps in
// the first round only), and each figure is a percentile (numpy 'linear') of all timed steps. The trainees and the
// step are the engine's (client/src/engine/bench/trainee.ts), the same a campaign's training-step cell times.
// Model-state memory is measured after the last step (models/memory.ts). The process's RSS is read after each
// model's steps, before its trainees are disposed (`rss_bytes`), with the peak so far (`peak_rss_bytes`, getrusage): models run smallest first, so a
// rise in the peak belongs to the model that caused it.
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../client/src/engine/backend/init.js';
import { addSpeedups, configurations, measureGroup, planFor, stepBenchArgs, stepPlan, type StepRecord } from './support/step-cases.js';
import { printTable } from './support/step-table.js';

async function main(): Promise<void> {
  const { quick, jsonFile, only } = stepBenchArgs(process.argv.slice(2));
  const plan = stepPlan(quick);
  const stockConvGradient = tf.getGradient('Conv2D'); // before initBackend replaces it
  const backend = await initBackend('wasm');
  if (backend.name !== 'wasm') throw new Error(`tfjs wasm backend unavailable (got ${backend.name})`);
  const silenced = console.warn;
  console.warn = () => undefined; // tfjs warns on every gradient re-registration
  const meta = { node: process.version, tfjs: tf.version.tfjs, backend: backend.name, simd: backend.simd, quick, plan, loadavg_start: loadavg(), date: new Date().toISOString() };
  process.stdout.write(`# whole training steps (${JSON.stringify(meta)})\n`);
  const started = performance.now();
  const records: StepRecord[] = [];
  for (const group of configurations(quick, only)) {
    // getrusage reports kilobytes on Linux.
    const memory = () => ({ rss: process.memoryUsage().rss, peak: process.resourceUsage().maxRSS * 1024 });
    records.push(...(await measureGroup(group, planFor(group, plan, quick), stockConvGradient, memory)));
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

