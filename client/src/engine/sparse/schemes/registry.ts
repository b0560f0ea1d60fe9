// Scheme lookup by name, through the scheme descriptors.
import { SCHEME_DESCRIPTORS, type SchemeBuildOptions } from './descriptors.js';
import { SCHEME_NAMES, type SchemeName, type SparsityScheme } from './types.js';

export function createScheme(name: SchemeName, options: SchemeBuildOptions = {}): SparsityScheme {
  if (!Object.hasOwn(SCHEME_DESCRIPTORS, name)) throw new Error(`Unknown sparsity scheme "${String(name)}"; valid schemes: ${SCHEME_NAMES.join(', ')}`);
  return SCHEME_DESCRIPTORS[name].create(options);
}
