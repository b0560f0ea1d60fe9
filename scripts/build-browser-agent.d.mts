import type { BuildOptions, BuildResult } from 'esbuild';

export function browserAgentBuildOptions(): BuildOptions;
export function buildBrowserAgent(outdir?: string): Promise<BuildResult<{ metafile: true }>>;
