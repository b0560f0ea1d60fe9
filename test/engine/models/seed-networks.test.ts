// The seed networks (WRN, VGG-16/19, ResNet-18/34/50 with both stems, MobileNetV2): the built model agrees with the
// catalog (names, shapes, order), has the published parameter count, and maps a tiny batch to [N, classes].
// The big ones are built and run forward once, never trained here.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../client/src/engine/backend/init.js';
import { buildModel } from '../../../client/src/engine/models/builders.js';
import {
  maskableLayers,
  MODEL_NAMES,
  networkSummary,
  profileFamily,
  SEED_NETWORK_NAMES,
  unmaskedLayers,
  type InputShape,
  type SeedNetworkName,
} from '../../../client/src/engine/models/catalog.js';
import { parseTrainConfig } from '../../../client/src/engine/train/config.js';

const CIFAR: InputShape = { height: 32, width: 32, channels: 3 };
/** Parameter counts do not depend on the input size; the forward pass is 4× cheaper at 16×16. */
const SMALL: InputShape = { height: 16, width: 16, channels: 3 };

/**
 * ImageNet-stem variants with 1000 classes (published counts are for ImageNet); the rest CIFAR-10. The VGGs pool
 * five (VGG-16) or four times and take 32×32; the others run at 16×16 to keep the big ones fast.
 */
function setting(name: SeedNetworkName): { input: InputShape; numClasses: number } {
  return { input: name.startsWith('vgg') ? CIFAR : SMALL, numClasses: name.endsWith('-imagenet') ? 1000 : 10 };
}

/**
 * Published parameter counts (PyTorch `sum(p.numel() for p in model.parameters())`): torchvision resnet18/34/50 and
 * mobilenet_v2 (ImageNet, 1000 classes); WRN-28-10 36.5 M (Zagoruyko & Komodakis, CIFAR-10); kuangliu/GraNet CIFAR
 * ResNet-18 11.17 M and ResNet-50 23.52 M; GraSP/MEST VGG-19-BN 20.04 M; WRN-22-2 ≈ 1.1 M (RigL's CIFAR point),
 * WRN-16-8 11.0 M; DSB's VGG-D (VGG-16 with BN and a 512-512 BN classifier) ≈ 15.25 M.
 */
const PUBLISHED: Partial<Record<SeedNetworkName, { count: number; tolerance: number }>> = {
  'resnet18-imagenet': { count: 11_689_512, tolerance: 0 },
  'resnet34-imagenet': { count: 21_797_672, tolerance: 0 },
  'resnet50-imagenet': { count: 25_557_032, tolerance: 0 },
  'mobilenetv2-imagenet': { count: 3_504_872, tolerance: 0 },
  'wrn-28-10': { count: 36_479_194, tolerance: 0 },
  resnet18: { count: 11_173_962, tolerance: 0 },
  resnet50: { count: 23_520_842, tolerance: 0 },
  vgg19: { count: 20_035_018, tolerance: 0 },
  'wrn-22-2': { count: 1.1e6, tolerance: 0.05e6 },
  'wrn-16-8': { count: 11.0e6, tolerance: 0.05e6 },
  vgg16: { count: 15.25e6, tolerance: 0.01e6 },
};

describe('seed networks', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('should be accepted by the TrainConfig schema and share profiles within a family', () => {
    for (const name of SEED_NETWORK_NAMES) {
      expect(MODEL_NAMES).toContain(name);
      expect(parseTrainConfig({ model: name, data: { name: 'cifar10' } }).model).toBe(name);
    }
    expect(() => parseTrainConfig({ model: 'wrn-22-3' })).toThrow(/model/);
    expect(profileFamily('resnet50-imagenet')).toBe('resnet50');
    expect(profileFamily('mobilenetv2-0.5-imagenet')).toBe('mobilenetv2');
    expect(profileFamily('wrn-22-2')).toBe('wrn-22-2');
    // Same layer names across stems and widths, so one profile serves all of them.
    const names = (model: SeedNetworkName) => maskableLayers(model, CIFAR, 10).map((layer) => layer.name);
    expect(names('resnet50-imagenet')).toEqual(names('resnet50'));
    expect(names('mobilenetv2-0.35')).toEqual(names('mobilenetv2-imagenet'));
  });

  it.each(SEED_NETWORK_NAMES)('%s: should match the catalog, the published parameter count and give [N, classes]', (name) => {
    // Prepare
    const { input, numClasses } = setting(name);
    const summary = networkSummary(name, input, numClasses);

    // Execute
    const model = buildModel({ model: name, input, numClasses, seed: 1 });
    try {
      const logits = tf.tidy(() => {
        const y = model.forward(tf.randomNormal([2, input.height, input.width, input.channels], 0, 1, 'float32', 3), false);
        return { shape: y.shape, finite: tf.all(tf.isFinite(y)).dataSync()[0] };
      });

      // Assert
      expect(model.maskableLayers()).toEqual(maskableLayers(name, input, numClasses));
      expect(model.unmaskedLayers).toEqual(unmaskedLayers(name, input, numClasses));
      expect(model.parameterCount()).toBe(summary.parameterCount);
      const published = PUBLISHED[name];
      if (published !== undefined) expect(Math.abs(model.parameterCount() - published.count)).toBeLessThanOrEqual(published.tolerance);
      // Weight decay: every conv and linear weight (masked or depthwise), never biases or BatchNorm.
      const decayed = model.parameters.filter((p) => p.decay).map((p) => p.name);
      expect(decayed).toEqual(summary.layers.map((layer) => `${layer.name}.weight`));
      expect(logits.shape).toEqual([2, numClasses]);
      expect(logits.finite).toBe(1);
    } finally {
      model.dispose();
    }
  });

  it('should name the layers as the seeds reference code does', () => {
    const names = (model: SeedNetworkName) => maskableLayers(model, CIFAR, 10).map((layer) => layer.name);
    // MEST's VGG-19 profile lists these conv layers (features.0 commented out there).
    expect(names('vgg19')).toEqual([
      ...[0, 3, 7, 10, 14, 17, 20, 23, 27, 30, 33, 36, 40, 43, 46, 49].map((i) => `features.${i}`),
      'classifier',
    ]);
    // DSB's vgg-d: classifier Linear, ReLU, BatchNorm1d, … at indices 0, 3, 6.
    expect(names('vgg16').slice(-4)).toEqual(['features.40', 'classifier.0', 'classifier.3', 'classifier.6']);
    // DSB's WideResNet.
    expect(names('wrn-16-2')).toEqual([
      'net0_block0_conv0',
      'net1.layer.0.conv0', 'net1.layer.0.conv1', 'net1.layer.0.conv2', 'net1.layer.1.conv0', 'net1.layer.1.conv1',
      'net2.layer.0.conv0', 'net2.layer.0.conv1', 'net2.layer.0.conv2', 'net2.layer.1.conv0', 'net2.layer.1.conv1',
      'net3.layer.0.conv0', 'net3.layer.0.conv1', 'net3.layer.0.conv2', 'net3.layer.1.conv0', 'net3.layer.1.conv1',
      'fc',
    ]);
    // torchvision ResNet-50.
    const resnet50 = maskableLayers('resnet50-imagenet', CIFAR, 1000);
    expect(resnet50).toHaveLength(54);
    expect(resnet50.slice(0, 5).map((layer) => layer.name)).toEqual(['conv1', 'layer1.0.conv1', 'layer1.0.conv2', 'layer1.0.conv3', 'layer1.0.downsample.0']);
    expect(resnet50[0].shape).toEqual({ kind: 'conv', out: 64, in: 3, kh: 7, kw: 7 });
    expect(maskableLayers('resnet50', CIFAR, 10)[0].shape).toEqual({ kind: 'conv', out: 64, in: 3, kh: 3, kw: 3 });
    expect(resnet50.find((layer) => layer.name === 'layer4.0.downsample.0')?.shape).toEqual({ kind: 'conv', out: 2048, in: 1024, kh: 1, kw: 1 });
    expect(resnet50.at(-1)).toEqual({ name: 'fc', shape: { kind: 'linear', out: 1000, in: 2048, kh: 1, kw: 1 } });
    // torchvision MobileNetV2: depthwise convs are not maskable, the expand/project 1×1 convs are.
    const mobile = names('mobilenetv2');
    expect(mobile.slice(0, 4)).toEqual(['features.0.0', 'features.1.conv.1', 'features.2.conv.0.0', 'features.2.conv.2']);
    expect(mobile.slice(-2)).toEqual(['features.18.0', 'classifier.1']);
    expect(unmaskedLayers('mobilenetv2', CIFAR, 10).map((layer) => layer.name).slice(0, 2)).toEqual(['features.1.conv.0.0', 'features.2.conv.1.0']);
    expect(unmaskedLayers('mobilenetv2', CIFAR, 10)).toHaveLength(17);
  });

  it('should refuse an input too small for the network', () => {
    expect(() => buildModel({ model: 'vgg16', input: { height: 16, width: 16, channels: 3 }, numClasses: 10, seed: 1 })).toThrow(
      /vgg16 needs a larger input than 16x16/,
    );
  });
});
