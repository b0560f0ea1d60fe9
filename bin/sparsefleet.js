#!/usr/bin/env node
// Entry point of the `sparsefleet` command; the compiled CLI lives in dist/ (built by `npm run build`).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/cli/src/main.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  console.error('sparsefleet is not built yet: run `npm run build` (npm ci runs it for you).');
  process.exit(1);
}
await import(entry.href);
