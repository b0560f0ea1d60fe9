// The wire contract stays lint-clean and compatible with the last released contract (proto/RELEASED), and the
// breaking-change check really refuses a breaking change (a scratch repository with one field retyped).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { releasedContractCommit } from '../../scripts/check-contract.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
const buf = join(root, 'node_modules', '.bin', 'buf');

function commitPresent(commit: string): boolean {
  return spawnSync('git', ['cat-file', '-e', `${commit}^{commit}`], { cwd: root }).status === 0;
}

const released = releasedContractCommit();
const scratchDirs: string[] = [];
afterAll(() => scratchDirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

describe('wire contract (proto/)', () => {
  it('should pass buf lint', () => {
    const run = spawnSync(buf, ['lint'], { cwd: root, encoding: 'utf8' });
    expect(run.stdout + run.stderr).toBe('');
    expect(run.status).toBe(0);
  });

  it.skipIf(!commitPresent(released))(`should be compatible with the released contract ${released.slice(0, 12)} (buf breaking)`, () => {
    const run = spawnSync(buf, ['breaking', '--against', `.git#ref=${released}`], { cwd: root, encoding: 'utf8' });
    expect(run.stdout + run.stderr).toBe('');
    expect(run.status).toBe(0);
  });

  it('should have a breaking-change check that refuses a retyped field', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sparsefleet-contract-'));
    scratchDirs.push(dir);
    const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, stdio: 'pipe' });
    mkdirSync(join(dir, 'proto', 'demo', 'v1'), { recursive: true });
    writeFileSync(join(dir, 'buf.yaml'), 'version: v2\nmodules:\n  - path: proto\n');
    const file = join(dir, 'proto', 'demo', 'v1', 'demo.proto');
    writeFileSync(file, 'syntax = "proto3";\npackage demo.v1;\nmessage Ping {\n  uint64 sent_at_ms = 1;\n}\n');
    git('init', '-q');
    git('-c', 'user.name=t', '-c', 'user.email=t@t', 'add', '.');
    git('-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'released');
    writeFileSync(file, 'syntax = "proto3";\npackage demo.v1;\nmessage Ping {\n  string sent_at_ms = 1;\n}\n');
    const run = spawnSync(buf, ['breaking', '--against', '.git#branch=HEAD'], { cwd: dir, encoding: 'utf8' });
    expect(run.status).not.toBe(0);
    expect(run.stdout + run.stderr).toMatch(/sent_at_ms.*type/i);
  });
});
