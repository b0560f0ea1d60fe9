// Terminal views of federated jobs: the job list, and one job's header with its live round table.
import type { FederatedJob, FederatedRound } from './federated-api.js';
import { formatBytes, formatPercent, shortId } from './format.js';
import { formatTable, type Column } from './table.js';

const JOB_COLUMNS: readonly Column<FederatedJob>[] = [
  { header: 'ID', value: (job) => shortId(job.id) },
  { header: 'NAME', value: (job) => job.name },
  { header: 'STATE', value: (job) => job.state },
  { header: 'ROUND', value: (job) => `${Math.min(job.currentRound, job.plan.rounds)}/${job.plan.rounds}`, align: 'right' },
  { header: 'ACCURACY', value: (job) => formatPercent(lastAccuracy(job)), align: 'right' },
  { header: 'UP', value: (job) => formatBytes(job.totals.bytesUp), align: 'right' },
  { header: 'DOWN', value: (job) => formatBytes(job.totals.bytesDown), align: 'right' },
];

const ROUND_COLUMNS: readonly Column<FederatedRound>[] = [
  { header: 'ROUND', value: (round) => String(round.round), align: 'right' },
  { header: 'STATE', value: (round) => round.state },
  { header: 'UPDATES', value: (round) => `${round.applied}/${round.targetUpdates}`, align: 'right' },
  { header: 'SELECTED', value: (round) => String(round.selected), align: 'right' },
  { header: 'DOWN', value: (round) => formatBytes(round.bytesDown), align: 'right' },
  { header: 'UP', value: (round) => formatBytes(round.bytesUp), align: 'right' },
  { header: 'TIME', value: (round) => (round.durationMs === null ? '-' : `${(round.durationMs / 1000).toFixed(1)}s`), align: 'right' },
  { header: 'ACCURACY', value: (round) => formatPercent(round.accuracy), align: 'right' },
  { header: 'CLOSED BECAUSE', value: (round) => round.closeReason ?? '', maxWidth: 50 },
];

export function formatFederatedTable(jobs: readonly FederatedJob[]): string {
  return formatTable(JOB_COLUMNS, jobs);
}

export function formatFederatedJob(job: FederatedJob): string {
  const plan = job.plan;
  const partition = plan.partition.kind === 'dirichlet' ? `dirichlet α=${plan.partition.alpha}` : 'iid';
  const local = plan.local.steps !== undefined ? `${plan.local.steps} steps` : `${plan.local.epochs} epochs`;
  const header = [
    `${job.name} (${job.id}) ${job.state}${job.reason ? `: ${job.reason}` : ''}`,
    `  ${plan.model} ${plan.method} density ${plan.density}; ${plan.rounds} rounds of ${local}; ${plan.clients} clients, K=${plan.targetUpdates}, ${plan.selectPerRound} selected per round`,
    `  partition ${partition} (seed ${plan.partition.seed}); mask ${plan.maskMode}; server ${plan.serverOptimizer.kind}; updates ${plan.updateDtype}`,
    `  shards: ${job.shards.length === 0 ? '-' : job.shards.map((shard) => `${shard.clientIndex}→${shortId(shard.deviceId)}`).join(' ')}`,
    ...(job.partition.length === 0 ? [] : [`  ${describeShardSizes(job.partition)}`]),
    `  total down ${formatBytes(job.totals.bytesDown)}, up ${formatBytes(job.totals.bytesUp)}, ${job.totals.appliedUpdates} updates applied`,
  ];
  return [...header, '', job.rounds.length === 0 ? 'no rounds yet' : formatTable(ROUND_COLUMNS, job.rounds)].join('\n');
}

function lastAccuracy(job: FederatedJob): number | null {
  for (let index = job.rounds.length - 1; index >= 0; index -= 1) {
    const accuracy = job.rounds[index]!.accuracy;
    if (accuracy !== null) return accuracy;
  }
  return null;
}

/** "shard sizes 12–80 (median 40), 2–7 of 10 labels each" */
function describeShardSizes(partition: FederatedJob['partition']): string {
  const sizes = partition.map((shard) => shard.examples).sort((a, b) => a - b);
  const labels = partition.map((shard) => shard.labelCounts.filter((count) => count > 0).length);
  const classes = partition[0]?.labelCounts.length ?? 0;
  const median = sizes[Math.floor(sizes.length / 2)]!;
  return `shard sizes ${sizes[0]}–${sizes.at(-1)} (median ${median}), ${Math.min(...labels)}–${Math.max(...labels)} of ${classes} labels each`;
}
