// Float32 values crossing between tfjs tensors and kernel memory. dataSync() returns a fresh copy, which the caller
// then copies again into kernel memory, and tf.tensor(values) takes a JS array, which callers fill from kernel memory
// first: two copies and a JS allocation each way (for a segment's input, 128×784 floats per MLP step).
// tfjs-backend-wasm exposes a tensor's bytes in its own heap and allocates outputs there (typedArrayFromHeap and
// makeOutput, public methods of its backend), so there values move in one copy between the two heaps; every other
// backend takes dataSync() and tf.tensor of a copy (the 'cpu' backend keeps the array it is given).
import * as tf from '@tensorflow/tfjs';
import type { KernelRuntime, WasmF32 } from '../../kernels/runtime.js';

interface HeapBackend {
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array;
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
}

function hasHeapView(backend: unknown): backend is HeapBackend {
  const candidate = backend as Partial<HeapBackend>;
  return typeof candidate.typedArrayFromHeap === 'function' && typeof candidate.makeOutput === 'function';
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

/** A new float32 tensor of `shape` holding a copy of a kernel-memory buffer. */
export function tensorFromKernel(rt: KernelRuntime, buffer: WasmF32, shape: number[]): tf.Tensor {
  const size = shape.reduce((product, dim) => product * dim, 1);
  if (size !== buffer.length) throw new RangeError(`a tensor of shape [${shape.join(', ')}] cannot hold ${buffer.length} values`);
  const backend = tf.backend();
  if (!hasHeapView(backend)) return tf.tensor(rt.read(buffer), shape, 'float32');
  const info = backend.makeOutput(shape, 'float32');
  backend.typedArrayFromHeap(info).set(rt.f32(buffer));
  return tf.engine().makeTensorFromTensorInfo(info, backend as unknown as tf.KernelBackend);
}

/** variable ← a copy of a kernel-memory buffer (no tfjs op: one allocation and one copy on the wasm backend). */
export function assignFromKernel(rt: KernelRuntime, variable: tf.Variable, buffer: WasmF32): void {
  const next = tensorFromKernel(rt, buffer, variable.shape);
  variable.assign(next);
  next.dispose();
}
