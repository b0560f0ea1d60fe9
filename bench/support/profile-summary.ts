// Plain-text summaries of a V8 CPU profile (--cpu-prof) and a heap snapshot (v8.writeHeapSnapshot): where the
// coordinator's time and memory go, as markdown tables. The snapshot is read without parsing it as one JSON text
// (at 10,000 devices it can exceed V8's longest string): only its header, node table and string table are read.
import { readFileSync } from 'node:fs';

interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: CpuProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function shortUrl(url: string): string {
  const inProject = url.match(/\/(dist|node_modules)\/(.*)$/);
  if (inProject) return inProject[1] === 'dist' ? inProject[2]! : `~/${inProject[2]!}`;
  return url.replace(/^file:\/\//, '') || '(native)';
}

/** The functions with the most self time, and the same grouped by package / project file. */
export function summarizeCpuProfile(file: string, top: number): string {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map<number, number>();
  let totalUs = 0;
  profile.samples.forEach((id, index) => {
    const delta = profile.timeDeltas[index] ?? 0;
    selfUs.set(id, (selfUs.get(id) ?? 0) + delta);
    totalUs += delta;
  });
  const byFunction = new Map<string, number>();
  const byModule = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)!.callFrame;
    const where = shortUrl(frame.url);
    const key = `${frame.functionName || '(anonymous)'} ${where}${frame.url ? `:${frame.lineNumber + 1}` : ''}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + us);
    const module = where.startsWith('~/') ? where.split('/').slice(1, where.split('/')[1]!.startsWith('@') ? 3 : 2).join('/') : where;
    byModule.set(module, (byModule.get(module) ?? 0) + us);
  }
  // Inclusive time of the project's own functions (server, protocol): which handler or service the time is under.
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const keyOf = (node: CpuProfileNode) => `${node.callFrame.functionName || '(anonymous)'} ${shortUrl(node.callFrame.url)}:${node.callFrame.lineNumber + 1}`;
  const inclusive = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parentOf.get(at)) {
      const node = byId.get(at)!;
      if (!/\/dist\/(server|protocol)\//.test(node.callFrame.url)) continue;
      const key = keyOf(node);
      if (seen.has(key)) continue;
      seen.add(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + us);
    }
  }
  const table = (title: string, entries: Map<string, number>) =>
    [`| ${title} | self s | share |`, '| --- | --- | --- |']
      .concat(
        [...entries]
          .sort((a, b) => b[1] - a[1])
          .slice(0, top)
          .map(([name, us]) => `| ${name.replace(/\|/g, '\\|')} | ${(us / 1e6).toFixed(2)} | ${((us / totalUs) * 100).toFixed(1)} % |`),
      )
      .join('\n');
  return [
    `profiled ${(totalUs / 1e6).toFixed(1)} s (wall clock: time the process was descheduled shows up in whatever it was doing)`,
    table('function (self time)', byFunction),
    table('package or file (self time)', byModule),
    table('project function (inclusive time)', inclusive),
  ].join('\n\n');
}

interface SnapshotMeta {
  node_fields: string[];
  node_types: [string[], ...unknown[]];
}

interface HeapGroups {
  readonly nodeCount: number;
  readonly totalBytes: number;
  readonly groups: Map<string, { count: number; bytes: number }>;
}

/** Objects of the snapshot grouped by node type, and by constructor or function name for objects and closures. */
function heapGroups(file: string): HeapGroups {
  const bytes = readFileSync(file);
  const nodesAt = bytes.indexOf('"nodes":[');
  const stringsAt = bytes.lastIndexOf('"strings":[');
  const header = JSON.parse(`${bytes.subarray(0, nodesAt).toString('utf8').trim().replace(/,$/, '')}}`) as { snapshot: { meta: SnapshotMeta; node_count: number } };
  const { meta, node_count: nodeCount } = header.snapshot;
  const strings = JSON.parse(bytes.subarray(stringsAt + '"strings":'.length, bytes.lastIndexOf(']') + 1).toString('utf8')) as string[];
  const fields = meta.node_fields.length;
  const typeField = meta.node_fields.indexOf('type');
  const nameField = meta.node_fields.indexOf('name');
  const sizeField = meta.node_fields.indexOf('self_size');
  const typeNames = meta.node_types[0];
  const groups = new Map<string, { count: number; bytes: number }>();
  let totalBytes = 0;
  // Reads the node table's integers in place: fields values per node, separated by commas and newlines.
  let position = nodesAt + '"nodes":['.length;
  const row = new Array<number>(fields);
  for (let node = 0; node < nodeCount; node++) {
    for (let field = 0; field < fields; field++) {
      let value = 0;
      let byte = bytes[position]!;
      while (byte < 48 || byte > 57) byte = bytes[++position]!;
      while (byte >= 48 && byte <= 57) {
        value = value * 10 + (byte - 48);
        byte = bytes[++position]!;
      }
      row[field] = value;
    }
    const type = typeNames[row[typeField]!]!;
    const label = type === 'object' || type === 'closure' || type === 'native' ? `${type} ${strings[row[nameField]!]}` : `(${type})`;
    const group = groups.get(label) ?? { count: 0, bytes: 0 };
    group.count += 1;
    group.bytes += row[sizeField]!;
    totalBytes += row[sizeField]!;
    groups.set(label, group);
  }
  return { nodeCount, totalBytes, groups };
}

const cell = (label: string) => (label.trim() || '(no name)').slice(0, 80).replace(/\|/g, '\\|');

/** Node types and constructor names with the largest self size in the snapshot, with their counts. */
export function summarizeHeapSnapshot(file: string, top: number): string {
  const { nodeCount, totalBytes, groups } = heapGroups(file);
  const lines = [...groups]
    .sort((a, b) => b[1].bytes - a[1].bytes)
    .slice(0, top)
    .map(([label, group]) => `| ${cell(label)} | ${group.count} | ${(group.bytes / 1024 / 1024).toFixed(1)} | ${((group.bytes / totalBytes) * 100).toFixed(1)} % |`);
  return [`${nodeCount} heap objects, ${(totalBytes / 1024 / 1024).toFixed(1)} MB self size`, '', '| type / constructor | count | self MB | share |', '| --- | --- | --- | --- |', ...lines].join('\n');
}

/** What `devices` connections added between two snapshots, per device: objects and bytes by type / constructor. */
export function summarizeHeapGrowth(beforeFile: string, afterFile: string, devices: number, top: number): string {
  const before = heapGroups(beforeFile);
  const after = heapGroups(afterFile);
  const growth = [...after.groups].map(([label, group]) => {
    const earlier = before.groups.get(label) ?? { count: 0, bytes: 0 };
    return { label, count: (group.count - earlier.count) / devices, bytes: (group.bytes - earlier.bytes) / devices };
  });
  const totalPerDevice = (after.totalBytes - before.totalBytes) / devices;
  const lines = growth
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, top)
    .map((entry) => `| ${cell(entry.label)} | ${entry.count.toFixed(1)} | ${(entry.bytes / 1024).toFixed(2)} | ${((entry.bytes / totalPerDevice) * 100).toFixed(1)} % |`);
  return [
    `V8 heap self size +${(totalPerDevice / 1024).toFixed(1)} KB and +${((after.nodeCount - before.nodeCount) / devices).toFixed(0)} objects per device`,
    '',
    '| type / constructor | objects per device | KB per device | share |',
    '| --- | --- | --- | --- |',
    ...lines,
  ].join('\n');
}
