// Runs the accuracy benchmark's rows, each in its own process (./accuracy-row.ts), at most `jobs` at a time, with a
// progress bar for the whole plan and one per running row (on a terminal; elsewhere one line per finished row).
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import cliProgress from 'cli-progress';
import type { RowJob, RowMessage, RowRecord } from './accuracy-ipc.js';
import { describeRow } from './accuracy-plan.js';

const ROW_ENTRY = fileURLToPath(new URL('./accuracy-row.js', import.meta.url));

export interface PoolOptions {
  readonly jobs: number;
  /** Called in the parent as each row finishes (the results file is written here). */
  onRecord(record: RowRecord): Promise<void>;
}

export interface PoolOutcome {
  readonly failed: readonly { readonly job: RowJob; readonly message: string }[];
}

interface RowView {
  update(step: number, totalSteps: number): void;
  finish(): void;
}

class ProgressView {
  private readonly multibar: cliProgress.MultiBar | undefined;
  private readonly overall: cliProgress.SingleBar | undefined;
  private done = 0;

  constructor(private readonly total: number) {
    if (!process.stderr.isTTY) return;
    this.multibar = new cliProgress.MultiBar(
      {
        stream: process.stderr,
        format: '{bar} {percentage}% | {value}/{total} {unit} | {label}',
        hideCursor: true,
        clearOnComplete: false,
      },
      cliProgress.Presets.shades_classic,
    );
    this.overall = this.multibar.create(total, 0, { unit: 'rows', label: 'all rows' });
  }

  startRow(job: RowJob): RowView {
    const bar = this.multibar?.create(1, 0, { unit: 'steps', label: describeRow(job.row) });
    return {
      update: (step, totalSteps) => {
        bar?.setTotal(totalSteps);
        bar?.update(step);
      },
      finish: () => {
        if (bar) this.multibar?.remove(bar);
      },
    };
  }

  rowEnded(job: RowJob, outcome: string): void {
    this.done += 1;
    this.overall?.update(this.done);
    const line = `[${this.done}/${this.total}] ${describeRow(job.row)}: ${outcome}`;
    if (this.multibar) this.multibar.log(`${line}\n`);
    else process.stderr.write(`${line}\n`);
  }

  stop(): void {
    this.multibar?.stop();
  }
}

function runRow(job: RowJob, view: RowView): Promise<RowRecord> {
  return new Promise((resolve, reject) => {
    const child = fork(ROW_ENTRY, [], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    let settled = false;
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    child.on('message', (message: RowMessage) => {
      if (message.kind === 'progress') view.update(message.step, message.totalSteps);
      else if (message.kind === 'done') {
        settled = true;
        resolve(message.record);
      } else {
        settled = true;
        reject(new Error(message.message));
      }
    });
    child.on('exit', (code, signal) => {
      if (!settled) reject(new Error(`row process exited (${signal ?? `code ${code}`}) without a result: ${stderr.trim()}`));
    });
    child.send(job);
  });
}

export async function runRows(jobs: readonly RowJob[], options: PoolOptions): Promise<PoolOutcome> {
  const view = new ProgressView(jobs.length);
  const failed: { job: RowJob; message: string }[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length) {
      const job = jobs[next++];
      const rowView = view.startRow(job);
      try {
        const record = await runRow(job, rowView);
        await options.onRecord(record);
        view.rowEnded(job, `${(record.testAccuracy * 100).toFixed(2)} % in ${(record.wallMs / 1000).toFixed(0)} s`);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        failed.push({ job, message });
        view.rowEnded(job, `FAILED: ${message.split('\n')[0]}`);
      } finally {
        rowView.finish();
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(options.jobs, jobs.length)) }, worker));
  } finally {
    view.stop();
  }
  return { failed };
}
