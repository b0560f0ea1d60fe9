// `campaign run --wait`: polls a campaign until it is no longer running and shows progress per device and per
// cell — cli-progress bars on a terminal, one line per change otherwise.
import cliProgress from 'cli-progress';
import type { CampaignApi, CampaignView, JobCounts } from './campaign-api.js';
import { formatCounts } from './campaign-view.js';
import { clip } from './table.js';

export interface CampaignWatchView {
  update(view: CampaignView): void;
  stop(): void;
}

export interface CampaignWatchOptions {
  readonly intervalMs?: number;
  readonly signal?: AbortSignal;
}

/** Resolves with the last view seen: the finished campaign, or the running one when the signal aborted. */
export async function watchCampaign(api: CampaignApi, id: string, display: CampaignWatchView, options: CampaignWatchOptions = {}): Promise<CampaignView> {
  const intervalMs = options.intervalMs ?? 1000;
  try {
    for (;;) {
      const view = await api.get(id);
      display.update(view);
      if (view.state !== 'running' || options.signal?.aborted) return view;
      await sleep(intervalMs, options.signal);
    }
  } finally {
    display.stop();
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

interface Track {
  readonly key: string;
  readonly label: string;
  readonly counts: JobCounts;
  readonly note: string;
}

/** One track per device, then one per cell. */
export function campaignTracks(view: CampaignView): Track[] {
  return [
    ...view.perDevice.map((device) => ({
      key: `device:${device.id}`,
      label: `device ${device.displayName}`,
      counts: device.counts,
      note: device.runningCell ? `running ${device.runningCell}` : '',
    })),
    ...view.cells.map((cell) => ({
      key: `cell:${cell.id}`,
      label: `cell ${cell.label}`,
      counts: cell.counts,
      note: cell.jobs.find((job) => job.state === 'queued')?.waitingReason ?? '',
    })),
  ];
}

function doneOf(counts: JobCounts): number {
  return counts.succeeded + counts.failed + counts.cancelled;
}

export class CampaignBarsView implements CampaignWatchView {
  private readonly multiBar: cliProgress.MultiBar;
  private readonly bars = new Map<string, cliProgress.SingleBar>();

  constructor(stream: NodeJS.WritableStream = process.stderr) {
    this.multiBar = new cliProgress.MultiBar(
      { format: '{label} [{bar}] {value}/{total}  {note}', hideCursor: true, clearOnComplete: false, stream, forceRedraw: true },
      cliProgress.Presets.shades_classic,
    );
  }

  update(view: CampaignView): void {
    for (const track of campaignTracks(view)) {
      const payload = { label: clip(track.label, 40).padEnd(40), note: clip(track.note, 50) };
      let bar = this.bars.get(track.key);
      if (!bar) {
        bar = this.multiBar.create(Math.max(1, track.counts.total), doneOf(track.counts), payload);
        this.bars.set(track.key, bar);
      }
      bar.setTotal(Math.max(1, track.counts.total));
      bar.update(doneOf(track.counts), payload);
    }
  }

  stop(): void {
    this.multiBar.stop();
  }
}

export class CampaignLinesView implements CampaignWatchView {
  private readonly last = new Map<string, string>();

  constructor(private readonly write: (line: string) => void) {}

  update(view: CampaignView): void {
    const overall = `campaign ${view.name}: ${view.state}, ${formatCounts(view.counts)}`;
    this.emit('campaign', overall);
    for (const track of campaignTracks(view)) {
      this.emit(track.key, `${track.label}: ${formatCounts(track.counts)}${track.note ? ` — ${track.note}` : ''}`);
    }
  }

  stop(): void {}

  private emit(key: string, line: string): void {
    if (this.last.get(key) === line) return;
    this.last.set(key, line);
    this.write(line);
  }
}
