// The dashboard's static files, built by scripts/build-dashboard.mjs into dist/web/dashboard/ at the repository root
// (found by walking up from this module, so it works from the sources and from dist/ alike). Only the files named
// here are served: a request names one of them, never a path.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const DASHBOARD_FILES = {
  'index.html': 'text/html; charset=utf-8',
  'dashboard.js': 'text/javascript; charset=utf-8',
  'dashboard.css': 'text/css; charset=utf-8',
} as const;

export type DashboardFile = keyof typeof DASHBOARD_FILES;

export function isDashboardFile(name: string): name is DashboardFile {
  return Object.hasOwn(DASHBOARD_FILES, name);
}

/** dist/web/dashboard under the directory holding the project's package.json; undefined when there is none. */
export function dashboardBundleDir(start: string = dirname(fileURLToPath(import.meta.url))): string | undefined {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return join(dir, 'dist', 'web', 'dashboard');
    if (dirname(dir) === dir) return undefined;
  }
}

/** The file's bytes, or undefined when the bundle was not built. */
export async function readDashboardFile(name: DashboardFile, bundleDir = dashboardBundleDir()): Promise<Buffer | undefined> {
  if (bundleDir === undefined) return undefined;
  try {
    return await readFile(join(bundleDir, name));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
