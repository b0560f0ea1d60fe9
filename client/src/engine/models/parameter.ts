// Trainable parameters of the module system and the optimizer-slot access that masked weights need.
import * as tf from '@tensorflow/tfjs';

export interface Parameter {
  /** PyTorch-style name, e.g. `layer1.0.conv1.weight`, `fc.bias`, `bn1.gamma`. */
  readonly name: string;
  readonly variable: tf.Variable;
  /** Whether weight decay applies (conv/linear weights only; never biases or BatchNorm). */
  readonly decay: boolean;
}

/** What a masked weight needs from the optimizer: tfjs's own optimizers hide their slots, ours expose them. */
export interface OptimizerSlots {
  /** First moment in the variable's tf layout (SGD momentum, Adam m / (sqrt(v) + 1e-8)); undefined before any step. */
  firstMoment(variable: tf.Variable): Float32Array | undefined;
  /** Multiply every slot of `variable` by `keep` (0/1, variable's shape): zeroes slots where keep is 0. */
  maskSlots(variable: tf.Variable, keep: tf.Tensor): void;
  /**
   * Replace every slot of `variable` (matched by name, so a variable re-created under the same name keeps its
   * slots) by a gathered copy: slot'[j] = from[j] < 0 ? 0 : slot[from[j]] over the flat slot. The new slots have
   * `variable`'s current shape; used when a compressed layer's value order changes at a mask update.
   */
  remapSlots(variable: tf.Variable, from: Int32Array): void;
}

let modelCounter = 0;

/** tfjs variable names are global; every model instance gets its own prefix so several can coexist. */
export function nextModelScope(model: string): string {
  modelCounter += 1;
  return `${model}#${modelCounter}`;
}

export function createVariable(scope: string, name: string, values: Float32Array, shape: number[], trainable = true): tf.Variable {
  const initial = tf.tensor(values, shape, 'float32');
  try {
    return tf.variable(initial, trainable, `${scope}/${name}`);
  } finally {
    initial.dispose();
  }
}
