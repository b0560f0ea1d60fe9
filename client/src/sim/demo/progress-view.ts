// Live view of the demo's jobs: one cli-progress bar per job on a terminal, plain status lines otherwise
// (CI logs, pipes), so progress is never silent.
import cliProgress from 'cli-progress';
import type { TrainProgress } from '../../engine/train/types.js';

export interface JobProgressView {
  addJob(jobId: string, name: string): void;
  /** Job state from the coordinator (queued, assigned, running, succeeded, …) and its device once known. */
  setState(jobId: string, state: string, deviceId?: string): void;
  progress(jobId: string, deviceId: string, progress: TrainProgress): void;
  log(line: string): void;
  stop(): void;
}

export function createProgressView(stream: NodeJS.WriteStream = process.stdout): JobProgressView {
  return stream.isTTY ? new BarProgressView(stream) : new LineProgressView(stream);
}

interface BarPayload {
  name: string;
  state: string;
  device: string;
  epoch: string;
  loss: string;
  acc: string;
}

class BarProgressView implements JobProgressView {
  private readonly multibar: cliProgress.MultiBar;
  private readonly bars = new Map<string, { bar: cliProgress.SingleBar; payload: BarPayload; total: number }>();

  constructor(stream: NodeJS.WriteStream) {
    this.multibar = new cliProgress.MultiBar(
      {
        stream,
        clearOnComplete: false,
        hideCursor: true,
        format: '{name} {bar} {percentage}% {state} dev {device} ep {epoch} loss {loss} acc {acc}',
        barsize: 16,
        autopadding: true,
      },
      cliProgress.Presets.shades_classic,
    );
  }

  addJob(jobId: string, name: string): void {
    const payload: BarPayload = { name: name.padEnd(14), state: 'queued   ', device: '-'.padEnd(8), epoch: '-', loss: '-', acc: '-' };
    this.bars.set(jobId, { bar: this.multibar.create(1, 0, payload), payload, total: 1 });
  }

  setState(jobId: string, state: string, deviceId?: string): void {
    const entry = this.bars.get(jobId);
    if (!entry) return;
    entry.payload.state = state.padEnd(9);
    if (deviceId) entry.payload.device = shortDevice(deviceId);
    if (state === 'succeeded') entry.bar.update(entry.total, entry.payload);
    else entry.bar.update(entry.payload);
  }

  progress(jobId: string, deviceId: string, progress: TrainProgress): void {
    const entry = this.bars.get(jobId);
    if (!entry) return;
    if (progress.totalSteps > 0 && progress.totalSteps !== entry.total) {
      entry.total = progress.totalSteps;
      entry.bar.setTotal(progress.totalSteps);
    }
    Object.assign(entry.payload, progressPayload(deviceId, progress));
    entry.bar.update(Math.min(progress.step, entry.total), entry.payload);
  }

  log(line: string): void {
    this.multibar.log(`${line}\n`);
  }

  stop(): void {
    this.multibar.stop();
  }
}

class LineProgressView implements JobProgressView {
  private readonly names = new Map<string, string>();
  private readonly states = new Map<string, string>();

  constructor(private readonly stream: NodeJS.WriteStream) {}

  addJob(jobId: string, name: string): void {
    this.names.set(jobId, name);
  }

  setState(jobId: string, state: string, deviceId?: string): void {
    if (this.states.get(jobId) === state) return;
    this.states.set(jobId, state);
    this.log(`${this.names.get(jobId) ?? jobId}: ${state}${deviceId ? ` on device ${shortDevice(deviceId)}` : ''}`);
  }

  progress(jobId: string, deviceId: string, progress: TrainProgress): void {
    // Epoch ends only: a line per progress report would flood a log.
    if (progress.testAccuracy === undefined) return;
    const payload = progressPayload(deviceId, progress);
    this.log(`${this.names.get(jobId) ?? jobId}: epoch ${payload.epoch} loss ${payload.loss} acc ${payload.acc}`);
  }

  log(line: string): void {
    this.stream.write(`${line}\n`);
  }

  stop(): void {}
}

function progressPayload(deviceId: string, progress: TrainProgress): Partial<BarPayload> {
  const accuracy = progress.testAccuracy ?? progress.trainAccuracy;
  return {
    device: shortDevice(deviceId),
    epoch: String(progress.epoch + 1),
    loss: Number.isFinite(progress.loss) ? progress.loss.toFixed(3) : String(progress.loss),
    acc: `${accuracy.toFixed(3)}${progress.testAccuracy === undefined ? ' train' : ' test'}`,
  };
}

function shortDevice(deviceId: string): string {
  return deviceId.slice(0, 8).padEnd(8);
}
