// One entry point for layer-wise densities: ERK, uniform or a MEST-format profile. Pure and deterministic.
import { profileDensities } from '../profiles/parse.js';
import type { MaskableLayerInfo } from '../types.js';
import { erkDensities } from './erk.js';
import { uniformDensities } from './uniform.js';

export type AllocationName = 'erk' | 'uniform' | 'profile';

export const ALLOCATION_NAMES: readonly AllocationName[] = ['erk', 'uniform', 'profile'];

export interface AllocationRequest {
  readonly layers: readonly MaskableLayerInfo[];
  /** Overall density of the maskable layers (ignored by 'profile': the profile fixes every layer). */
  readonly density: number;
  readonly allocation: AllocationName;
  /** Required for 'profile'. */
  readonly profileYaml?: string;
  /** ERK exponent (default 1). */
  readonly erkPowerScale?: number;
  /** Uniform only: keep the first layer dense (default false). */
  readonly denseFirstLayer?: boolean;
}

/** Density per layer name, 1 = the layer stays dense (never masked). density 1 gives every layer 1. */
export function allocateDensities(request: AllocationRequest): Map<string, number> {
  const { layers, density, allocation } = request;
  switch (allocation) {
    case 'erk':
      return erkDensities(layers, density, { powerScale: request.erkPowerScale ?? 1 });
    case 'uniform':
      return uniformDensities(layers, density, { denseFirstLayer: request.denseFirstLayer ?? false });
    case 'profile':
      if (request.profileYaml === undefined) throw new Error("allocation 'profile' needs profileYaml");
      return profileDensities(layers, request.profileYaml);
    default:
      throw new Error(`Unknown allocation "${String(allocation)}"; valid: ${ALLOCATION_NAMES.join(', ')}`);
  }
}

export { activeCount } from './count.js';
export { erkDensities, solveErk, type ErkOptions, type ErkSolution } from './erk.js';
export { uniformDensities, type UniformOptions } from './uniform.js';
export { profileDensities } from '../profiles/parse.js';
