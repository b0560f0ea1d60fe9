// One compressed layer as the kernels see it: its kernel object (index structures and a mirror of the values in
// kernel memory), rebuilt from the layer's positions when they change, and the per-step refresh of the mirror from
// the trainable values variable (the optimizer updates that variable, so the mirror is copied once per update).
import { createConvKernel, type SparseConvKernel } from '../../kernels/conv.js';
import { createLinearKernel, type SparseLinearKernel } from '../../kernels/linear.js';
import type { KernelRuntime } from '../../kernels/runtime.js';
import type { MaskedWeight } from '../masked-weight.js';
import { buildCompressedFormat } from '../storage/compressed-format.js';
import type { CompressedStorage } from '../storage/compressed-storage.js';
import { assignFromKernel, transientValues } from './tensor-values.js';

export type LayerKernel = { readonly kind: 'linear'; readonly kernel: SparseLinearKernel } | { readonly kind: 'conv'; readonly kernel: SparseConvKernel };

export class LayerBinding {
  private built: LayerKernel | undefined;
  private builtVersion = -1;
  private mirroredData: object | undefined;
  private arenaBytes = 0;

  constructor(
    readonly weight: MaskedWeight,
    private readonly storage: CompressedStorage,
  ) {}

  /** The positions changed since the kernel was built (or it never was). */
  get stale(): boolean {
    return this.built === undefined || this.builtVersion !== this.storage.layoutVersion || this.weight.storage !== this.storage;
  }

  /** Kernel-memory bytes of this layer's structures and value mirror, as of the last build. */
  get kernelBytes(): number {
    return this.arenaBytes;
  }

  /** Bytes of the kernel's index structures held in JS memory (direct convs keep entry lists and offsets there). */
  get hostBytes(): number {
    return this.built?.kind === 'conv' ? this.built.kernel.hostBytes : 0;
  }

  get kernel(): LayerKernel {
    if (this.built === undefined) throw new Error(`${this.weight.name}: kernel not built`);
    return this.built;
  }

  /** (Re)creates the kernel in the runtime's persistent region; the caller has reset the arena. */
  build(rt: KernelRuntime): void {
    if (this.weight.storage !== this.storage) throw new Error(`${this.weight.name}: storage was replaced under its kernel`);
    const shape = this.weight.shape;
    const format = buildCompressedFormat(shape, this.storage.mask, { ...this.storage.preference, kind: this.storage.formatKind });
    if (format.kind !== this.storage.formatKind || format.matrix.values.length !== this.storage.activeCount) {
      throw new Error(`${this.weight.name}: rebuilt format ${format.kind} does not match the stored values`);
    }
    const before = rt.bytesInUse;
    this.built =
      shape.kind === 'linear'
        ? { kind: 'linear', kernel: createLinearKernel(rt, format) }
        : { kind: 'conv', kernel: createConvKernel(rt, format, { kh: shape.kh, kw: shape.kw }) };
    this.arenaBytes = rt.bytesInUse - before;
    this.builtVersion = this.storage.layoutVersion;
    this.mirroredData = undefined;
  }

  /** Copies the values variable into the kernel's mirror when the variable changed since the last copy. */
  refreshValues(rt: KernelRuntime): void {
    const variable = this.storage.variable;
    if (this.mirroredData === variable.dataId) return;
    rt.write(this.kernel.kernel.values, transientValues(variable));
    this.mirroredData = variable.dataId;
  }

  /** The mirror was updated in place (the optimizer in kernel memory): copies it into the values variable. */
  adoptMirror(rt: KernelRuntime): void {
    const variable = this.storage.variable;
    assignFromKernel(rt, variable, this.kernel.kernel.values);
    this.mirroredData = variable.dataId;
  }
}
