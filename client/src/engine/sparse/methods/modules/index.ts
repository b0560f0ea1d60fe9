// Every method module, in the order names are listed to users (CLI help, config errors).
import type { MethodModule } from '../method-module.js';
import type { MethodName } from '../types.js';
import { DSB, SSB } from './dsb.js';
import { DENSE, STATIC } from './fixed.js';
import { GMP, GMP_UNIFORM } from './gmp.js';
import { GRANET, GRANET_UNIFORM } from './granet.js';
import { ITOP } from './itop.js';
import { MEST_EM, MEST_EMS } from './mest.js';
import { RIGL } from './rigl.js';
import { SET } from './set.js';
import { VRPGE } from './vrpge.js';

export const METHOD_MODULES: readonly MethodModule[] = [
  DENSE,
  STATIC,
  SET,
  RIGL,
  ITOP,
  GMP,
  GMP_UNIFORM,
  GRANET,
  GRANET_UNIFORM,
  MEST_EM,
  MEST_EMS,
  DSB,
  SSB,
  VRPGE,
];

const BY_NAME: ReadonlyMap<MethodName, MethodModule> = new Map(METHOD_MODULES.map((module) => [module.name, module]));

export function methodModule(name: MethodName): MethodModule {
  const found = BY_NAME.get(name);
  if (found === undefined) throw new Error(`Unknown training method "${String(name)}"; valid methods: ${METHOD_MODULES.map((m) => m.name).join(', ')}`);
  return found;
}
