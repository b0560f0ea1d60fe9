// The maskable layers a run of `model` on `dataset` has, with their canonical shapes [out, in, kh, kw]: what a stored
// mask must match for a job to start from it. Pure (no TensorFlow.js): the coordinator checks it at submission.
import type { DatasetName } from '../data/types.js';
import { datasetFacts } from '../memory/dataset-footprint.js';
import { maskableLayers, type ModelName } from '../models/catalog.js';

export interface MaskLayerLayout {
  readonly name: string;
  readonly shape: number[];
}

export function maskableLayerLayout(model: ModelName, dataset: DatasetName): MaskLayerLayout[] {
  const facts = datasetFacts(dataset);
  return maskableLayers(model, facts.inputShape, facts.numClasses).map(({ name, shape }) => ({
    name,
    shape: [shape.out, shape.in, shape.kh, shape.kw],
  }));
}
