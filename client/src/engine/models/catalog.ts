// The names and shapes of every maskable layer of every model, without building anything: profiles, allocation,
// the coordinator's memory estimates and the CLI read this. Names follow PyTorch's `named_parameters` (without the
// `.weight` suffix) so MEST-format profiles map onto them directly. The model builders must match it exactly.
//
// Two kinds of models:
//   - the engine's small models (mlp, cnn, resnet20, resnet32, vgg), listed here and built by builders.ts;
//   - the seed networks (WRN, VGG-16/19, ResNet-18/34/50, MobileNetV2), described once as plans
//     (./architectures/networks.ts, named as the seeds' reference code names them) from which both this catalog and
//     the builder (./plan-builder.ts) derive their layers.
// Variants are chosen by name: `resnetNN` has the CIFAR stem (3×3 conv, stride 1, no max-pool) and
// `resnetNN-imagenet` the ImageNet stem (7×7 conv, stride 2, then a 3×3/2 max-pool); `mobilenetv2-W` has width
// multiplier W (default 1.0) and takes the `-imagenet` suffix for torchvision's strides. Variants that differ only in
// stem or width share their layer names, so one profile (profiles/<profileFamily>/) serves them all.
import { convShape, linearShape, type MaskableLayerInfo } from '../sparse/types.js';
import { mobileNetV2, resNet, vgg as seedVgg, wideResNet } from './architectures/networks.js';
import type { PlanNode } from './architectures/plan.js';
import { summarizePlan, type PlanSummary } from './architectures/summary.js';

type PlanFactory = (inputChannels: number, numClasses: number) => PlanNode[];

/** The seed networks, by model name. */
const NETWORK_PLANS = {
  'wrn-16-2': (c, n) => wideResNet(16, 2, c, n),
  'wrn-16-8': (c, n) => wideResNet(16, 8, c, n),
  'wrn-16-10': (c, n) => wideResNet(16, 10, c, n),
  'wrn-22-2': (c, n) => wideResNet(22, 2, c, n),
  'wrn-22-8': (c, n) => wideResNet(22, 8, c, n),
  'wrn-28-2': (c, n) => wideResNet(28, 2, c, n),
  'wrn-28-10': (c, n) => wideResNet(28, 10, c, n),
  vgg16: (c, n) => seedVgg('vgg16', c, n),
  vgg19: (c, n) => seedVgg('vgg19', c, n),
  resnet18: (c, n) => resNet(18, 'cifar', c, n),
  resnet34: (c, n) => resNet(34, 'cifar', c, n),
  resnet50: (c, n) => resNet(50, 'cifar', c, n),
  'resnet18-imagenet': (c, n) => resNet(18, 'imagenet', c, n),
  'resnet34-imagenet': (c, n) => resNet(34, 'imagenet', c, n),
  'resnet50-imagenet': (c, n) => resNet(50, 'imagenet', c, n),
  mobilenetv2: (c, n) => mobileNetV2(1, 'cifar', c, n),
  'mobilenetv2-0.5': (c, n) => mobileNetV2(0.5, 'cifar', c, n),
  'mobilenetv2-0.35': (c, n) => mobileNetV2(0.35, 'cifar', c, n),
  'mobilenetv2-imagenet': (c, n) => mobileNetV2(1, 'imagenet', c, n),
  'mobilenetv2-0.5-imagenet': (c, n) => mobileNetV2(0.5, 'imagenet', c, n),
} as const satisfies Record<string, PlanFactory>;

export type SmallModelName = 'mlp' | 'cnn' | 'resnet20' | 'resnet32' | 'vgg';
export type SeedNetworkName = keyof typeof NETWORK_PLANS;
export type ModelName = SmallModelName | SeedNetworkName;

const SMALL_MODEL_NAMES: readonly SmallModelName[] = ['mlp', 'cnn', 'resnet20', 'resnet32', 'vgg'];

/** The seed networks, in NETWORK_PLANS order. */
export const SEED_NETWORK_NAMES: readonly SeedNetworkName[] = Object.keys(NETWORK_PLANS) as SeedNetworkName[];

export const MODEL_NAMES: readonly ModelName[] = [...SMALL_MODEL_NAMES, ...SEED_NETWORK_NAMES];

export function isSeedNetwork(model: string): model is SeedNetworkName {
  return Object.hasOwn(NETWORK_PLANS, model);
}

/** A seed network's layers as a plan (see ./architectures/plan.ts). */
export function networkPlan(model: SeedNetworkName, input: InputShape, numClasses: number): PlanNode[] {
  return NETWORK_PLANS[model](input.channels, numClasses);
}

/** Shapes, output sizes, parameter and activation counts of a seed network for this input. */
export function networkSummary(model: SeedNetworkName, input: InputShape, numClasses: number): PlanSummary {
  return summarizePlan(networkPlan(model, input, numClasses), input);
}

/**
 * Weight layers that are never masked, with why (the depthwise convs of MobileNetV2); they train dense, and no
 * profile or allocation can name them.
 */
export function unmaskedLayers(model: ModelName, input: InputShape, numClasses: number): { readonly name: string; readonly reason: string }[] {
  if (!isSeedNetwork(model)) return [];
  return networkSummary(model, input, numClasses)
    .layers.filter((layer) => !layer.maskable)
    .map((layer) => ({ name: layer.name, reason: 'depthwise conv: kept dense, never masked' }));
}

/**
 * The profiles directory of a model (profiles/<family>/): variants that differ only in stem or width multiplier
 * share their layer names and therefore their profiles.
 */
export function profileFamily(model: ModelName): string {
  if (model.startsWith('mobilenetv2')) return 'mobilenetv2';
  return model.endsWith('-imagenet') ? model.slice(0, -'-imagenet'.length) : model;
}

export interface InputShape {
  readonly height: number;
  readonly width: number;
  readonly channels: number;
}

/** MLP 784-300-100-10 (hidden sizes fixed, input from the data). */
const MLP_HIDDEN = [300, 100] as const;

/** Small CNN: two 3×3 'same' convs each followed by 2×2 max-pool, then fc1 (128) and fc2. */
const CNN_CHANNELS = [32, 64] as const;
const CNN_HIDDEN = 128;

/** CIFAR-style ResNets: 3 stages, BasicBlocks, 1×1 conv + BN shortcut when the shape changes. */
const RESNET_CONFIG = {
  resnet20: { widths: [16, 32, 64], blocks: 3 },
  resnet32: { widths: [32, 64, 128], blocks: 5 }, // MEST's GraSP-style ResNet-32
} as const;

/** Small VGG: numbers are 3×3 conv widths (conv + BN + ReLU = 3 sequential modules), 'M' a 2×2 max-pool. */
export const VGG_CONFIG: readonly (number | 'M')[] = [32, 'M', 64, 'M', 128, 128, 'M', 256, 256, 'M'];

export function maskableLayers(model: ModelName, input: InputShape, numClasses: number): MaskableLayerInfo[] {
  if (isSeedNetwork(model)) {
    return networkSummary(model, input, numClasses)
      .layers.filter((layer) => layer.maskable)
      .map((layer) => ({ name: layer.name, shape: layer.shape }));
  }
  switch (model) {
    case 'mlp':
      return mlpLayers(input, numClasses);
    case 'cnn':
      return cnnLayers(input, numClasses);
    case 'resnet20':
    case 'resnet32':
      return resnetLayers(RESNET_CONFIG[model], input, numClasses);
    case 'vgg':
      return vggLayers(input, numClasses);
  }
}

function mlpLayers(input: InputShape, numClasses: number): MaskableLayerInfo[] {
  const sizes = [input.height * input.width * input.channels, ...MLP_HIDDEN, numClasses];
  return sizes.slice(1).map((out, i) => ({ name: `fc${i + 1}`, shape: linearShape(out, sizes[i]) }));
}

function cnnLayers(input: InputShape, numClasses: number): MaskableLayerInfo[] {
  const [c1, c2] = CNN_CHANNELS;
  const pooledHeight = Math.floor(Math.floor(input.height / 2) / 2);
  const pooledWidth = Math.floor(Math.floor(input.width / 2) / 2);
  return [
    { name: 'conv1', shape: convShape(c1, input.channels, 3, 3) },
    { name: 'conv2', shape: convShape(c2, c1, 3, 3) },
    { name: 'fc1', shape: linearShape(CNN_HIDDEN, c2 * pooledHeight * pooledWidth) },
    { name: 'fc2', shape: linearShape(numClasses, CNN_HIDDEN) },
  ];
}

function resnetLayers(
  config: { readonly widths: readonly number[]; readonly blocks: number },
  input: InputShape,
  numClasses: number,
): MaskableLayerInfo[] {
  const layers: MaskableLayerInfo[] = [{ name: 'conv1', shape: convShape(config.widths[0], input.channels, 3, 3) }];
  let inChannels = config.widths[0];
  config.widths.forEach((width, stage) => {
    for (let block = 0; block < config.blocks; block++) {
      const prefix = `layer${stage + 1}.${block}`;
      const stride = stage > 0 && block === 0 ? 2 : 1;
      layers.push({ name: `${prefix}.conv1`, shape: convShape(width, inChannels, 3, 3) });
      layers.push({ name: `${prefix}.conv2`, shape: convShape(width, width, 3, 3) });
      if (stride !== 1 || inChannels !== width) {
        layers.push({ name: `${prefix}.shortcut.0`, shape: convShape(width, inChannels, 1, 1) });
      }
      inChannels = width;
    }
  });
  layers.push({ name: 'fc', shape: linearShape(numClasses, inChannels) });
  return layers;
}

function vggLayers(input: InputShape, numClasses: number): MaskableLayerInfo[] {
  const layers: MaskableLayerInfo[] = [];
  let inChannels = input.channels;
  let index = 0;
  for (const item of VGG_CONFIG) {
    if (item === 'M') {
      index += 1;
      continue;
    }
    layers.push({ name: `features.${index}`, shape: convShape(item, inChannels, 3, 3) });
    inChannels = item;
    index += 3;
  }
  layers.push({ name: 'classifier', shape: linearShape(numClasses, inChannels) });
  return layers;
}
