// Training-mode batch normalisation over every axis but the last, with an analytic gradient. tfjs's stock
// FusedBatchNorm gradient tiles the statistics to the input's shape, and Tile is very slow on wasm.
//   x̂ = (x − μ)·σ⁻¹,  y = γ·x̂ + β,  σ⁻¹ = 1/sqrt(var + ε) with the biased batch variance
//   dβ = Σ dy,  dγ = Σ dy·x̂,  dx = γ·σ⁻¹/N · (N·dy − dβ − x̂·dγ)
import * as tf from '@tensorflow/tfjs';

export interface BatchNormTrainingResult {
  readonly y: tf.Tensor;
  readonly mean: tf.Tensor1D;
  readonly variance: tf.Tensor1D;
}

function reductionAxes(rank: number): number[] {
  return Array.from({ length: rank - 1 }, (_, axis) => axis);
}

/** Statistics of the latest forward pass, handed out of the custom op (which returns one tensor) by side channel. */
let lastStatistics: { mean: tf.Tensor1D; variance: tf.Tensor1D } | undefined;

function makeOp(epsilon: number) {
  return tf.customGrad((...args: unknown[]) => {
    const [x, gamma, beta, save] = args as [tf.Tensor, tf.Tensor1D, tf.Tensor1D, tf.GradSaveFunc];
    const axes = reductionAxes(x.rank);
    const { mean, variance } = tf.moments(x, axes);
    const invStd = tf.rsqrt(tf.add(variance, epsilon));
    const normalized = tf.mul(tf.sub(x, mean), invStd);
    save([normalized, invStd, gamma]);
    lastStatistics = { mean: tf.keep(tf.clone(mean)) as tf.Tensor1D, variance: tf.keep(tf.clone(variance)) as tf.Tensor1D };
    return {
      value: tf.add(tf.mul(normalized, gamma), beta),
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const upstream = dy as tf.Tensor;
        const [xHat, inverse, scale] = saved;
        const count = upstream.size / upstream.shape[upstream.rank - 1];
        const dBeta = tf.sum(upstream, axes);
        const dGamma = tf.sum(tf.mul(upstream, xHat), axes);
        const centered = tf.sub(tf.sub(tf.mul(upstream, count), dBeta), tf.mul(xHat, dGamma));
        const dx = tf.mul(centered, tf.div(tf.mul(scale, inverse), count));
        return [dx, dGamma, dBeta];
      },
    };
  });
}

const ops = new Map<number, ReturnType<typeof makeOp>>();

/** y = γ·(x − μ_B)/sqrt(σ²_B + ε) + β over the batch (and spatial) axes; also returns μ_B and the biased σ²_B. */
export function batchNormTraining(x: tf.Tensor, gamma: tf.Tensor1D, beta: tf.Tensor1D, epsilon: number): BatchNormTrainingResult {
  let op = ops.get(epsilon);
  if (op === undefined) {
    op = makeOp(epsilon);
    ops.set(epsilon, op);
  }
  lastStatistics = undefined;
  const y = op(x, gamma, beta) as tf.Tensor;
  const statistics = lastStatistics as { mean: tf.Tensor1D; variance: tf.Tensor1D } | undefined;
  if (statistics === undefined) throw new Error('batch norm produced no statistics');
  lastStatistics = undefined;
  // Kept by the op; hand them to the caller's scope so its tidy disposes them.
  return { y, mean: untrack(statistics.mean), variance: untrack(statistics.variance) };
}

/** Move a kept tensor back under the current scope's disposal. */
function untrack<T extends tf.Tensor>(kept: T): T {
  const copy = tf.clone(kept);
  kept.dispose();
  return copy;
}
