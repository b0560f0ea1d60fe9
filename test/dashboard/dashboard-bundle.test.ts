// Which files the coordinator serves under /dashboard/ and where it finds them.
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboardBundleDir, isDashboardFile, readDashboardFile } from '../../server/src/dashboard/dashboard-bundle.js';

describe('dashboard bundle', () => {
  let root: string;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'sf-dashboard-bundle-'));
    await writeFile(join(root, 'package.json'), '{}');
    await mkdir(join(root, 'dist', 'web', 'dashboard'), { recursive: true });
    await mkdir(join(root, 'dist', 'server', 'src', 'dashboard'), { recursive: true });
    await writeFile(join(root, 'dist', 'web', 'dashboard', 'index.html'), '<!doctype html>');
  });

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('should find dist/web/dashboard under the nearest folder holding package.json', () => {
    expect(dashboardBundleDir(join(root, 'dist', 'server', 'src', 'dashboard'))).toBe(join(root, 'dist', 'web', 'dashboard'));
    expect(dashboardBundleDir(join(root, 'server', 'src', 'dashboard'))).toBe(join(root, 'dist', 'web', 'dashboard'));
  });

  it('should serve the named files only, never a path', () => {
    for (const name of ['index.html', 'dashboard.js', 'dashboard.css']) expect(isDashboardFile(name)).toBe(true);
    for (const name of ['../package.json', 'package.json', 'dashboard.js.map', '', 'constructor', 'toString']) expect(isDashboardFile(name)).toBe(false);
  });

  it('should read a built file, and answer undefined where the bundle was not built', async () => {
    const bundle = join(root, 'dist', 'web', 'dashboard');

    expect((await readDashboardFile('index.html', bundle))?.toString()).toBe('<!doctype html>');
    expect(await readDashboardFile('dashboard.js', bundle)).toBeUndefined();
    expect(await readDashboardFile('index.html', join(root, 'nowhere'))).toBeUndefined();
  });
});
