// Training FLOPs of a run, counted the way RigL's paper does: a training step costs 3× the forward pass (forward,
// gradient w.r.t. the inputs, gradient w.r.t. the weights), and the forward pass of a maskable layer costs
// 2 × active weights × output positions per example (1 for a linear layer, H×W for a conv). The active counts
// come from the run's progress reports; each interval between two reports is charged at the later report's
// counts. Left out: biases, batch norm, activations and pooling, the dense gradients a method asks for on its
// update steps (RigL, MEST), and VRPGE's second forward pass per step.
import { maskableLayers, type InputShape, type ModelName } from '../../client/src/engine/models/catalog.js';
import { layerOutputValues } from '../../client/src/engine/memory/layer-outputs.js';
import type { LayerDensityReport } from '../../client/src/engine/train/types.js';

const TRAINING_PASSES = 3;

export class TrainingFlops {
  private readonly positions: ReadonlyMap<string, number>;
  private counted: number;
  private lastStep: number;

  /** `from`: what an earlier, interrupted part of the run already counted (step and FLOPs). */
  constructor(
    model: ModelName,
    input: InputShape,
    numClasses: number,
    private readonly batchSize: number,
    from: { readonly step: number; readonly flops: number } = { step: 0, flops: 0 },
  ) {
    const layers = maskableLayers(model, input, numClasses);
    const outputs = layerOutputValues(model, layers, input);
    this.positions = new Map(layers.map((layer, i) => [layer.name, outputs[i] / layer.shape.out]));
    this.counted = from.flops;
    this.lastStep = from.step;
  }

  /** Forward FLOPs of one example with these active counts. */
  forwardFlops(layers: readonly Pick<LayerDensityReport, 'layer' | 'active'>[]): number {
    let flops = 0;
    for (const layer of layers) {
      const positions = this.positions.get(layer.layer);
      if (positions === undefined) throw new RangeError(`no maskable layer named '${layer.layer}'`);
      flops += 2 * layer.active * positions;
    }
    return flops;
  }

  /** Charges the steps since the last report at these active counts. */
  record(step: number, layers: readonly Pick<LayerDensityReport, 'layer' | 'active'>[]): void {
    if (step <= this.lastStep) return;
    this.counted += (step - this.lastStep) * this.batchSize * TRAINING_PASSES * this.forwardFlops(layers);
    this.lastStep = step;
  }

  get total(): number {
    return this.counted;
  }

  get step(): number {
    return this.lastStep;
  }
}
