// Reading a float32 tfjs tensor on its way into kernel memory. dataSync() returns a fresh copy, which the caller then
// copies again into kernel memory: for a segment's input (128×784 floats for the MLP) that is a JS allocation of the
// input's size per step. tfjs-backend-wasm exposes a tensor's bytes in its own heap (typedArrayFromHeap, a public
// method of its backend), so there the values are read in place; every other backend takes dataSync().
import * as tf from '@tensorflow/tfjs';

interface HeapBackend {
  typedArrayFromHeap(info: { shape: number[]; dtype: tf.DataType; dataId: object }): Float32Array;
}

function hasHeapView(backend: unknown): backend is HeapBackend {
  return typeof (backend as Partial<HeapBackend>).typedArrayFromHeap === 'function';
}

/**
 * The values of a float32 tensor, valid only until the next tfjs call (a view into the wasm backend's heap, which
 * may move when it grows): copy them into kernel memory straight away.
 */
export function transientValues(tensor: tf.Tensor): Float32Array {
  if (tensor.dtype !== 'float32') throw new TypeError(`expected a float32 tensor, got ${tensor.dtype}`);
  const backend = tf.backend();
  if (hasHeapView(backend)) return backend.typedArrayFromHeap({ shape: tensor.shape, dtype: tensor.dtype, dataId: tensor.dataId });
  return tensor.dataSync() as Float32Array;
}
