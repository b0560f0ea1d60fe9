// Mean softmax cross-entropy and per-example correctness.
import * as tf from '@tensorflow/tfjs';

export function crossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const numClasses = logits.shape[1];
    const oneHot = tf.oneHot(labels, numClasses).toFloat();
    return tf.neg(tf.mean(tf.sum(tf.mul(oneHot, tf.logSoftmax(logits)), 1))) as tf.Scalar;
  });
}

/** 1 where argmax(logits) equals the label. */
export function correctness(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Tensor1D {
  return tf.tidy(() => tf.cast(tf.equal(tf.argMax(logits, 1), labels), 'int32') as tf.Tensor1D);
}
