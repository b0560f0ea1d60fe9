// Console view of a training run: one cli-progress bar per epoch (on a TTY), a summary line per epoch and a
// closing summary.
import cliProgress from 'cli-progress';
import type { TrainConfig, TrainProgress, TrainResult } from '../../../client/src/engine/index.js';

export class TrainProgressView {
  private bar: cliProgress.SingleBar | undefined;
  private barEpoch = -1;
  private epochStartStep = 0;
  private stepsPerEpoch = 0;
  private maskUpdatesBefore = 0;

  constructor(
    private readonly config: TrainConfig,
    private readonly showBar: boolean,
  ) {}

  update(progress: TrainProgress): void {
    if (progress.phase === 'loading') {
      this.stepsPerEpoch = Math.max(1, Math.ceil(progress.totalSteps / this.config.epochs));
      return;
    }
    if (progress.phase === 'training') {
      this.ensureBar(progress.epoch);
      this.bar?.update(Math.min(progress.step - this.epochStartStep, this.stepsPerEpoch), {
        loss: progress.loss.toFixed(3),
        acc: progress.trainAccuracy.toFixed(3),
      });
      return;
    }
    this.ensureBar(progress.epoch);
    this.bar?.update(this.stepsPerEpoch);
    this.stopBar();
    this.epochStartStep = progress.step;
    console.log(formatEpochLine(progress, this.config.epochs, progress.maskUpdates - this.maskUpdatesBefore));
    this.maskUpdatesBefore = progress.maskUpdates;
  }

  finish(result: TrainResult): void {
    this.stopBar();
    const source = result.syntheticData ? `synthetic${result.dataFallbackReason ? ` (${result.dataFallbackReason})` : ''}` : result.dataSource;
    console.log(
      [
        `done: ${result.model} ${result.method}/${result.scheme} on ${source}, backend ${result.backend}`,
        `  test accuracy ${result.testAccuracy.toFixed(4)}  test loss ${result.testLoss.toFixed(4)}`,
        `  density ${result.finalDensity.toFixed(4)}  ${result.epochs} epochs  ${result.steps} steps  ` +
          `${(result.wallMs / 1000).toFixed(1)} s  step p50 ${result.stepMsP50.toFixed(1)} ms  p90 ${result.stepMsP90.toFixed(1)} ms`,
        ...result.layers.map(
          (layer) => `    ${layer.layer.padEnd(22)} ${layer.density.toFixed(4)}  (${layer.active}/${layer.total})`,
        ),
      ].join('\n'),
    );
  }

  stop(): void {
    this.stopBar();
  }

  private ensureBar(epoch: number): void {
    if (!this.showBar || this.barEpoch === epoch) return;
    this.stopBar();
    this.barEpoch = epoch;
    this.bar = new cliProgress.SingleBar(
      {
        format: `epoch ${epoch + 1}/${this.config.epochs} [{bar}] {value}/{total} steps | loss {loss} | acc {acc}`,
        stream: process.stderr,
        clearOnComplete: true,
        hideCursor: true,
      },
      cliProgress.Presets.shades_classic,
    );
    this.bar.start(this.stepsPerEpoch, 0, { loss: '-', acc: '-' });
  }

  private stopBar(): void {
    this.bar?.stop();
    this.bar = undefined;
  }
}

export function formatEpochLine(progress: TrainProgress, epochs: number, epochMaskUpdates: number): string {
  return (
    `epoch ${progress.epoch + 1}/${epochs}  loss ${progress.loss.toFixed(4)}  train acc ${progress.trainAccuracy.toFixed(4)}  ` +
    `test acc ${(progress.testAccuracy ?? Number.NaN).toFixed(4)}  density ${progress.density.toFixed(4)}  ` +
    `mask updates ${epochMaskUpdates}  (${(progress.elapsedMs / 1000).toFixed(1)} s)`
  );
}
