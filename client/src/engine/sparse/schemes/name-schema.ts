// The zod schema of a scheme name in a config or campaign file: any canonical name or alias, read as the canonical
// name, so a stored job that says 'block4' parses to the same config as one that says 'block'.
import { z } from 'zod';
import { ACCEPTED_SCHEME_NAMES, canonicalSchemeName } from './descriptors.js';
import type { SchemeName } from './types.js';

const MESSAGE = `must be one of ${ACCEPTED_SCHEME_NAMES.join(', ')}`;

export const schemeNameSchema = z.string({ error: MESSAGE }).transform((name, ctx): SchemeName => {
  const canonical = canonicalSchemeName(name);
  if (canonical === undefined) {
    ctx.addIssue({ code: 'custom', message: MESSAGE });
    return z.NEVER;
  }
  return canonical;
});
