// No import cycle between the coordinator's folders (issue 14): server/src/<folder> imports form a layered graph,
// e.g. jobs/ may use devices/ and checkpoints/ may use jobs/, never both ways round. Where a lower folder needs
// something of a higher one it declares a port (devices/presence.handlers.ts's HeldJobLeases) or hears an event.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cruise, type IModule } from 'dependency-cruiser';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

type Edges = ReadonlyMap<string, ReadonlyMap<string, readonly string[]>>;

/** folder → folder it imports → the file-level imports behind that edge. */
function folderEdges(modules: readonly Pick<IModule, 'source' | 'dependencies'>[]): Edges {
  const folderOf = (path: string): string | undefined => /^server\/src\/([^/]+)\//.exec(path)?.[1];
  const edges = new Map<string, Map<string, string[]>>();
  for (const module of modules) {
    const from = folderOf(module.source);
    if (!from) continue;
    for (const dependency of module.dependencies) {
      const to = folderOf(dependency.resolved);
      if (!to || to === from) continue;
      const targets = edges.get(from) ?? new Map<string, string[]>();
      targets.set(to, [...(targets.get(to) ?? []), `${module.source} → ${dependency.resolved}`]);
      edges.set(from, targets);
    }
  }
  return edges;
}

/** Strongly connected groups of more than one folder (Tarjan): each is at least one import cycle. */
function cyclicGroups(edges: Edges): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const groups: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, index.size);
    low.set(node, index.get(node)!);
    stack.push(node);
    onStack.add(node);
    for (const next of edges.get(node)?.keys() ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node)!, index.get(next)!));
      }
    }
    if (low.get(node) !== index.get(node)) return;
    const group: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      group.push(member);
    } while (member !== node);
    if (group.length > 1) groups.push(group.sort());
  };
  for (const node of edges.keys()) if (!index.has(node)) visit(node);
  return groups;
}

function explain(edges: Edges, group: readonly string[]): string {
  const lines = group.flatMap((from) =>
    group.filter((to) => edges.get(from)?.has(to)).map((to) => `  ${from} → ${to}: ${edges.get(from)!.get(to)!.slice(0, 3).join('; ')}`),
  );
  return `[${group.join(', ')}]\n${lines.join('\n')}`;
}

describe('server folders', () => {
  it('import each other without a cycle', async () => {
    const reported = await cruise(['server/src'], { baseDir: root, doNotFollow: { path: 'node_modules' } }, {}, {
      tsConfig: extractTSConfig(join(root, 'tsconfig.json')),
    });
    if (typeof reported.output === 'string') throw new Error('dependency-cruiser returned a formatted report, not a result');
    const edges = folderEdges(reported.output.modules);
    // A vacuous pass (nothing cruised) would find no cycle either.
    expect(edges.size).toBeGreaterThan(10);
    const cycles = cyclicGroups(edges).map((group) => explain(edges, group));
    expect(cycles, `folders that import each other in a cycle:\n${cycles.join('\n')}`).toEqual([]);
  });

  it('cycle detection finds a planted cycle and names its imports', () => {
    const module = (source: string, ...targets: string[]) => ({ source, dependencies: targets.map((resolved) => ({ resolved })) });
    const edges = folderEdges([
      module('server/src/jobs/a.ts', 'server/src/devices/b.ts'),
      module('server/src/devices/b.ts', 'server/src/storage/c.ts'),
      module('server/src/storage/c.ts', 'server/src/jobs/a.ts'),
      module('server/src/api/d.ts', 'server/src/jobs/a.ts'),
    ] as unknown as IModule[]);
    const groups = cyclicGroups(edges);
    expect(groups).toEqual([['devices', 'jobs', 'storage']]);
    expect(explain(edges, groups[0]!)).toContain('storage → jobs: server/src/storage/c.ts → server/src/jobs/a.ts');
  });
});
