// The kernel memory of one model. The runtime's arena is a bump allocator, so it is laid out in two regions:
//   persistent: every compressed layer's kernel (index structures + value mirror), rebuilt together, from the
//               layers' positions, whenever any layer's positions changed (mask updates only);
//   per pass:   activations and gradients of one forward/backward pass, released when the next pass begins.
// Model.forward calls beginPass(); a backward must run before the next forward (tf.variableGrads does).
import type { KernelRuntime } from '../../kernels/runtime.js';
import type { MaskedWeight } from '../masked-weight.js';
import type { CompressedStorage } from '../storage/compressed-storage.js';
import { LayerBinding } from './binding.js';
import type { KernelSegment } from './segment.js';

export class KernelContext {
  private readonly bindings: LayerBinding[] = [];
  private persistentTop: number | undefined;
  private pass = 0;
  private rebuilds = 0;

  constructor(readonly runtime: KernelRuntime) {}

  /**
   * The segment that is the whole network (its input is the network's, its output the logits), when one is: then a
   * training step can run entirely in kernel memory (KernelSegment.trainingPass).
   */
  wholeNetwork: KernelSegment | undefined;

  bind(weight: MaskedWeight, storage: CompressedStorage): LayerBinding {
    const binding = new LayerBinding(weight, storage);
    this.bindings.push(binding);
    this.persistentTop = undefined;
    return binding;
  }

  get layers(): readonly LayerBinding[] {
    return this.bindings;
  }

  /** Starts a forward pass: rebuilds kernels whose layer changed, frees the previous pass. Returns the pass id. */
  beginPass(): number {
    if (this.persistentTop === undefined || this.bindings.some((binding) => binding.stale)) this.rebuild();
    this.runtime.release(this.persistentTop as number);
    this.pass += 1;
    return this.pass;
  }

  /** The id of the pass in progress (0 before the first). */
  get currentPass(): number {
    return this.pass;
  }

  /** Throws when `pass` is no longer the current pass (its buffers were reused). */
  assertPass(pass: number): void {
    if (pass !== this.pass) throw new Error(`kernel pass ${pass} was superseded by pass ${this.pass}; run backward before the next forward`);
  }

  /** How many times the persistent region was rebuilt (once at the start, then once per changed mask). */
  get rebuildCount(): number {
    return this.rebuilds;
  }

  /** Bytes of the kernel module's linear memory (it only grows). */
  get heapBytes(): number {
    return this.runtime.raw.memory.buffer.byteLength;
  }

  /** Bytes of the persistent region: every layer's kernel structures and value mirror. */
  get persistentBytes(): number {
    return this.bindings.reduce((sum, binding) => sum + binding.kernelBytes, 0);
  }

  private rebuild(): void {
    this.runtime.reset();
    for (const binding of this.bindings) binding.build(this.runtime);
    this.persistentTop = this.runtime.mark();
    this.rebuilds += 1;
  }
}
