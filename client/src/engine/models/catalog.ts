// The names and shapes of every maskable layer of every model, without building anything: profiles, allocation,
// the coordinator's memory estimates and the CLI read this. Names follow PyTorch's `named_parameters` (without the
// `.weight` suffix) so MEST-format profiles map onto them directly. The model builders must match it exactly.
import { convShape, linearShape, type MaskableLayerInfo } from '../sparse/types.js';

export type ModelName = 'mlp' | 'cnn' | 'resnet20' | 'resnet32' | 'vgg';

export const MODEL_NAMES: readonly ModelName[] = ['mlp', 'cnn', 'resnet20', 'resnet32', 'vgg'];

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
