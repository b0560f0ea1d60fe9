// Run statistics: step-time percentiles, peak memory and per-layer density reports.
import * as tf from '@tensorflow/tfjs';
import { percentileLinear } from '../util/select.js';
import type { MaskedWeight } from '../models/masked-weight.js';
import type { LayerDensityReport } from './types.js';

/** Keeps every step duration (8 bytes per step); percentiles interpolate linearly, like every other bench figure. */
export class StepTimer {
  private durations: number[] = [];

  record(ms: number): void {
    this.durations.push(ms);
  }

  get count(): number {
    return this.durations.length;
  }

  percentile(p: number): number {
    return this.durations.length === 0 ? 0 : percentileLinear(this.durations, p);
  }
}

/** Peak resident set size (Node only) and peak bytes held by tfjs tensors, sampled when asked. */
export class MemoryPeaks {
  rssBytes = 0;
  tensorBytes = 0;

  sample(): void {
    this.tensorBytes = Math.max(this.tensorBytes, tf.memory().numBytes);
    const proc = (globalThis as { process?: { memoryUsage?: { rss?: () => number } } }).process;
    const rss = proc?.memoryUsage?.rss?.();
    if (rss !== undefined) this.rssBytes = Math.max(this.rssBytes, rss);
  }

  /** The larger of both peaks, for progress reports. */
  get peakBytes(): number {
    return Math.max(this.rssBytes, this.tensorBytes);
  }
}

export function layerDensities(layers: readonly MaskedWeight[]): LayerDensityReport[] {
  return layers.map((layer) => {
    const active = layer.activeCount;
    return { layer: layer.name, density: active / layer.size, active, total: layer.size };
  });
}

export function overallDensity(reports: readonly LayerDensityReport[]): number {
  let active = 0;
  let total = 0;
  for (const report of reports) {
    active += report.active;
    total += report.total;
  }
  return total === 0 ? 1 : active / total;
}

/** Running mean of loss and accuracy over an epoch. */
export class EpochAverages {
  private lossSum = 0;
  private correct = 0;
  private examples = 0;

  add(loss: number, correct: number, examples: number): void {
    this.lossSum += loss * examples;
    this.correct += correct;
    this.examples += examples;
  }

  get loss(): number {
    return this.examples === 0 ? 0 : this.lossSum / this.examples;
  }

  get accuracy(): number {
    return this.examples === 0 ? 0 : this.correct / this.examples;
  }
}
