// Child-process entry of the accuracy benchmark: trains one row (bench/support/accuracy-plan.ts) and reports its
// progress and result to the parent over IPC (./accuracy-ipc.ts). After every epoch but the last it writes a
// checkpoint and a small state file beside it (FLOPs, wall time and per-epoch accuracy so far); a row started
// again after its process was killed resumes from that epoch and ends as an uninterrupted run would.
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { CheckpointRestoreError } from '../../client/src/engine/checkpoint/types.js';
import { DATASET_INFO } from '../../client/src/engine/data/types.js';
import { runTraining } from '../../client/src/engine/train/run.js';
import type { TrainProgress } from '../../client/src/engine/train/types.js';
import { trainConfigFor } from './accuracy-plan.js';
import type { RowJob, RowMessage, RowRecord } from './accuracy-ipc.js';
import { TrainingFlops } from './training-flops.js';

const PROGRESS_EVERY_STEPS = 10;

/** What the run had done at its last checkpoint, beyond what the checkpoint itself holds. */
interface RowState {
  readonly epoch: number;
  readonly step: number;
  readonly flops: number;
  readonly wallMs: number;
  readonly epochTestAccuracy: readonly number[];
}

const statePath = (job: RowJob) => `${job.checkpointPath}.json`;

async function writeAtomically(path: string, bytes: Uint8Array | string): Promise<void> {
  await writeFile(`${path}.tmp`, bytes);
  await rename(`${path}.tmp`, path);
}

async function readSaved(job: RowJob): Promise<{ bytes: Uint8Array; state: RowState } | undefined> {
  try {
    const [bytes, state] = await Promise.all([readFile(job.checkpointPath), readFile(statePath(job), 'utf8')]);
    return { bytes: new Uint8Array(bytes), state: JSON.parse(state) as RowState };
  } catch {
    return undefined;
  }
}

async function removeSaved(job: RowJob): Promise<void> {
  await Promise.all([rm(job.checkpointPath, { force: true }), rm(statePath(job), { force: true })]);
}

async function trainRow(job: RowJob, send: (message: RowMessage) => void, resume: boolean): Promise<RowRecord> {
  const config = trainConfigFor(job.row, job.shared);
  const saved = resume ? await readSaved(job) : undefined;
  const info = DATASET_INFO[config.data.name];
  const flops = new TrainingFlops(config.model, info.inputShape, info.numClasses, config.batchSize, saved?.state);
  const epochTestAccuracy = [...(saved?.state.epochTestAccuracy ?? [])];
  const startedAt = performance.now();
  const onProgress = (progress: TrainProgress) => {
    flops.record(progress.step, progress.layers);
    if (progress.phase === 'evaluating' && progress.testAccuracy !== undefined) epochTestAccuracy.push(progress.testAccuracy);
    send({ kind: 'progress', step: progress.step, totalSteps: progress.totalSteps, epoch: progress.epoch });
  };
  const result = await runTraining(
    config,
    { onProgress, progressEverySteps: PROGRESS_EVERY_STEPS },
    {
      ...(saved === undefined ? {} : { resumeFrom: saved.bytes }),
      checkpoint: {
        everySteps: 0,
        onCheckpoint: async (bytes, at) => {
          const state: RowState = {
            epoch: at.epoch,
            step: flops.step,
            flops: flops.total,
            wallMs: (saved?.state.wallMs ?? 0) + performance.now() - startedAt,
            epochTestAccuracy,
          };
          await writeAtomically(job.checkpointPath, bytes);
          await writeAtomically(statePath(job), JSON.stringify(state));
        },
      },
    },
  );
  return {
    ...job.row,
    key: job.key,
    testAccuracy: result.testAccuracy,
    finalDensity: result.finalDensity,
    trainingFlops: flops.total,
    steps: result.steps,
    wallMs: (saved?.state.wallMs ?? 0) + performance.now() - startedAt,
    stepMsP50: result.stepMsP50,
    epochTestAccuracy,
    resumedAtEpoch: saved?.state.epoch ?? 0,
    dataSource: result.dataSource,
    finishedAt: new Date().toISOString(),
  };
}

async function runJob(job: RowJob, send: (message: RowMessage) => void): Promise<void> {
  let record: RowRecord;
  try {
    record = await trainRow(job, send, true);
  } catch (error) {
    // A checkpoint of another config (defaults changed since it was written): start the row over.
    if (!(error instanceof CheckpointRestoreError)) throw error;
    await removeSaved(job);
    record = await trainRow(job, send, false);
  }
  await removeSaved(job);
  send({ kind: 'done', record });
}

process.once('message', (job: RowJob) => {
  const send = (message: RowMessage) => process.send?.(message);
  runJob(job, send)
    .catch((error: unknown) => send({ kind: 'failed', message: error instanceof Error ? (error.stack ?? error.message) : String(error) }))
    .finally(() => process.disconnect?.());
});
