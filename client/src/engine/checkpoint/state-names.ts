// How the run's state is named inside a checkpoint. Names never include a model instance's variable scope
// (`mlp#3/…`), so a checkpoint restores into any fresh instance of the same model.
import type * as tf from '@tensorflow/tfjs';

/** Buffer entries holding a layer's captured dense gradient (MEST reads it at the next epoch start). */
export const GRADIENT_PREFIX = '@gradient/';

export function slotName(parameter: string, slot: string): string {
  return `${parameter}/${slot}`;
}

/** A non-trainable variable's name without the model scope: `mlp#3/bn1.running_mean` → `bn1.running_mean`. */
export function bufferName(variable: tf.Variable): string {
  const slash = variable.name.indexOf('/');
  return slash < 0 ? variable.name : variable.name.slice(slash + 1);
}

export function gradientName(layer: string): string {
  return `${GRADIENT_PREFIX}${layer}`;
}
