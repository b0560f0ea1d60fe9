// The engine's pure federated helpers as the coordinator uses them (through the engine's spec entry): decoding of
// models and client updates, their validation, and the round's aggregation. Kept in one module so the rest of
// server/src/federated/ speaks in encoded bytes and plain results.
import {
  aggregateRound,
  decodeClientUpdate,
  decodeSparseSet,
  encodeSparseSet,
  validateUpdate,
  type FederatedClientUpdate,
  type ServerOptimizerOptions,
  type SparseTensorSet,
} from '../../../client/src/engine/spec.js';
import type { FederatedJobSpec } from './federated-spec.js';

export type { FederatedClientUpdate, SparseTensorSet };

export function decodeModel(bytes: Uint8Array): SparseTensorSet {
  return decodeSparseSet(bytes);
}

/** The client's update, or a sentence saying why it cannot be aggregated into `global` in round `round`. */
export function checkUpdate(
  global: SparseTensorSet,
  body: Uint8Array,
  spec: Pick<FederatedJobSpec, 'maskMode'>,
  round: number,
): { readonly update: FederatedClientUpdate } | { readonly problem: string } {
  let update: FederatedClientUpdate;
  try {
    update = decodeClientUpdate(body, { maskReference: global });
  } catch (error) {
    return { problem: `the update does not decode: ${error instanceof Error ? error.message : String(error)}` };
  }
  const problem = validateUpdate(global, update, { maskMode: spec.maskMode, round });
  return problem ? { problem: `${problem.code}: ${problem.message}` } : { update };
}

export interface AggregatedRound {
  /** The next round's model, encoded. */
  readonly model: Uint8Array;
  readonly serverState: string | null;
  readonly stats: Record<string, number>;
  readonly maskChanges: { readonly layers: number; readonly swapped: number };
}

/** Aggregates the round's accepted updates into the next global model (server optimizer state in and out as text). */
export function aggregate(
  global: SparseTensorSet,
  updates: readonly FederatedClientUpdate[],
  spec: Pick<FederatedJobSpec, 'maskMode' | 'serverOptimizer' | 'consensusFraction'>,
  serverState: string | null,
): AggregatedRound {
  const result = aggregateRound(global, updates, {
    maskMode: spec.maskMode,
    serverOptimizer: serverOptimizerOf(spec.serverOptimizer),
    ...(serverState ? { serverState: decodeSparseSet(Buffer.from(serverState, 'base64')) } : {}),
    ...(spec.maskMode === 'consensus' ? { consensus: { fraction: spec.consensusFraction } } : {}),
  });
  const swapped = result.maskChanges.reduce((sum, change) => sum + change.pruned.length, 0);
  return {
    model: encodeSparseSet(result.model, { dtype: 'f32' }),
    serverState: result.serverState ? Buffer.from(encodeSparseSet(result.serverState, { dtype: 'f32' })).toString('base64') : null,
    stats: { ...result.stats },
    maskChanges: { layers: result.maskChanges.length, swapped },
  };
}

function serverOptimizerOf(options: FederatedJobSpec['serverOptimizer']): ServerOptimizerOptions {
  const { kind, ...rest } = options;
  return { kind, ...rest } as ServerOptimizerOptions;
}
