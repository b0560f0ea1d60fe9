import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readBuildInfo, reportedCommit, UNKNOWN_COMMIT } from '../../client/src/agent/build-info.js';
import { AGENT_VERSION } from '../../client/src/agent/version.js';

function file(content: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'build-info-')), 'build-info.json');
  writeFileSync(path, content);
  return path;
}

describe('readBuildInfo', () => {
  it('should read the version, commit and dirty flag the build script wrote', () => {
    const info = readBuildInfo(file(JSON.stringify({ version: '1.2.3', commit: 'abc123', dirty: true })));
    expect(info).toEqual({ version: '1.2.3', commit: 'abc123', dirty: true });
    expect(reportedCommit(info)).toBe('abc123-dirty');
  });

  it('should fall back to the compiled-in version and an unknown commit when the file is missing or broken', () => {
    expect(readBuildInfo(undefined)).toEqual({ version: AGENT_VERSION, commit: UNKNOWN_COMMIT, dirty: false });
    expect(readBuildInfo(join(tmpdir(), 'no-such-dir', 'build-info.json')).commit).toBe(UNKNOWN_COMMIT);
    expect(readBuildInfo(file('{not json')).commit).toBe(UNKNOWN_COMMIT);
    expect(reportedCommit({ version: '1', commit: UNKNOWN_COMMIT, dirty: true })).toBe(UNKNOWN_COMMIT);
  });
});
