// Shape inference over a plan: every weight layer with its shape and output size, the batch-norm channels, the
// parameter count and the values a training step keeps per example. Pure arithmetic; the catalog lists the maskable
// layers from it and the memory estimate sizes a job with it.
import { convShape, layerSize, linearShape, type LayerShape } from '../../sparse/types.js';
import { isMaskable, walkNodes, type PlanNode } from './plan.js';

export interface PlanInput {
  readonly height: number;
  readonly width: number;
  readonly channels: number;
}

export interface PlanLayer {
  readonly name: string;
  readonly shape: LayerShape;
  /** Conv/linear layers the sparse engine masks; false for depthwise convs (kept dense, see blocks.ts). */
  readonly maskable: boolean;
  readonly depthwise: boolean;
  readonly stride: number;
  readonly padding: number;
  readonly bias: boolean;
  /** Output values per example (out · H_out · W_out, or out for a linear layer). */
  readonly outputValues: number;
}

export interface PlanSummary {
  /** Every conv and linear layer, in registration order. */
  readonly layers: readonly PlanLayer[];
  /** Channels of every BatchNorm together (each has γ, β, running mean and running variance). */
  readonly batchNormChannels: number;
  /** Trainable values: weights, biases, BatchNorm γ and β (what PyTorch's parameters() counts). */
  readonly parameterCount: number;
  /**
   * Values per example that a training step keeps for the backward pass: the output of every op (conv, BN, whose
   * normalised input is kept too, activation, pool, residual sum, linear).
   */
  readonly activationValues: number;
  /** The largest single op output per example (a backward step holds its incoming and outgoing gradient). */
  readonly largestActivation: number;
  readonly output: PlanInput;
  /** The first layer whose output would be empty for this input size (the network needs a larger input). */
  readonly emptyAt?: string;
}

interface State {
  height: number;
  width: number;
  channels: number;
}

export function summarizePlan(nodes: readonly PlanNode[], input: PlanInput): PlanSummary {
  const layers: PlanLayer[] = [];
  let batchNormChannels = 0;
  let activationValues = 0;
  let largestActivation = 0;
  let emptyAt: string | undefined;
  const record = (values: number) => {
    activationValues += values;
    largestActivation = Math.max(largestActivation, values);
  };

  const run = (list: readonly PlanNode[], start: State): State => {
    let state = { ...start };
    for (const node of list) {
      const size = () => state.height * state.width * state.channels;
      switch (node.op) {
        case 'conv': {
          if (node.in !== state.channels) throw new RangeError(`${node.name}: expects ${node.in} channels, gets ${state.channels}`);
          const height = windowOutput(state.height, node.kernel, node.stride, node.padding);
          const width = windowOutput(state.width, node.kernel, node.stride, node.padding);
          if ((height < 1 || width < 1) && emptyAt === undefined) emptyAt = node.name;
          state = { height: Math.max(0, height), width: Math.max(0, width), channels: node.out };
          const shape = convShape(node.out, node.depthwise ? 1 : node.in, node.kernel, node.kernel);
          layers.push({
            name: node.name,
            shape,
            maskable: isMaskable(node),
            depthwise: node.depthwise,
            stride: node.stride,
            padding: node.padding,
            bias: node.bias,
            outputValues: size(),
          });
          record(size());
          break;
        }
        case 'linear':
          if (node.in !== state.channels || state.height * state.width !== 1) {
            throw new RangeError(`${node.name}: expects ${node.in} features, gets ${state.height}x${state.width}x${state.channels}`);
          }
          state = { height: 1, width: 1, channels: node.out };
          layers.push({
            name: node.name,
            shape: linearShape(node.out, node.in),
            maskable: true,
            depthwise: false,
            stride: 1,
            padding: 0,
            bias: node.bias,
            outputValues: node.out,
          });
          record(node.out);
          break;
        case 'bn':
          if (node.channels !== state.channels) throw new RangeError(`${node.name}: expects ${node.channels} channels, gets ${state.channels}`);
          batchNormChannels += node.channels;
          record(2 * size());
          break;
        case 'relu':
        case 'relu6':
          record(size());
          break;
        case 'maxpool': {
          const height = windowOutput(state.height, node.kernel, node.stride, node.padding);
          const width = windowOutput(state.width, node.kernel, node.stride, node.padding);
          if ((height < 1 || width < 1) && emptyAt === undefined) emptyAt = `max-pool after ${layers.at(-1)?.name ?? 'the input'}`;
          state = { ...state, height: Math.max(0, height), width: Math.max(0, width) };
          record(size());
          break;
        }
        case 'gap':
          state = { height: 1, width: 1, channels: state.channels };
          record(size());
          break;
        case 'residual': {
          const pre = run(node.pre, state);
          const main = run(node.body, pre);
          const source = node.shortcutFromPre ? pre : state;
          const skip = node.shortcut === 'identity' ? source : run(node.shortcut, source);
          if (main.channels !== skip.channels || main.height !== skip.height || main.width !== skip.width) {
            throw new RangeError(`residual sum of ${describe(main)} and ${describe(skip)}`);
          }
          state = main;
          record(size());
          state = run(node.post, state);
          break;
        }
      }
    }
    return state;
  };

  const output = run(nodes, { ...input });
  let parameterCount = 2 * batchNormChannels;
  for (const layer of layers) parameterCount += layerSize(layer.shape) + (layer.bias ? layer.shape.out : 0);
  return {
    layers,
    batchNormChannels,
    parameterCount,
    activationValues,
    largestActivation,
    output,
    ...(emptyAt === undefined ? {} : { emptyAt }),
  };
}

/** Output length of a k-window with stride s and symmetric padding p (PyTorch's floor rule). */
function windowOutput(length: number, kernel: number, stride: number, padding: number): number {
  return Math.floor((length + 2 * padding - kernel) / stride) + 1;
}

function describe(state: State): string {
  return `${state.height}x${state.width}x${state.channels}`;
}

/** Every node of a plan that carries a name (weights and BatchNorms), for uniqueness checks. */
export function namedNodes(nodes: readonly PlanNode[]): string[] {
  const names: string[] = [];
  for (const node of walkNodes(nodes)) if ('name' in node) names.push(node.name);
  return names;
}
