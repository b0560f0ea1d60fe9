// Output size (values per example) of every maskable layer, from the catalog's shapes and each model's spatial
// layout: 'same' 3×3 convolutions keep the spatial size, 2×2 max-pools and stride-2 stages halve it. The seed
// networks' sizes come from their plans' shape inference (models/architectures/summary.ts).
import { isSeedNetwork, networkSummary, VGG_CONFIG, type InputShape, type ModelName, type SmallModelName } from '../models/catalog.js';
import type { MaskableLayerInfo } from '../sparse/types.js';

export function layerOutputValues(model: ModelName, layers: readonly MaskableLayerInfo[], input: InputShape): number[] {
  if (isSeedNetwork(model)) {
    // The classifier is the last maskable layer; its width is the number of classes.
    const numClasses = layers.at(-1)?.shape.out ?? 1;
    const outputs = new Map(networkSummary(model, input, numClasses).layers.map((layer) => [layer.name, layer.outputValues]));
    return layers.map((layer) => {
      const values = outputs.get(layer.name);
      if (values === undefined) throw new RangeError(`${model} has no layer "${layer.name}"`);
      return values;
    });
  }
  const area = spatialAreas(model, input);
  return layers.map((layer) => (layer.shape.kind === 'linear' ? layer.shape.out : layer.shape.out * area(layer.name)));
}

/** Spatial area (height × width) at which a conv layer of `model` produces its output. */
function spatialAreas(model: SmallModelName, input: InputShape): (layerName: string) => number {
  const at = (halvings: number, round: (x: number) => number): number => {
    let height = input.height;
    let width = input.width;
    for (let i = 0; i < halvings; i++) {
      height = round(height / 2);
      width = round(width / 2);
    }
    return height * width;
  };
  switch (model) {
    case 'mlp':
      return () => 1;
    case 'cnn':
      return (name) => at(name === 'conv2' ? 1 : 0, Math.floor);
    case 'resnet20':
    case 'resnet32':
      // layer1 at full size, layer2 and layer3 after a stride-2 conv each ('same' padding rounds up).
      return (name) => at(Math.max(0, Number(/^layer(\d+)\./.exec(name)?.[1] ?? '1') - 1), Math.ceil);
    case 'vgg': {
      const pools = vggPoolsBefore();
      return (name) => at(pools.get(name) ?? 0, Math.floor);
    }
  }
}

/** `features.<index>` → max-pools applied before it, walking VGG_CONFIG the way the catalog names layers. */
function vggPoolsBefore(): Map<string, number> {
  const pools = new Map<string, number>();
  let index = 0;
  let seen = 0;
  for (const item of VGG_CONFIG) {
    if (item === 'M') {
      seen += 1;
      index += 1;
      continue;
    }
    pools.set(`features.${index}`, seen);
    index += 3;
  }
  return pools;
}
