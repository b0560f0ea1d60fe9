// The reference machine's measured step times (profiles/devices/reference-steps.json, from bench/README.md's
// bench:step figures) and the step time they give for any job on that machine. Pure data + arithmetic.
import table from '../../../../profiles/devices/reference-steps.json' with { type: 'json' };
import { DATASET_INFO, isDatasetName, type DatasetName } from '../../engine/data/types.js';
import { maskableLayers, MODEL_NAMES, type ModelName } from '../../engine/models/catalog.js';
import { layerOutputValues } from '../../engine/memory/layer-outputs.js';
import { layerSize } from '../../engine/sparse/types.js';
import type { StepJob } from './types.js';

export interface ReferenceStep {
  readonly model: string;
  readonly dataset: string;
  /** 'dense' for the density-1 dense path, else the sparsity scheme (sparse kernels). */
  readonly scheme: string;
  readonly density: number;
  readonly batch: number;
  /** Median ms per training step on the reference machine. */
  readonly stepMs: number;
  readonly stepMsMin?: number;
}

export const REFERENCE_STEPS: readonly ReferenceStep[] = table.entries;
export const REFERENCE_PROVENANCE: Readonly<Record<string, string>> = table.provenance;

/** Schemes the table measures; the others (pattern, channel, shuffled-block) are modelled as irregular. */
const MEASURED_SCHEME_FALLBACK = 'irregular';
const DENSE = 'dense';
const NOT_A_PROXY: ReadonlySet<string> = new Set(['mobilenetv2']);

/**
 * Step time (ms) of `job` on the reference machine:
 *   - the entry for (model, scheme, density, batch) when measured;
 *   - between measured densities, linear in density (the dense entry anchors density 1); below the lowest measured
 *     density, the lowest one's time (the fixed per-step work dominates there, bench/README.md "Amdahl");
 *   - another batch size scales the time linearly with the batch;
 *   - a model the table lacks takes the measured model closest in multiply-adds per example, scaled by their ratio;
 *   - masked-dense compute (asked for, or no SIMD for the kernels) costs the dense step (bench: not faster at any
 *     density).
 */
export function referenceStepMs(job: StepJob & { readonly compute?: string }): number {
  const dense = job.density >= 1 || job.compute === 'masked-dense';
  const model = REFERENCE_STEPS.some((entry) => entry.model === job.model) ? job.model : closestMeasuredModel(job);
  const rows = REFERENCE_STEPS.filter((entry) => entry.model === model);
  const scale = model === job.model ? 1 : macsPerExample(job.model, datasetFor(job)) / macsPerExample(model, rows[0].dataset);
  const denseRow = rows.find((entry) => entry.scheme === DENSE);
  if (denseRow === undefined) throw new Error(`reference table has no dense step for ${model}`);
  if (dense) return denseRow.stepMs * (job.batchSize / denseRow.batch) * scale;
  const scheme = rows.some((entry) => entry.scheme === job.scheme) ? job.scheme : MEASURED_SCHEME_FALLBACK;
  const points = [...rows.filter((entry) => entry.scheme === scheme), denseRow].sort((a, b) => a.density - b.density);
  return interpolate(points, job.density) * (job.batchSize / points[0].batch) * scale;
}

/** Step time at `density` between measured points (all at one batch size), clamped at the lowest density. */
function interpolate(points: readonly ReferenceStep[], density: number): number {
  if (density <= points[0].density) return points[0].stepMs;
  for (let i = 1; i < points.length; i += 1) {
    const low = points[i - 1];
    const high = points[i];
    if (density <= high.density) {
      const t = (density - low.density) / (high.density - low.density);
      // Different batch sizes never meet here: every model's rows share one batch.
      return low.stepMs + t * (high.stepMs - low.stepMs);
    }
  }
  return points[points.length - 1].stepMs;
}

/**
 * The measured model an unmeasured one is scaled from: its own family's (resnet18-imagenet → resnet18,
 * mobilenetv2-0.5 → mobilenetv2), else the measured model closest in multiply-adds per example. MobileNetV2 is no
 * proxy for other families: most of its time goes to depthwise convs, which the maskable-layer count leaves out.
 */
function closestMeasuredModel(job: StepJob): string {
  if (!(MODEL_NAMES as readonly string[]).includes(job.model)) throw new RangeError(`unknown model "${job.model}"`);
  const denseRows = REFERENCE_STEPS.filter((entry) => entry.scheme === DENSE);
  const family = denseRows.find((entry) => job.model.startsWith(`${entry.model}-`));
  if (family !== undefined) return family.model;
  const target = Math.log(macsPerExample(job.model, datasetFor(job)));
  let best: { model: string; distance: number } | undefined;
  for (const entry of denseRows) {
    if (NOT_A_PROXY.has(entry.model)) continue;
    const distance = Math.abs(Math.log(macsPerExample(entry.model, entry.dataset)) - target);
    if (best === undefined || distance < best.distance) best = { model: entry.model, distance };
  }
  if (best === undefined) throw new Error('the reference table has no dense entries');
  return best.model;
}

function datasetFor(job: StepJob): DatasetName {
  if (job.dataset !== undefined && isDatasetName(job.dataset)) return job.dataset;
  if (job.model === 'mlp' || job.model === 'cnn') return 'fashion-mnist';
  return job.model.endsWith('-imagenet') ? 'synthetic-imagenet' : 'cifar10';
}

const macsCache = new Map<string, number>();

/** Forward multiply-adds per example over the maskable layers (a conv's weights × its output positions). */
export function macsPerExample(model: string, dataset: string): number {
  const key = `${model}@${dataset}`;
  const cached = macsCache.get(key);
  if (cached !== undefined) return cached;
  if (!isDatasetName(dataset)) throw new RangeError(`unknown data set "${dataset}"`);
  const { inputShape, numClasses } = DATASET_INFO[dataset];
  const name = model as ModelName;
  const layers = maskableLayers(name, inputShape, numClasses);
  const outputs = layerOutputValues(name, layers, inputShape);
  const macs = Math.max(1, layers.reduce((total, layer, i) => total + (layerSize(layer.shape) * outputs[i]) / layer.shape.out, 0));
  macsCache.set(key, macs);
  return macs;
}
