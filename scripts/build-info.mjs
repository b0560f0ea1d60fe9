#!/usr/bin/env node
// Writes generated/build-info.json { version, commit } for agents to report with benchmark results (MLPerf-style
// "app build and git commit"). The commit comes from `git rev-parse HEAD` when git and a repository are available,
// else "unknown"; `dirty` says whether tracked files differed from that commit at build time.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function git(args) {
  try {
    return execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const head = git(['rev-parse', 'HEAD']);
const dirty = head !== undefined && (git(['status', '--porcelain', '--untracked-files=no']) ?? '') !== '';
const info = { version, commit: head ?? 'unknown', dirty };
const out = join(root, 'generated', 'build-info.json');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify(info, null, 2)}\n`);
process.stdout.write(`build-info: ${info.version} ${info.commit}${dirty ? ' (dirty)' : ''}\n`);
