// The few blocks the seed networks are built from, as plan fragments (./plan.ts) named as in the reference code:
//   convBnAct         conv → BN → ReLU/ReLU6 (VGG features, ResNet and MobileNetV2 stems, MobileNetV2 ConvBNReLU)
//   basicBlock        torchvision ResNet BasicBlock: conv1 3×3(s) bn1 relu conv2 3×3 bn2 (+ downsample.0 1×1(s), .1) relu
//   bottleneck        torchvision ResNet Bottleneck (v1.5: the stride sits on the 3×3 conv2): conv1 1×1, conv2 3×3(s),
//                     conv3 1×1 (×4), downsample.0/.1, relu after the sum
//   wrnBlock          Wide-ResNet pre-activation block as DSB's models.py names it: bn1 relu conv0 3×3(s) bn2 relu
//                     conv1 3×3, plus conv2 1×1(s) on the pre-activated input when the width changes
//   invertedResidual  torchvision MobileNetV2 InvertedResidual: conv.0 (1×1 expand ConvBNReLU6, when t ≠ 1), a 3×3
//                     depthwise ConvBNReLU6, a 1×1 linear projection + BN; identity shortcut when stride 1 and in = out.
//
// Depthwise convolutions are kept dense and are not maskable layers (no profile can name them, ERK leaves them out).
// Why: a depthwise filter has only k·k weights per channel (≈2% of MobileNetV2's weights, ≈7% of its multiply-adds),
// pruning it removes whole spatial taps of a single channel with no neighbour to compensate, and the sparse kernels
// have no grouped-conv path, so masking them would save almost no memory and no time while costing accuracy. RigL
// does the same: its MobileNetV2 (rigl/imagenet_resnet/mobilenetv2_model.py) builds the depthwise convs as plain
// separable convs that are never pruned. They train dense on every backend
// (backend/depthwise-gradient.ts supplies the gradient tfjs-wasm lacks) and each run's result lists them as dense.
import type { BatchNormNode, ConvNode, PlanNode, ResidualNode } from './plan.js';

export interface ConvOptions {
  readonly stride?: number;
  readonly bias?: boolean;
  readonly depthwise?: boolean;
}

/** A k×k conv with PyTorch's "same-size" padding ⌊k/2⌋ (3×3 → 1, 1×1 → 0, 7×7 → 3). */
export function conv(name: string, inChannels: number, outChannels: number, kernel: number, options: ConvOptions = {}): ConvNode {
  const depthwise = options.depthwise ?? false;
  if (depthwise && inChannels !== outChannels) throw new RangeError(`${name}: a depthwise conv keeps its ${inChannels} channels`);
  return {
    op: 'conv',
    name,
    in: inChannels,
    out: outChannels,
    kernel,
    stride: options.stride ?? 1,
    padding: Math.floor(kernel / 2),
    depthwise,
    bias: options.bias ?? false,
  };
}

export function batchNorm(name: string, channels: number): BatchNormNode {
  return { op: 'bn', name, channels };
}

export const relu: PlanNode = { op: 'relu' };
export const relu6: PlanNode = { op: 'relu6' };

/** conv `convName` → BN `bnName` → activation. */
export function convBnAct(
  convName: string,
  bnName: string,
  inChannels: number,
  outChannels: number,
  kernel: number,
  options: ConvOptions & { readonly activation?: 'relu' | 'relu6' } = {},
): PlanNode[] {
  return [conv(convName, inChannels, outChannels, kernel, options), batchNorm(bnName, outChannels), options.activation === 'relu6' ? relu6 : relu];
}

/** torchvision's downsample (1×1 conv with the block's stride + BN) when the block changes shape, else identity. */
function downsample(prefix: string, inChannels: number, outChannels: number, stride: number): ResidualNode['shortcut'] {
  if (stride === 1 && inChannels === outChannels) return 'identity';
  return [conv(`${prefix}.downsample.0`, inChannels, outChannels, 1, { stride }), batchNorm(`${prefix}.downsample.1`, outChannels)];
}

export function basicBlock(prefix: string, inChannels: number, planes: number, stride: number): ResidualNode {
  return {
    op: 'residual',
    pre: [],
    body: [
      conv(`${prefix}.conv1`, inChannels, planes, 3, { stride }),
      batchNorm(`${prefix}.bn1`, planes),
      relu,
      conv(`${prefix}.conv2`, planes, planes, 3),
      batchNorm(`${prefix}.bn2`, planes),
    ],
    shortcut: downsample(prefix, inChannels, planes, stride),
    shortcutFromPre: false,
    post: [relu],
  };
}

export const BOTTLENECK_EXPANSION = 4;

export function bottleneck(prefix: string, inChannels: number, planes: number, stride: number): ResidualNode {
  const out = planes * BOTTLENECK_EXPANSION;
  return {
    op: 'residual',
    pre: [],
    body: [
      conv(`${prefix}.conv1`, inChannels, planes, 1),
      batchNorm(`${prefix}.bn1`, planes),
      relu,
      conv(`${prefix}.conv2`, planes, planes, 3, { stride }),
      batchNorm(`${prefix}.bn2`, planes),
      relu,
      conv(`${prefix}.conv3`, planes, out, 1),
      batchNorm(`${prefix}.bn3`, out),
    ],
    shortcut: downsample(prefix, inChannels, out, stride),
    shortcutFromPre: false,
    post: [relu],
  };
}

/** DSB's WRNBasicBlock (dropout left out, see networks.ts). */
export function wrnBlock(prefix: string, inChannels: number, outChannels: number, stride: number): ResidualNode {
  const equalInOut = inChannels === outChannels;
  return {
    op: 'residual',
    pre: [batchNorm(`${prefix}.bn1`, inChannels), relu],
    body: [
      conv(`${prefix}.conv0`, inChannels, outChannels, 3, { stride }),
      batchNorm(`${prefix}.bn2`, outChannels),
      relu,
      conv(`${prefix}.conv1`, outChannels, outChannels, 3),
    ],
    // As in DSB: the 1×1 shortcut exists only when the width changes (WRN stages change width whenever they stride).
    shortcut: equalInOut ? 'identity' : [conv(`${prefix}.conv2`, inChannels, outChannels, 1, { stride })],
    shortcutFromPre: !equalInOut,
    post: [],
  };
}

/** `features.<index>` of MobileNetV2: an InvertedResidual (residual node when it has the identity shortcut). */
export function invertedResidual(prefix: string, inChannels: number, outChannels: number, stride: number, expandRatio: number): PlanNode[] {
  const hidden = Math.round(inChannels * expandRatio);
  const layers: PlanNode[] = [];
  let index = 0;
  if (expandRatio !== 1) {
    layers.push(...convBnAct(`${prefix}.conv.0.0`, `${prefix}.conv.0.1`, inChannels, hidden, 1, { activation: 'relu6' }));
    index += 1;
  }
  layers.push(
    ...convBnAct(`${prefix}.conv.${index}.0`, `${prefix}.conv.${index}.1`, hidden, hidden, 3, { stride, depthwise: true, activation: 'relu6' }),
    conv(`${prefix}.conv.${index + 1}`, hidden, outChannels, 1),
    batchNorm(`${prefix}.conv.${index + 2}`, outChannels),
  );
  if (stride === 1 && inChannels === outChannels) {
    return [{ op: 'residual', pre: [], body: layers, shortcut: 'identity', shortcutFromPre: false, post: [] }];
  }
  return layers;
}
