// Server optimizers over the round's mean client delta Δ (the pseudo-gradient, Reddi et al. 2021): FedAvg
// (new = global + lr Δ), FedAvgM (v ← μ v + Δ; new = global + lr v) and FedAdam (m ← β1 m + (1−β1) Δ;
// v ← β2 v + (1−β2) Δ²; new = global + lr m / (√v + τ), no bias correction, as the paper's algorithm). They act
// on trainable tensors only, and only at positions some client covered this round; buffers (BN statistics) take
// the mean delta as it is. The state persists as a SparseTensorSet of full-size tensors named `<slot>/<tensor>`.
import type { ServerOptimizerOptions, ServerOptimizerState, SparseTensorKind } from './contract.js';

const DEFAULTS = {
  fedavg: { lr: 1 },
  fedavgm: { lr: 1, momentum: 0.9 },
  fedadam: { lr: 0.1, beta1: 0.9, beta2: 0.99, tau: 1e-3 },
} as const;

const SLOT_NAMES = ['m', 'v'] as const;

/** One tensor's round: its mean delta at every position and which positions any client covered. */
export interface TensorRound {
  readonly name: string;
  readonly kind: SparseTensorKind;
  readonly meanDelta: Float32Array;
  readonly covered: Uint8Array;
}

export class ServerOptimizer {
  private readonly slots = new Map<string, Float32Array>();

  constructor(
    private readonly options: ServerOptimizerOptions,
    state?: ServerOptimizerState,
  ) {
    for (const tensor of state?.tensors ?? []) this.slots.set(tensor.name, Float32Array.from(tensor.values));
  }

  /** The change to add to the global tensor at every position (0 where nothing was covered). */
  step(round: TensorRound): Float32Array {
    const { meanDelta, covered } = round;
    const step = new Float32Array(meanDelta.length);
    if (round.kind === 'buffer') {
      for (let i = 0; i < step.length; i++) if (covered[i] !== 0) step[i] = meanDelta[i];
      return step;
    }
    const options = this.options;
    switch (options.kind) {
      case 'fedavg': {
        const lr = options.lr ?? DEFAULTS.fedavg.lr;
        for (let i = 0; i < step.length; i++) if (covered[i] !== 0) step[i] = lr * meanDelta[i];
        return step;
      }
      case 'fedavgm': {
        const lr = options.lr ?? DEFAULTS.fedavgm.lr;
        const momentum = options.momentum ?? DEFAULTS.fedavgm.momentum;
        const velocity = this.slot('v', round);
        for (let i = 0; i < step.length; i++) {
          if (covered[i] === 0) continue;
          velocity[i] = momentum * velocity[i] + meanDelta[i];
          step[i] = lr * velocity[i];
        }
        return step;
      }
      case 'fedadam': {
        const { lr, beta1, beta2, tau } = { ...DEFAULTS.fedadam, ...options };
        const first = this.slot('m', round);
        const second = this.slot('v', round);
        for (let i = 0; i < step.length; i++) {
          if (covered[i] === 0) continue;
          const delta = meanDelta[i];
          first[i] = beta1 * first[i] + (1 - beta1) * delta;
          second[i] = beta2 * second[i] + (1 - beta2) * delta * delta;
          step[i] = (lr * first[i]) / (Math.sqrt(second[i]) + tau);
        }
        return step;
      }
    }
  }

  /** Zeroes every slot of `tensor` at `positions` (pruned or grown this round: their history no longer applies). */
  reset(tensor: string, positions: Iterable<number>): void {
    const slots = SLOT_NAMES.map((slot) => this.slots.get(`${slot}/${tensor}`)).filter((values) => values !== undefined);
    for (const position of positions) for (const values of slots) values[position] = 0;
  }

  /** undefined for plain FedAvg (it keeps nothing). */
  state(): ServerOptimizerState | undefined {
    if (this.slots.size === 0) return undefined;
    return { tensors: [...this.slots.entries()].map(([name, values]) => ({ name, kind: 'dense', shape: [values.length], values: Float32Array.from(values) })) };
  }

  private slot(slot: string, round: TensorRound): Float32Array {
    const name = `${slot}/${round.name}`;
    let values = this.slots.get(name);
    if (values === undefined || values.length !== round.meanDelta.length) {
      values = new Float32Array(round.meanDelta.length);
      this.slots.set(name, values);
    }
    return values;
  }
}
