// How `jobs watch` shows its jobs: live cli-progress bars on a terminal, one line per change otherwise (logs, CI),
// and a closing summary line per job in both cases.
import cliProgress from 'cli-progress';
import type { JobWatchView, WatchedJob } from './job-watch.js';
import { formatMetric, shortId } from './format.js';
import { clip } from './table.js';

const NAME_WIDTH = 18;
const DEVICE_WIDTH = 12;
const NOTE_WIDTH = 50;

/** The fields shown for one job, shared by the bar and line views. */
export interface WatchFields {
  readonly label: string;
  readonly state: string;
  readonly device: string;
  readonly epoch: string;
  readonly step: number;
  readonly totalSteps: number;
  readonly loss: string;
  readonly accuracy: string;
  /** Why a queued job waits, or why a job failed. */
  readonly note: string;
}

export function watchFields(entry: WatchedJob): WatchFields {
  const { job, progress, result } = entry;
  const epochs = job.spec?.epochs;
  const totalSteps = progress?.totalSteps ?? 0;
  const testAccuracy = result?.testAccuracy ?? progress?.testAccuracy;
  let note = '';
  if (job.state === 'queued' && job.waitingReason) note = `waiting: ${job.waitingReason}`;
  else if (job.state === 'failed') note = result?.error || job.waitingReason || '';
  return {
    label: job.name ? `${shortId(job.id)} ${job.name}` : shortId(job.id),
    state: job.attempt > 1 ? `${job.state} (try ${job.attempt})` : job.state,
    device: entry.deviceName ?? (job.deviceId ? shortId(job.deviceId) : '-'),
    epoch: progress ? `${progress.epoch + 1}${epochs ? `/${epochs}` : ''}` : '-',
    // A finished job's bar is full even when its last report came a few steps before the end.
    step: job.state === 'succeeded' && totalSteps > 0 ? totalSteps : (progress?.step ?? 0),
    totalSteps,
    loss: formatMetric(progress?.loss),
    accuracy:
      testAccuracy !== undefined && testAccuracy >= 0
        ? `${formatMetric(progress?.trainAccuracy)} (test ${formatMetric(testAccuracy)})`
        : formatMetric(progress?.trainAccuracy),
    note,
  };
}

/** cli-progress MultiBar, one bar per job, redrawn in place. */
export class ProgressBarWatchView implements JobWatchView {
  private readonly multiBar: cliProgress.MultiBar;
  private readonly bars = new Map<string, cliProgress.SingleBar>();

  constructor(stream: NodeJS.WritableStream = process.stderr) {
    this.multiBar = new cliProgress.MultiBar(
      {
        format:
          '{label}  {state}  {device} [{bar}] ep {epoch}  {steps}  loss {loss}  acc {accuracy}  {note}',
        stream,
        hideCursor: true,
        clearOnComplete: false,
        stopOnComplete: false,
        barsize: 20,
      },
      cliProgress.Presets.shades_classic,
    );
  }

  update(jobs: readonly WatchedJob[]): void {
    for (const entry of jobs) {
      const fields = watchFields(entry);
      const payload = {
        ...fields,
        label: clip(fields.label, NAME_WIDTH).padEnd(NAME_WIDTH),
        state: fields.state.padEnd(9),
        device: clip(fields.device, DEVICE_WIDTH).padEnd(DEVICE_WIDTH),
        note: clip(fields.note, NOTE_WIDTH),
        steps: fields.totalSteps > 0 ? `${fields.step}/${fields.totalSteps}` : '-',
      };
      const total = Math.max(1, fields.totalSteps);
      let bar = this.bars.get(entry.job.id);
      if (!bar) {
        bar = this.multiBar.create(total, 0, payload);
        this.bars.set(entry.job.id, bar);
      }
      bar.setTotal(total);
      bar.update(Math.min(fields.step, total), payload);
    }
  }

  stop(): void {
    this.multiBar.stop();
  }
}

/** Without a terminal: a line whenever a job's state, attempt or epoch changes. */
export class LineWatchView implements JobWatchView {
  private readonly lastShown = new Map<string, string>();

  constructor(private readonly print: (line: string) => void) {}

  update(jobs: readonly WatchedJob[]): void {
    for (const entry of jobs) {
      const fields = watchFields(entry);
      const key = `${fields.state}|${fields.epoch}`;
      if (this.lastShown.get(entry.job.id) === key) continue;
      this.lastShown.set(entry.job.id, key);
      this.print(formatWatchLine(fields));
    }
  }

  stop(): void {}
}

export function formatWatchLine(fields: WatchFields): string {
  const parts = [fields.label, fields.state, `device ${fields.device}`];
  if (fields.epoch !== '-') {
    parts.push(`epoch ${fields.epoch}`, `step ${fields.step}/${fields.totalSteps}`, `loss ${fields.loss}`, `acc ${fields.accuracy}`);
  }
  if (fields.note) parts.push(fields.note);
  return parts.join('  ');
}

/** The closing line for one job: outcome plus test accuracy and density, or the reason it did not succeed. */
export function formatWatchSummary(entry: WatchedJob): string {
  const { job, result } = entry;
  const label = job.name ? `${job.id} (${job.name})` : job.id;
  if (job.state === 'succeeded') {
    const metrics = result
      ? `test accuracy ${formatMetric(result.testAccuracy)}, density ${formatMetric(result.finalDensity)}`
      : 'no result recorded';
    return `${label}: succeeded, ${metrics}`;
  }
  const reason = result?.error || job.waitingReason;
  return `${label}: ${job.state}${reason ? ` (${reason})` : ''}`;
}
