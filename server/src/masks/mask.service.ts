// The masks jobs report: pieces applied idempotently, each update rebuilt layer by layer and checked against the
// sender's checksums, stored as it arrived (full masks every K updates and at an attempt's start, pruned/grown
// deltas between them: the smaller of bitmap and index list is already the compression), its churn and ITOP
// exploration rate computed once, when it is applied. Reads rebuild a mask from the last update that was full
// for every layer, so a lookup replays at most K − 1 deltas per layer.
//
// An update that cannot be rebuilt (a change without its base, or a result whose CRC-32 differs from the sender's)
// is recorded as 'diverged' without layers and answered with full_mask_needed: the agent sends its next update in
// full and the chain continues from there. Who may send a piece is checked by MaskHandlers before it lands here.
import { Inject, Injectable, Optional } from '@nestjs/common';
import { CLOCK, clockDate, realClock, type Clock } from '../common/clock.js';
import {
  ErrorCode,
  MAX_MASK_CHUNK_BYTES,
  MaskCodecError,
  MaskReconstructionError,
  ProtocolFault,
  crc32,
  decodeMaskUpdate,
  countActiveBits,
  encodeFullMask,
  encodeMaskSnapshot,
  fullLayerMask,
  isFullLayerMask,
  joinBodyChunks,
  maskChecksum,
  reconstructLayerMask,
  type InitialMask,
  type LayerMask,
  type MaskFetchResponse,
  type MaskUpdate,
  type MaskUpdateAck,
  type MaskUpdateChunk,
} from '../../../protocol/src/index.js';
import type { Insertable } from 'kysely';
import type { MaskLayerTable } from '../storage/database.schema.js';
import { fromBase64, pieceDigest, pieceProblem, toBase64 } from '../common/stored-pieces.js';
import { MaskRepository, type MaskLayerRow, type MaskUpdateRow, type UpdateKey } from './mask.repository.js';
import { advanceHistory, entryAt, timelineOf, type LayerMasks, type MaskHistoryState, type MaskMetrics } from './mask-timeline.js';

const CHUNK_TYPE = 'sparsefleet.v1.MaskUpdateChunk';
/** Largest encoded MaskUpdate accepted (a ResNet-50's bitmaps are ~3 MiB). */
export const MAX_MASK_UPDATE_BYTES = 256 * 1024 * 1024;
const MASK_PIECE_LIMITS = { maxBodyBytes: MAX_MASK_UPDATE_BYTES, maxPieceBytes: MAX_MASK_CHUNK_BYTES, bodyName: 'update' };
const SNAPSHOT_CACHE_ENTRIES = 4;
const HISTORY_CACHE_ENTRIES = 64;

export interface LayerMaskView {
  readonly layer: string;
  readonly shape: number[];
  readonly size: number;
  readonly active: number;
  readonly density: number;
  /** CRC-32 of the layer's bitmap (hex). */
  readonly checksum: string;
  /** The smaller of the two: a bitmap (one bit per weight, LSB first) or the delta-varint list of active indices. */
  readonly encoding: 'bitmap' | 'indices';
  readonly data: string;
}

export interface MaskAtView {
  readonly jobId: string;
  /** The step asked for and the step of the update in force there. */
  readonly step: number;
  readonly updateStep: number;
  readonly attempt: number;
  readonly updateIndex: number;
  readonly epoch: number;
  readonly active: number;
  readonly total: number;
  readonly density: number;
  readonly layers: LayerMaskView[];
}

export interface MaskStatsEntry {
  readonly attempt: number;
  readonly updateIndex: number;
  readonly step: number;
  readonly epoch: number;
  readonly active: number;
  readonly total: number;
  readonly density: number;
  readonly pruned: number | null;
  readonly grown: number | null;
  /** Fraction of the active weights that changed since the previous mask (null for the first). */
  readonly churn: number | null;
  readonly everActive: number | null;
  /** ITOP exploration rate: fraction of the weights ever active so far. */
  readonly itopRate: number | null;
  readonly storedBytes: number;
}

export interface MaskStatsView {
  readonly jobId: string;
  readonly updates: MaskStatsEntry[];
  /** Updates that could not be rebuilt (the agent was asked for full masks). */
  readonly diverged: { attempt: number; updateIndex: number; step: number; reason: string }[];
  readonly storedBytes: number;
}

/** A mask lookup that has no answer; `kind` tells the REST layer which status fits. */
export class MaskLookupError extends Error {
  constructor(
    readonly kind: 'no-masks' | 'before-first',
    message: string,
  ) {
    super(message);
    this.name = 'MaskLookupError';
  }
}

/** The maskable layers a job's model has, to compare with a stored mask. */
export interface LayerLayout {
  readonly name: string;
  readonly shape: readonly number[];
}

export type InitialMaskRefusal = { readonly ok: false; readonly issue: string };
export type InitialMaskResolution = { readonly ok: true; readonly initialMask: InitialMask } | InitialMaskRefusal;

interface CachedHistory {
  readonly attempt: number;
  readonly updateIndex: number;
  readonly state: MaskHistoryState;
}

@Injectable()
export class MaskService {
  /** Per job, the masks and ever-active union at its latest applied update (a miss replays from the store). */
  private readonly history = new Map<string, CachedHistory>();
  private readonly snapshots = new Map<string, { bytes: Uint8Array; checksum: number }>();
  private readonly jobLocks = new Map<string, Promise<unknown>>();

  constructor(
    private readonly masks: MaskRepository,
    @Optional() @Inject(CLOCK) private readonly clock: Clock = realClock,
  ) {}

  /** Stores a piece; once every piece of its update is in, rebuilds, checks and records the update. */
  async applyChunk(chunk: MaskUpdateChunk, now = clockDate(this.clock)): Promise<MaskUpdateAck> {
    const problem = pieceProblem(chunk, MASK_PIECE_LIMITS);
    if (problem !== undefined) throw invalid(problem);
    const key: UpdateKey = { jobId: chunk.jobId, attempt: chunk.attempt, updateIndex: chunk.updateIndex };
    const digest = pieceDigest(chunk);
    const inserted = await this.masks.insertChunk({
      job_id: chunk.jobId,
      attempt: chunk.attempt,
      update_index: chunk.updateIndex,
      chunk_index: chunk.chunkIndex,
      chunk_count: chunk.chunkCount,
      total_bytes: chunk.totalBytes,
      checksum: chunk.checksum,
      digest,
      data: toBase64(chunk.data),
      received_at: now.toISOString(),
    });
    if (!inserted) {
      const stored = await this.masks.findChunk(key, chunk.chunkIndex);
      if (stored && stored.digest !== digest) {
        throw new ProtocolFault(ErrorCode.ERROR_CODE_CONFLICT, `a different piece ${chunk.chunkIndex} of mask update ${chunk.updateIndex} was stored; the first one is kept`, CHUNK_TYPE);
      }
    }
    return this.serialized(chunk.jobId, () => this.completeUpdate(key, chunk.chunkCount, now));
  }

  private async completeUpdate(key: UpdateKey, chunkCount: number, now: Date): Promise<MaskUpdateAck> {
    const recorded = await this.masks.findUpdate(key);
    if (recorded) return ackFor(recorded);
    // Counted first: reading every stored piece's data on each arrival would cost the square of the piece count.
    if ((await this.masks.countChunks(key)) < chunkCount) return { complete: false, fullMaskNeeded: false, reason: '' };
    const chunks = await this.masks.listChunks(key);
    if (chunks.length < chunkCount) return { complete: false, fullMaskNeeded: false, reason: '' };
    const first = chunks[0];
    if (chunks.some((c) => c.chunk_count !== first.chunk_count || c.total_bytes !== first.total_bytes || c.checksum !== first.checksum)) {
      throw invalid(`the pieces of mask update ${key.updateIndex} disagree on their count, size or checksum`);
    }
    let update: MaskUpdate;
    try {
      const body = joinBodyChunks(
        chunks.map((c) => ({ chunkIndex: c.chunk_index, chunkCount: c.chunk_count, totalBytes: c.total_bytes, checksum: c.checksum, data: fromBase64(c.data ?? '') })),
      );
      update = decodeMaskUpdate(body);
    } catch (error) {
      throw invalid(`mask update ${key.updateIndex} does not decode: ${errorText(error)}`);
    }
    if (update.updateIndex !== key.updateIndex) throw invalid(`the body is update ${update.updateIndex}, its pieces say ${key.updateIndex}`);
    const names = new Set(update.layers.map((layer) => layer.layer));
    if (names.size !== update.layers.length) throw invalid(`mask update ${key.updateIndex} names a layer twice`);
    return this.record(key, update, now);
  }

  private async record(key: UpdateKey, update: MaskUpdate, now: Date): Promise<MaskUpdateAck> {
    const updates = await this.masks.listUpdates(key.jobId);
    const base = await this.baseFor(key, updates);
    let masks: Map<string, Uint8Array>;
    try {
      masks = new Map(update.layers.map((layer) => [layer.layer, reconstructLayerMask(layer, base?.get(layer.layer))]));
    } catch (error) {
      if (!(error instanceof MaskReconstructionError)) throw error;
      if (error.reason === 'malformed') throw invalid(error.message);
      const row = updateRow(key, update, now, { state: 'diverged', reason: error.message, allFull: false, storedBytes: 0 });
      await this.masks.insertUpdate(row, []);
      return { complete: true, fullMaskNeeded: true, reason: error.message };
    }
    const previous = await this.historyBefore(key, update.step, updates);
    const { state, metrics } = advanceHistory(previous, masks);
    const layers = update.layers.map((layer, position) => layerRow(key, layer, position));
    const storedBytes = update.layers.reduce((sum, l) => sum + l.data.length + l.pruned.length + l.grown.length, 0);
    const allFull = update.layers.every(isFullLayerMask);
    const row = updateRow(key, update, now, { state: 'applied', reason: null, allFull, storedBytes, metrics });
    if (await this.masks.insertUpdate(row, layers)) this.remember(key, state);
    return { complete: true, fullMaskNeeded: false, reason: '' };
  }

  /** The masks of the attempt's previous update, the base of this one's changes (none after a diverged update). */
  private async baseFor(key: UpdateKey, known: readonly MaskUpdateRow[]): Promise<LayerMasks | undefined> {
    const updates = known.filter((u) => u.attempt === key.attempt && u.update_index < key.updateIndex);
    const previous = updates.at(-1);
    if (!previous || previous.state !== 'applied') return undefined;
    const cached = this.history.get(key.jobId);
    if (cached && cached.attempt === key.attempt && cached.updateIndex === previous.update_index) return cached.state.masks;
    return this.rebuild(key.jobId, key.attempt, previous.update_index, updates);
  }

  /** The history state the new update follows on the job's timeline (undefined when it is the first mask). */
  private async historyBefore(key: UpdateKey, step: number, known: readonly MaskUpdateRow[]): Promise<MaskHistoryState | undefined> {
    const applied = known.filter((u) => u.state === 'applied').map(entryOf);
    const candidate = { attempt: key.attempt, updateIndex: key.updateIndex, step, isNew: true };
    const timeline = timelineOf([...applied.map((e) => ({ ...e, isNew: false })), candidate]);
    const position = timeline.findIndex((e) => e.isNew);
    const prior = position < 0 ? [] : timeline.slice(0, position);
    const last = prior.at(-1);
    if (!last) return undefined;
    const cached = this.history.get(key.jobId);
    if (cached && cached.attempt === last.attempt && cached.updateIndex === last.updateIndex) return cached.state;
    return this.replay(key.jobId, prior);
  }

  /** Replays timeline entries from the first: the masks at the last one and the union of all of them. */
  private async replay(jobId: string, entries: readonly { attempt: number; updateIndex: number }[]): Promise<MaskHistoryState | undefined> {
    let state: MaskHistoryState | undefined;
    const attempts = [...new Set(entries.map((e) => e.attempt))];
    for (const attempt of attempts) {
      const indices = entries.filter((e) => e.attempt === attempt).map((e) => e.updateIndex);
      const rows = await this.masks.listLayers(jobId, attempt, Math.min(...indices), Math.max(...indices));
      const wanted = new Set(indices);
      let current = new Map<string, Uint8Array>();
      for (const [index, layers] of groupByUpdate(rows)) {
        current = applyRows(current, layers);
        if (wanted.has(index)) state = advanceHistory(state, current).state;
      }
    }
    return state;
  }

  /** The masks of one applied update, rebuilt from the attempt's last update that was full for every layer. */
  private async rebuild(jobId: string, attempt: number, updateIndex: number, known?: readonly MaskUpdateRow[]): Promise<Map<string, Uint8Array>> {
    const updates = (known ?? (await this.masks.listUpdates(jobId))).filter(
      (u) => u.attempt === attempt && u.update_index <= updateIndex && u.state === 'applied',
    );
    const start = [...updates].reverse().find((u) => u.all_full === 1) ?? updates[0];
    const rows = await this.masks.listLayers(jobId, attempt, start?.update_index ?? updateIndex, updateIndex);
    let current = new Map<string, Uint8Array>();
    for (const [, layers] of groupByUpdate(rows)) current = applyRows(current, layers);
    return current;
  }

  /** The mask in force at `step`: the last update of the job's timeline at or before it. */
  async maskAt(jobId: string, step: number): Promise<MaskAtView> {
    const updates = await this.masks.listUpdates(jobId);
    const timeline = timelineOf(updates.filter((u) => u.state === 'applied').map((u) => ({ ...entryOf(u), row: u })));
    if (timeline.length === 0) throw new MaskLookupError('no-masks', `job ${jobId} has no stored masks`);
    const entry = entryAt(timeline, step);
    if (!entry) throw new MaskLookupError('before-first', `job ${jobId} has no mask at or before step ${step} (its first is at step ${timeline[0].step})`);
    const masks = await this.rebuild(jobId, entry.attempt, entry.updateIndex, updates);
    const shapes = await this.shapesOf(jobId, entry.attempt, entry.updateIndex);
    const layers = [...masks].map(([layer, mask]) => layerView(layer, shapes.get(layer) ?? [], mask));
    const active = layers.reduce((sum, l) => sum + l.active, 0);
    const total = layers.reduce((sum, l) => sum + l.size, 0);
    return {
      jobId,
      step,
      updateStep: entry.step,
      attempt: entry.attempt,
      updateIndex: entry.updateIndex,
      epoch: entry.row.epoch,
      active,
      total,
      density: total === 0 ? 0 : active / total,
      layers,
    };
  }

  /** Churn and ITOP rate per update of the job's timeline. */
  async stats(jobId: string): Promise<MaskStatsView> {
    return statsView(jobId, await this.masks.listUpdates(jobId));
  }

  /** Jobs among `jobIds` that stored masks, with their stats (campaign reports): one query per 500 jobs. */
  async statsOf(jobIds: readonly string[]): Promise<Map<string, MaskStatsView>> {
    const rows = await this.masks.listUpdatesOfJobs([...new Set(jobIds)]);
    const byJob = new Map<string, MaskUpdateRow[]>();
    for (const row of rows) {
      const list = byJob.get(row.job_id) ?? [];
      list.push(row);
      byJob.set(row.job_id, list);
    }
    const views = new Map<string, MaskStatsView>();
    for (const [jobId, updates] of byJob) {
      const view = statsView(jobId, updates);
      if (view.updates.length > 0) views.set(jobId, view);
    }
    return views;
  }

  /**
   * Which stored update a job asking for (sourceJob, step) starts from, checked against the new job's layers.
   * The caller has checked that the source job exists.
   */
  async resolveInitialMask(sourceJobId: string, step: number, layout: readonly LayerLayout[]): Promise<InitialMaskResolution> {
    const updates = await this.masks.listUpdates(sourceJobId);
    const timeline = timelineOf(updates.filter((u) => u.state === 'applied').map(entryOf));
    const entry = entryAt(timeline, step);
    if (!entry) {
      const issue = timeline.length === 0 ? `job ${sourceJobId} has no stored mask` : `job ${sourceJobId} has no stored mask at or before step ${step} (its first is at step ${timeline[0].step})`;
      return { ok: false, issue };
    }
    const shapes = await this.shapesOf(sourceJobId, entry.attempt, entry.updateIndex);
    const mismatch = layoutMismatch(shapes, layout);
    if (mismatch) return { ok: false, issue: `the mask of job ${sourceJobId} does not fit this model: ${mismatch}` };
    return {
      ok: true,
      initialMask: { jobId: sourceJobId, step, attempt: entry.attempt, updateIndex: entry.updateIndex, resolvedStep: entry.step },
    };
  }

  /** A piece (≤ 1 MiB) of the encoded MaskSnapshot a resolved initial mask names. */
  async snapshotPiece(jobId: string, initialMask: InitialMask, offset: number, length: number): Promise<MaskFetchResponse> {
    const snapshot = await this.snapshot(initialMask);
    if (offset > snapshot.bytes.length) throw invalid(`offset ${offset} is past the end (${snapshot.bytes.length} bytes)`, 'sparsefleet.v1.MaskFetchRequest');
    const wanted = length === 0 ? MAX_MASK_CHUNK_BYTES : Math.min(length, MAX_MASK_CHUNK_BYTES);
    const data = snapshot.bytes.slice(offset, offset + wanted);
    return { jobId, offset, totalBytes: snapshot.bytes.length, checksum: snapshot.checksum, data };
  }

  private async snapshot(initialMask: InitialMask): Promise<{ bytes: Uint8Array; checksum: number }> {
    const key = `${initialMask.jobId}|${initialMask.attempt}|${initialMask.updateIndex}`;
    const cached = this.snapshots.get(key);
    if (cached) return cached;
    const stored = await this.masks.findUpdate({ jobId: initialMask.jobId, attempt: initialMask.attempt, updateIndex: initialMask.updateIndex });
    if (!stored || stored.state !== 'applied') {
      throw new ProtocolFault(ErrorCode.ERROR_CODE_NOT_FOUND, `job ${initialMask.jobId} has no stored mask update ${initialMask.updateIndex}`, 'sparsefleet.v1.MaskFetchRequest');
    }
    const masks = await this.rebuild(initialMask.jobId, initialMask.attempt, initialMask.updateIndex);
    const shapes = await this.shapesOf(initialMask.jobId, initialMask.attempt, initialMask.updateIndex);
    const bytes = encodeMaskSnapshot({
      jobId: initialMask.jobId,
      attempt: initialMask.attempt,
      updateIndex: initialMask.updateIndex,
      step: stored.step,
      layers: [...masks].map(([name, mask]) => fullLayerMask({ name, shape: shapes.get(name) ?? [mask.length], mask })),
    });
    const entry = { bytes, checksum: crc32(bytes) };
    this.snapshots.set(key, entry);
    while (this.snapshots.size > SNAPSHOT_CACHE_ENTRIES) this.snapshots.delete(this.snapshots.keys().next().value!);
    return entry;
  }

  private async shapesOf(jobId: string, attempt: number, updateIndex: number): Promise<Map<string, number[]>> {
    const rows = await this.masks.listLayers(jobId, attempt, updateIndex, updateIndex);
    return new Map(rows.map((row) => [row.layer, JSON.parse(row.shape_json) as number[]]));
  }

  private remember(key: UpdateKey, state: MaskHistoryState): void {
    const cached = this.history.get(key.jobId);
    // Keep the furthest point of the attempt in progress (pieces of one job are applied one at a time).
    if (cached && cached.attempt === key.attempt && cached.updateIndex > key.updateIndex) return;
    this.history.delete(key.jobId);
    this.history.set(key.jobId, { attempt: key.attempt, updateIndex: key.updateIndex, state });
    while (this.history.size > HISTORY_CACHE_ENTRIES) this.history.delete(this.history.keys().next().value!);
  }

  /** Runs `work` after every earlier piece of the same job: updates of a job are applied in order, one at a time. */
  private serialized<T>(jobId: string, work: () => Promise<T>): Promise<T> {
    const previous = this.jobLocks.get(jobId) ?? Promise.resolve();
    const run = previous.then(work, work);
    const tail = run.catch(() => undefined);
    this.jobLocks.set(jobId, tail);
    void tail.then(() => {
      if (this.jobLocks.get(jobId) === tail) this.jobLocks.delete(jobId);
    });
    return run;
  }
}


function ackFor(row: MaskUpdateRow): MaskUpdateAck {
  return { complete: true, fullMaskNeeded: row.state === 'diverged', reason: row.reason ?? '' };
}

function entryOf(row: MaskUpdateRow): { attempt: number; updateIndex: number; step: number } {
  return { attempt: row.attempt, updateIndex: row.update_index, step: row.step };
}

function updateRow(
  key: UpdateKey,
  update: MaskUpdate,
  now: Date,
  outcome: { state: 'applied' | 'diverged'; reason: string | null; allFull: boolean; storedBytes: number; metrics?: MaskMetrics },
) {
  const { metrics } = outcome;
  return {
    job_id: key.jobId,
    attempt: key.attempt,
    update_index: key.updateIndex,
    step: update.step,
    epoch: update.epoch,
    state: outcome.state,
    reason: outcome.reason,
    all_full: outcome.allFull ? 1 : 0,
    active: metrics?.active ?? update.layers.reduce((sum, l) => sum + l.active, 0),
    total: metrics?.total ?? update.layers.reduce((sum, l) => sum + l.size, 0),
    pruned: metrics?.pruned ?? null,
    grown: metrics?.grown ?? null,
    churn: metrics?.churn ?? null,
    ever_active: metrics?.everActive ?? null,
    itop_rate: metrics?.itopRate ?? null,
    stored_bytes: outcome.storedBytes,
    received_at: now.toISOString(),
  };
}

function layerRow(key: UpdateKey, layer: LayerMask, position: number): Insertable<MaskLayerTable> {
  return {
    job_id: key.jobId,
    attempt: key.attempt,
    update_index: key.updateIndex,
    position,
    layer: layer.layer,
    shape_json: JSON.stringify(layer.shape),
    size: layer.size,
    active: layer.active,
    checksum: layer.checksum,
    form: layer.form,
    data: toBase64(layer.data),
    pruned: toBase64(layer.pruned),
    grown: toBase64(layer.grown),
  };
}

function rowToLayerMask(row: MaskLayerRow): LayerMask {
  return {
    layer: row.layer,
    shape: JSON.parse(row.shape_json) as number[],
    size: row.size,
    active: row.active,
    checksum: row.checksum,
    form: row.form,
    data: fromBase64(row.data),
    pruned: fromBase64(row.pruned),
    grown: fromBase64(row.grown),
  };
}

function groupByUpdate(rows: readonly MaskLayerRow[]): Map<number, MaskLayerRow[]> {
  const groups = new Map<number, MaskLayerRow[]>();
  for (const row of rows) {
    const list = groups.get(row.update_index) ?? [];
    list.push(row);
    groups.set(row.update_index, list);
  }
  return groups;
}

/** The masks after one stored update (its rows were verified when it was applied). */
function applyRows(current: ReadonlyMap<string, Uint8Array>, rows: readonly MaskLayerRow[]): Map<string, Uint8Array> {
  const next = new Map<string, Uint8Array>();
  for (const row of rows) next.set(row.layer, reconstructLayerMask(rowToLayerMask(row), current.get(row.layer)));
  return next;
}

function layerView(layer: string, shape: number[], mask: Uint8Array): LayerMaskView {
  const encoded = encodeFullMask(mask);
  const active = countActiveBits(mask);
  return {
    layer,
    shape,
    size: mask.length,
    active,
    density: mask.length === 0 ? 0 : active / mask.length,
    checksum: maskChecksum(mask).toString(16).padStart(8, '0'),
    encoding: encoded.encoding,
    data: toBase64(encoded.data),
  };
}

function statsView(jobId: string, updates: readonly MaskUpdateRow[]): MaskStatsView {
  const timeline = timelineOf(updates.filter((u) => u.state === 'applied').map((u) => ({ ...entryOf(u), row: u })));
  return {
    jobId,
    updates: timeline.map(({ row }) => statsEntry(row)),
    diverged: updates
      .filter((u) => u.state === 'diverged')
      .map((u) => ({ attempt: u.attempt, updateIndex: u.update_index, step: u.step, reason: u.reason ?? '' })),
    storedBytes: updates.reduce((sum, u) => sum + u.stored_bytes, 0),
  };
}

function statsEntry(row: MaskUpdateRow): MaskStatsEntry {
  return {
    attempt: row.attempt,
    updateIndex: row.update_index,
    step: row.step,
    epoch: row.epoch,
    active: row.active,
    total: row.total,
    density: row.total === 0 ? 0 : row.active / row.total,
    pruned: row.pruned,
    grown: row.grown,
    churn: row.churn,
    everActive: row.ever_active,
    itopRate: row.itop_rate,
    storedBytes: row.stored_bytes,
  };
}

/** What differs between a stored mask's layers and a model's, or undefined when they match. */
export function layoutMismatch(stored: ReadonlyMap<string, readonly number[]>, layout: readonly LayerLayout[]): string | undefined {
  const wanted = new Map(layout.map((layer) => [layer.name, layer.shape]));
  for (const [name, shape] of wanted) {
    const have = stored.get(name);
    if (!have) return `the model's layer ${name} has no stored mask`;
    if (have.join('x') !== shape.join('x')) return `layer ${name} is [${shape.join(', ')}] in this model, [${have.join(', ')}] in the stored mask`;
  }
  const extra = [...stored.keys()].filter((name) => !wanted.has(name));
  if (extra.length > 0) return `the stored mask has layers this model lacks (${extra.join(', ')})`;
  return undefined;
}


function invalid(message: string, type = CHUNK_TYPE): ProtocolFault {
  return new ProtocolFault(ErrorCode.ERROR_CODE_INVALID_PAYLOAD, message, type);
}

function errorText(error: unknown): string {
  return error instanceof MaskCodecError || error instanceof Error ? error.message : String(error);
}
