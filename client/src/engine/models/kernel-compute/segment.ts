// A run of consecutive modules (sparse linear/conv layers, ReLU, 2×2 max-pool, flatten) executed as one tfjs op on
// the WASM kernels. Activations stay batch-innermost in kernel memory from the segment's input to its output; the
// only layout changes are at its two borders. tf.customGrad gives autodiff the segment's gradient: dX (when the
// input is not network input) plus, for every layer, the gradient of its compressed values (SDDMM, length nnz)
// and of its bias.
import * as tf from '@tensorflow/tfjs';
import type { WasmF32 } from '../../kernels/runtime.js';
import type { MaskedWeight } from '../masked-weight.js';
import type { ForwardContext, Module } from '../module.js';
import type { Parameter } from '../parameter.js';
import { activationOfTensor, tensorFromKernelLayout, toKernelLayout, type ActivationShape } from './activations.js';
import type { KernelContext } from './context.js';
import type { OpRecord, SegmentOp } from './ops.js';
import { tensorFromKernel, transientValues } from './tensor-values.js';

type SegmentFunction = (...inputs: tf.Tensor[]) => tf.Tensor;

export class KernelSegment implements Module {
  private readonly run: SegmentFunction;
  /** needsInput[i]: op i must produce dX (an earlier op has parameters, or the segment input needs a gradient). */
  private readonly needsInput: boolean[];

  constructor(
    private readonly context: KernelContext,
    /** The modules this segment replaces (for parameters and masked weights). */
    readonly modules: readonly Module[],
    readonly ops: readonly SegmentOp[],
    private readonly inputGradient: boolean,
  ) {
    let paramsBefore = false;
    this.needsInput = ops.map((op) => {
      const needed = inputGradient || paramsBefore;
      paramsBefore ||= op.inputs().length > 0;
      return needed;
    });
    this.run = tf.customGrad((...args: unknown[]) => this.execute(args.slice(0, -1) as tf.Tensor[])) as unknown as SegmentFunction;
  }

  get label(): string {
    return this.ops.map((op) => op.label).join(' → ');
  }

  apply(x: tf.Tensor, _ctx: ForwardContext): tf.Tensor {
    return this.run(x, ...this.ops.flatMap((op) => op.inputs()));
  }

  parameters(): Parameter[] {
    return this.modules.flatMap((module) => module.parameters());
  }

  buffers(): tf.Variable[] {
    return this.modules.flatMap((module) => module.buffers());
  }

  maskedWeights(): MaskedWeight[] {
    return this.modules.flatMap((module) => module.maskedWeights());
  }

  private execute(inputs: tf.Tensor[]): { value: tf.Tensor; gradFunc: (dy: tf.Tensor | tf.Tensor[]) => tf.Tensor[] } {
    const [x] = inputs;
    const rt = this.context.runtime;
    const pass = this.context.currentPass;
    const { shape: inputShape, batch } = activationOfTensor(x);
    const state = { rt, batch };
    let activation = toKernelLayout(rt, transientValues(x), inputShape, batch);
    let shape: ActivationShape = inputShape;
    const records: OpRecord[] = [];
    for (const op of this.ops) {
      const record = op.forward(state, activation, shape);
      records.push(record);
      activation = record.output;
      shape = record.shape;
    }
    const outputShape = shape;
    const value = tensorFromKernelLayout(rt, activation, outputShape, batch);
    const gradFunc = (dy: tf.Tensor | tf.Tensor[]): tf.Tensor[] => {
      this.context.assertPass(pass);
      const upstream = Array.isArray(dy) ? dy[0] : dy;
      let gradient: WasmF32 | undefined = toKernelLayout(rt, transientValues(upstream), outputShape, batch);
      const grads: WasmF32[][] = this.ops.map(() => []);
      for (let i = this.ops.length - 1; i >= 0 && gradient !== undefined; i--) {
        const result = records[i].backward(gradient, this.needsInput[i]);
        grads[i] = result.grads;
        gradient = this.needsInput[i] ? result.dx : undefined;
      }
      const paramGrads: tf.Tensor[] = [];
      let next = 1;
      this.ops.forEach((op, i) => {
        const count = op.inputs().length;
        for (let k = 0; k < count; k++, next++) paramGrads.push(tensorFromKernel(rt, grads[i][k], inputs[next].shape));
      });
      // zerosLike fills in the backend's memory; tf.zeros would build (and upload) a JS array of the input's size.
      const dx =
        this.inputGradient && gradient !== undefined
          ? tensorFromKernelLayout(rt, gradient, inputShape, batch)
          : tf.zerosLike(x);
      return [dx, ...paramGrads];
    };
    return { value, gradFunc };
  }
}
