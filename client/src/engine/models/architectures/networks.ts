// The seed networks as plans, each named as in the reference code the seeds ran, so that per-layer profiles written
// for that code apply as they are:
//   wrn-D-K        DSB's WideResNet (models.py): `net0_block0_conv0`, `net{1,2,3}.layer.{i}.conv{0,1}` (3×3),
//                  `net{g}.layer.0.conv2` (1×1 shortcut when the width changes), final `bn1`, `fc`. Dropout (DSB: 0.3)
//                  is left out: the engine has no dropout module yet.
//   vgg16          DSB's `vgg-d` (SNIP's VGG-D with BN): torchvision-style `features.N` (conv, BN and ReLU take one
//                  index each, a max-pool one), classifier `classifier.{0,3,6}` (Linear, ReLU, BatchNorm1d ×2, Linear).
//   vgg19          MEST's / GraNet's GraSP-style VGG-19-BN (vgg_grasp.py): convs `features.0, 3, 7, 10, 14, … 49` (no
//                  pool after the last stage), one `classifier` Linear.
//                  Both VGGs pool the last feature map globally before the classifier: on 32×32 inputs that is exactly
//                  the reference's flatten of a 1×1 map (VGG-16) or AvgPool2d(2) of a 2×2 map (VGG-19), and it keeps
//                  the classifier's width for other input sizes.
//   resnet18/34/50 torchvision naming (`conv1`, `bn1`, `layer{1..4}.{i}.conv{1,2,3}`, `….downsample.{0,1}`, `fc`), as
//                  GraNet's ImageNet ResNet-50. Stem by name: `resnetNN` has the CIFAR stem (3×3 conv stride 1, no
//                  max-pool, as the CIFAR ResNets of GraNet and kuangliu), `resnetNN-imagenet` the ImageNet stem
//                  (7×7 conv stride 2 + 3×3/2 max-pool). Layer names are the same for both stems.
//   mobilenetv2    torchvision naming (`features.N.conv.M`, `features.0.0`, `features.18.0`, `classifier.1`); dropout
//                  before the classifier left out. `mobilenetv2[-W]` (width multiplier W, default 1.0) has the CIFAR
//                  stem (first conv and the first stride-2 stage at stride 1, as kuangliu's CIFAR MobileNetV2),
//                  `mobilenetv2[-W]-imagenet` torchvision's strides.
import { basicBlock, batchNorm, bottleneck, BOTTLENECK_EXPANSION, conv, convBnAct, invertedResidual, relu, wrnBlock } from './blocks.js';
import type { PlanNode } from './plan.js';

export type Stem = 'cifar' | 'imagenet';

export function wideResNet(depth: number, widen: number, inputChannels: number, numClasses: number): PlanNode[] {
  if ((depth - 4) % 6 !== 0 || depth < 10) throw new RangeError(`WRN depth must be 6n + 4 (n ≥ 1), got ${depth}`);
  const blocks = (depth - 4) / 6;
  const widths = [16, 16 * widen, 32 * widen, 64 * widen];
  const nodes: PlanNode[] = [conv('net0_block0_conv0', inputChannels, widths[0], 3)];
  let inChannels = widths[0];
  for (let group = 1; group <= 3; group++) {
    for (let i = 0; i < blocks; i++) {
      nodes.push(wrnBlock(`net${group}.layer.${i}`, inChannels, widths[group], i === 0 && group > 1 ? 2 : 1));
      inChannels = widths[group];
    }
  }
  nodes.push(batchNorm('bn1', inChannels), relu, { op: 'gap' }, { op: 'linear', name: 'fc', in: inChannels, out: numClasses, bias: true });
  return nodes;
}

export type VggVariant = 'vgg16' | 'vgg19';

const VGG_FEATURES: Readonly<Record<VggVariant, readonly (number | 'M')[]>> = {
  // DSB VGG_CONFIGS['D'] (SNIP).
  vgg16: [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 'M', 512, 512, 512, 'M', 512, 512, 512, 'M'],
  // MEST vgg_grasp.py defaultcfg[19]: no max-pool after the last stage.
  vgg19: [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 256, 'M', 512, 512, 512, 512, 'M', 512, 512, 512, 512],
};

export function vgg(variant: VggVariant, inputChannels: number, numClasses: number): PlanNode[] {
  const nodes: PlanNode[] = [];
  let inChannels = inputChannels;
  let index = 0;
  for (const item of VGG_FEATURES[variant]) {
    if (item === 'M') {
      nodes.push({ op: 'maxpool', kernel: 2, stride: 2, padding: 0 });
      index += 1;
      continue;
    }
    nodes.push(...convBnAct(`features.${index}`, `features.${index + 1}`, inChannels, item, 3));
    inChannels = item;
    index += 3;
  }
  nodes.push({ op: 'gap' });
  if (variant === 'vgg19') {
    nodes.push({ op: 'linear', name: 'classifier', in: inChannels, out: numClasses, bias: true });
    return nodes;
  }
  const hidden = 512;
  nodes.push(
    { op: 'linear', name: 'classifier.0', in: inChannels, out: hidden, bias: true },
    relu,
    batchNorm('classifier.2', hidden),
    { op: 'linear', name: 'classifier.3', in: hidden, out: hidden, bias: true },
    relu,
    batchNorm('classifier.5', hidden),
    { op: 'linear', name: 'classifier.6', in: hidden, out: numClasses, bias: true },
  );
  return nodes;
}

export type ResNetDepth = 18 | 34 | 50;

const RESNET_STAGES: Readonly<Record<ResNetDepth, { readonly bottleneck: boolean; readonly blocks: readonly number[] }>> = {
  18: { bottleneck: false, blocks: [2, 2, 2, 2] },
  34: { bottleneck: false, blocks: [3, 4, 6, 3] },
  50: { bottleneck: true, blocks: [3, 4, 6, 3] },
};

export function resNet(depth: ResNetDepth, stem: Stem, inputChannels: number, numClasses: number): PlanNode[] {
  const { bottleneck: isBottleneck, blocks } = RESNET_STAGES[depth];
  const nodes: PlanNode[] =
    stem === 'imagenet'
      ? [...convBnAct('conv1', 'bn1', inputChannels, 64, 7, { stride: 2 }), { op: 'maxpool', kernel: 3, stride: 2, padding: 1 }]
      : convBnAct('conv1', 'bn1', inputChannels, 64, 3);
  let inChannels = 64;
  blocks.forEach((count, stage) => {
    const planes = 64 << stage;
    for (let i = 0; i < count; i++) {
      const stride = stage > 0 && i === 0 ? 2 : 1;
      const prefix = `layer${stage + 1}.${i}`;
      nodes.push(isBottleneck ? bottleneck(prefix, inChannels, planes, stride) : basicBlock(prefix, inChannels, planes, stride));
      inChannels = isBottleneck ? planes * BOTTLENECK_EXPANSION : planes;
    }
  });
  nodes.push({ op: 'gap' }, { op: 'linear', name: 'fc', in: inChannels, out: numClasses, bias: true });
  return nodes;
}

/** torchvision's _make_divisible: the nearest multiple of `divisor` (at least `divisor`), never 10% below v. */
export function makeDivisible(value: number, divisor = 8): number {
  let rounded = Math.max(divisor, Math.floor((value + divisor / 2) / divisor) * divisor);
  if (rounded < 0.9 * value) rounded += divisor;
  return rounded;
}

/** torchvision inverted_residual_setting: expansion t, channels c, repeats n, stride s of the first repeat. */
const MOBILENET_V2_SETTINGS: readonly (readonly [number, number, number, number])[] = [
  [1, 16, 1, 1],
  [6, 24, 2, 2],
  [6, 32, 3, 2],
  [6, 64, 4, 2],
  [6, 96, 3, 1],
  [6, 160, 3, 2],
  [6, 320, 1, 1],
];

export function mobileNetV2(width: number, stem: Stem, inputChannels: number, numClasses: number): PlanNode[] {
  if (!(width > 0)) throw new RangeError(`MobileNetV2 width multiplier must be > 0, got ${width}`);
  const cifar = stem === 'cifar';
  let inChannels = makeDivisible(32 * width);
  const lastChannels = makeDivisible(1280 * Math.max(1, width));
  const nodes: PlanNode[] = convBnAct('features.0.0', 'features.0.1', inputChannels, inChannels, 3, { stride: cifar ? 1 : 2, activation: 'relu6' });
  let index = 1;
  MOBILENET_V2_SETTINGS.forEach(([expand, channels, repeats, stride], setting) => {
    const out = makeDivisible(channels * width);
    // CIFAR stem: the first stride-2 stage (24 channels) keeps the resolution, as the first conv does.
    const firstStride = cifar && setting === 1 ? 1 : stride;
    for (let i = 0; i < repeats; i++) {
      nodes.push(...invertedResidual(`features.${index}`, inChannels, out, i === 0 ? firstStride : 1, expand));
      inChannels = out;
      index += 1;
    }
  });
  nodes.push(
    ...convBnAct(`features.${index}.0`, `features.${index}.1`, inChannels, lastChannels, 1, { activation: 'relu6' }),
    { op: 'gap' },
    { op: 'linear', name: 'classifier.1', in: lastChannels, out: numClasses, bias: true },
  );
  return nodes;
}
