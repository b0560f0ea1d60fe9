// Which examples of the loaded training split each client trains on. A pure function of (labels, spec), so the
// coordinator and every client agree without exchanging index lists; shards are disjoint and cover the split.
//   - 'iid': one seeded shuffle of all positions, cut into `clients` near-equal parts.
//   - 'dirichlet': per class, a seeded shuffle of its positions cut by proportions drawn from Dirichlet(α, …, α)
//     over the clients (Hsu et al. 2019); small α gives each client few classes. Draws are repeated (with the next
//     derived generator) until every client has at least min(10, ⌊n / (2 × clients)⌋) examples, at most 100 times.
import { createRng, shuffleInPlace, type Rng } from '../util/rng.js';
import type { PartitionSpec } from './contract.js';

const MAX_DRAWS = 100;
const MIN_SHARD = 10;

/** The client's positions into `labels`, increasing. Throws RangeError for an invalid spec. */
export function partitionExamples(labels: ArrayLike<number>, spec: PartitionSpec): Uint32Array {
  return partitionAll(labels, spec)[spec.clientIndex];
}

/** Every client's positions (index = client), each increasing. */
export function partitionAll(labels: ArrayLike<number>, spec: PartitionSpec): Uint32Array[] {
  checkSpec(spec);
  const root = createRng(spec.seed).derive(`federated-partition/${spec.kind}`);
  const shards = spec.kind === 'iid' ? iidShards(labels.length, spec.clients, root) : dirichletShards(labels, spec, root);
  return shards.map((shard) => Uint32Array.from(shard).sort());
}

function checkSpec(spec: PartitionSpec): void {
  if (!Number.isInteger(spec.clients) || spec.clients < 1) throw new RangeError(`clients must be a positive integer, got ${spec.clients}`);
  if (!Number.isInteger(spec.clientIndex) || spec.clientIndex < 0 || spec.clientIndex >= spec.clients) {
    throw new RangeError(`clientIndex ${spec.clientIndex} is outside 0..${spec.clients - 1}`);
  }
  if (spec.kind === 'dirichlet' && !(spec.alpha !== undefined && Number.isFinite(spec.alpha) && spec.alpha > 0)) {
    throw new RangeError(`a dirichlet partition needs alpha > 0, got ${spec.alpha}`);
  }
}

function iidShards(count: number, clients: number, rng: Rng): number[][] {
  const order = shuffleInPlace(Array.from({ length: count }, (_, i) => i), rng);
  return Array.from({ length: clients }, (_, client) => order.slice(Math.floor((client * count) / clients), Math.floor(((client + 1) * count) / clients)));
}

function dirichletShards(labels: ArrayLike<number>, spec: PartitionSpec, root: Rng): number[][] {
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const members = byClass.get(labels[i]) ?? [];
    members.push(i);
    byClass.set(labels[i], members);
  }
  const classes = [...byClass.keys()].sort((a, b) => a - b);
  const minimum = Math.min(MIN_SHARD, Math.floor(labels.length / (2 * spec.clients)));
  let shards: number[][] = [];
  for (let draw = 0; draw < MAX_DRAWS; draw++) {
    const rng = root.derive(draw);
    shards = Array.from({ length: spec.clients }, () => []);
    for (const label of classes) {
      const members = shuffleInPlace([...byClass.get(label)!], rng.derive(`class/${label}`));
      const proportions = dirichlet(spec.clients, spec.alpha!, rng.derive(`proportions/${label}`));
      let start = 0;
      let cumulative = 0;
      proportions.forEach((share, client) => {
        cumulative += share;
        const end = client === spec.clients - 1 ? members.length : Math.round(cumulative * members.length);
        for (let i = start; i < end; i++) shards[client].push(members[i]);
        start = Math.max(start, end);
      });
    }
    if (shards.every((shard) => shard.length >= minimum)) break;
  }
  return shards;
}

/** One draw from a symmetric Dirichlet(α): normalised Gamma(α, 1) samples. */
function dirichlet(size: number, alpha: number, rng: Rng): number[] {
  const draws = Array.from({ length: size }, () => gamma(alpha, rng));
  const total = draws.reduce((sum, value) => sum + value, 0);
  return total === 0 ? draws.map(() => 1 / size) : draws.map((value) => value / total);
}

/** Gamma(shape, 1) by Marsaglia–Tsang; shapes below 1 via Gamma(shape + 1) × U^(1/shape). */
function gamma(shape: number, rng: Rng): number {
  if (shape < 1) {
    let u = rng.next();
    while (u === 0) u = rng.next();
    return gamma(shape + 1, rng) * u ** (1 / shape);
  }
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = rng.normal();
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = rng.next();
    if (u < 1 - 0.0331 * x ** 4) return d * v;
    if (u > 0 && Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}
