// A run of consecutive modules (sparse linear/conv layers, ReLU, 2×2 max-pool, flatten) executed as one tfjs op on
// the WASM kernels. Activations stay batch-innermost in kernel memory from the segment's input to its output; the
// only layout changes are at its two borders. tf.customGrad gives autodiff the segment's gradient: dX (when the
// input is not network input) plus, for every layer, the gradient of its compressed values (SDDMM, length nnz)
// and of its bias.
import * as tf from '@tensorflow/tfjs';
import type { KernelRuntime, WasmF32 } from '../../kernels/runtime.js';
import type { MaskedWeight } from '../masked-weight.js';
import type { ForwardContext, Module } from '../module.js';
import type { Parameter } from '../parameter.js';
import { activationOfTensor, describeActivation, tensorFromKernelLayout, toKernelLayout, type ActivationShape } from './activations.js';
import type { KernelContext } from './context.js';
import type { OpRecord, SegmentOp } from './ops.js';
import { tensorFromKernel, transientValues } from './tensor-values.js';

type SegmentFunction = (...inputs: tf.Tensor[]) => tf.Tensor;

/** A parameter of a training pass in kernel memory: its values (updated in place) and gradient there. */
export interface KernelParameter {
  readonly variable: tf.Variable;
  readonly values: WasmF32;
  readonly gradient: WasmF32;
}

export interface KernelTrainingPass {
  readonly loss: number;
  /** Per-example correctness (1/0) of the forward pass, in batch order. */
  readonly correct: Int32Array;
  /** Every parameter of the segment, in the order of its ops' inputs. */
  readonly parameters: readonly KernelParameter[];
  /** Copies the values updated in kernel memory back into the parameters' variables. */
  commit(): void;
}

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

  get runtime(): KernelRuntime {
    return this.context.runtime;
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

  /**
   * Forward, mean softmax cross-entropy and backward in kernel memory, with no tfjs op or tape: for a segment that is
   * the whole network (its input needs no gradient) and ends in the logits. The parameters' gradients and current
   * values stay in kernel memory for an optimizer to update in place (valid until the next pass begins).
   */
  trainingPass(x: tf.Tensor, labels: Int32Array): KernelTrainingPass {
    if (this.inputGradient) throw new Error('a training pass in kernel memory needs a segment that starts the network');
    this.context.beginPass();
    const rt = this.context.runtime;
    const { records, output, shape, batch } = this.forwardInKernel(x);
    if (!shape.flat || shape.height * shape.width !== 1) throw new RangeError(`the segment ends in ${describeActivation(shape)}, not logits`);
    if (labels.length !== batch) throw new RangeError(`${labels.length} labels for a batch of ${batch}`);
    const labelBuffer = rt.uploadI32(labels);
    const correct = rt.allocI32(batch);
    const loss = rt.raw.softmaxCrossEntropy(shape.channels, batch, output.ptr, labelBuffer.ptr, output.ptr, correct.ptr);
    const correctCopy = rt.i32(correct).slice();
    const { grads } = this.backwardInKernel(records, output);
    const parameters: KernelParameter[] = [];
    this.ops.forEach((op, i) => {
      const inputs = op.inputs();
      const values = records[i].values;
      inputs.forEach((input, k) => parameters.push({ variable: input as tf.Variable, values: values[k], gradient: grads[i][k] }));
    });
    return {
      loss,
      correct: correctCopy,
      parameters,
      commit: () => this.ops.forEach((op, i) => op.commitValues(rt, records[i].values)),
    };
  }

  private forwardInKernel(x: tf.Tensor): { records: OpRecord[]; output: WasmF32; shape: ActivationShape; batch: number } {
    const rt = this.context.runtime;
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
    return { records, output: activation, shape, batch };
  }

  /** Parameter gradients per op (one buffer per input), and dX when the segment input needs it. */
  private backwardInKernel(records: readonly OpRecord[], dy: WasmF32): { grads: WasmF32[][]; dx: WasmF32 | undefined } {
    let gradient: WasmF32 | undefined = dy;
    let rowSums: WasmF32 | undefined;
    const grads: WasmF32[][] = this.ops.map(() => []);
    for (let i = this.ops.length - 1; i >= 0 && gradient !== undefined; i--) {
      const result = records[i].backward(gradient, this.needsInput[i], rowSums);
      grads[i] = result.grads;
      gradient = this.needsInput[i] ? result.dx : undefined;
      rowSums = result.dxRowSums;
    }
    return { grads, dx: gradient };
  }

  private execute(inputs: tf.Tensor[]): { value: tf.Tensor; gradFunc: (dy: tf.Tensor | tf.Tensor[]) => tf.Tensor[] } {
    const [x] = inputs;
    const rt = this.context.runtime;
    const pass = this.context.currentPass;
    const { shape: inputShape } = activationOfTensor(x);
    const { records, output, shape: outputShape, batch } = this.forwardInKernel(x);
    const value = tensorFromKernelLayout(rt, output, outputShape, batch);
    const gradFunc = (dy: tf.Tensor | tf.Tensor[]): tf.Tensor[] => {
      this.context.assertPass(pass);
      const upstream = Array.isArray(dy) ? dy[0] : dy;
      const { grads, dx: inputGradient } = this.backwardInKernel(records, toKernelLayout(rt, transientValues(upstream), outputShape, batch));
      const paramGrads: tf.Tensor[] = [];
      let next = 1;
      this.ops.forEach((op, i) => {
        const count = op.inputs().length;
        for (let k = 0; k < count; k++, next++) paramGrads.push(tensorFromKernel(rt, grads[i][k], inputs[next].shape));
      });
      // zerosLike fills in the backend's memory; tf.zeros would build (and upload) a JS array of the input's size.
      const dx = this.inputGradient && inputGradient !== undefined ? tensorFromKernelLayout(rt, inputGradient, inputShape, batch) : tf.zerosLike(x);
      return [dx, ...paramGrads];
    };
    return { value, gradFunc };
  }
}
