#!/usr/bin/env node
// buf lint, then buf breaking of proto/ against the last released contract (the commit named in proto/RELEASED).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const buf = join(root, 'node_modules', '.bin', 'buf');

/** The commit of the last released contract: the first non-comment line of proto/RELEASED. */
export function releasedContractCommit() {
  const line = readFileSync(join(root, 'proto', 'RELEASED'), 'utf8')
    .split('\n')
    .map((text) => text.trim())
    .find((text) => text !== '' && !text.startsWith('#'));
  if (!line) throw new Error('proto/RELEASED names no commit');
  return line.split(/\s+/)[0];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const commit = releasedContractCommit();
  execFileSync(buf, ['lint'], { cwd: root, stdio: 'inherit' });
  execFileSync(buf, ['breaking', '--against', `.git#ref=${commit}`], { cwd: root, stdio: 'inherit' });
  console.log(`proto/ lints clean and is wire- and source-compatible with the released contract ${commit.slice(0, 12)}`);
}
