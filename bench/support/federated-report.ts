// bench:federated's tables and comparisons: the per-round rows of each variant, and sparse vs dense at equal rounds
// and at equal upload bytes (dense at the last round whose cumulative upload fits sparse's total).
import type { RoundRecord } from './federated-rounds.js';

export interface Comparison {
  readonly comparison: 'equal-rounds' | 'equal-upload-bytes';
  readonly sparseRound: number;
  readonly denseRound: number;
  readonly sparseAccuracy: number;
  /** undefined when no dense round fits the byte budget (dense could not finish one round on it). */
  readonly denseAccuracy: number | undefined;
  readonly deltaPt: number | undefined;
  readonly sparseUploadBytes: number;
  readonly denseUploadBytes: number;
  /** undefined where dense had uploaded nothing yet (its round 0 is the initial model). */
  readonly uploadRatio: number | undefined;
  readonly sparseDownloadBytes: number;
  readonly denseDownloadBytes: number;
  readonly sparseWallMs: number;
  readonly denseWallMs: number;
}

export function compare(dense: readonly RoundRecord[], sparse: readonly RoundRecord[]): Comparison[] {
  const lastSparse = sparse[sparse.length - 1];
  const sameRound = dense.find((record) => record.round === lastSparse.round) ?? dense[dense.length - 1];
  const withinBudget = dense.filter((record) => record.uploadBytes <= lastSparse.uploadBytes);
  const sameBytes = withinBudget[withinBudget.length - 1];
  return [comparison('equal-rounds', sameRound, lastSparse), comparison('equal-upload-bytes', sameBytes, lastSparse)];
}

function comparison(kind: Comparison['comparison'], dense: RoundRecord | undefined, sparse: RoundRecord): Comparison {
  const denseAccuracy = dense?.testAccuracy;
  return {
    comparison: kind,
    sparseRound: sparse.round,
    denseRound: dense?.round ?? 0,
    sparseAccuracy: sparse.testAccuracy,
    denseAccuracy,
    deltaPt: denseAccuracy === undefined ? undefined : (sparse.testAccuracy - denseAccuracy) * 100,
    sparseUploadBytes: sparse.uploadBytes,
    denseUploadBytes: dense?.uploadBytes ?? 0,
    uploadRatio: dense === undefined || dense.uploadBytes === 0 ? undefined : sparse.uploadBytes / dense.uploadBytes,
    sparseDownloadBytes: sparse.downloadBytes,
    denseDownloadBytes: dense?.downloadBytes ?? 0,
    sparseWallMs: sparse.wallMs,
    denseWallMs: dense?.wallMs ?? 0,
  };
}

export function formatRounds(records: readonly RoundRecord[]): string {
  const header = ['variant', 'round', 'test acc', 'train loss', 'density', 'swapped', 'up/round', 'up total', 'down total', 'up/client vs dense fp32', 'wall'];
  const lines = records.map((record) => [
    record.variant,
    String(record.round),
    percent(record.testAccuracy),
    Number.isNaN(record.trainLoss) ? '-' : record.trainLoss.toFixed(3),
    record.density.toFixed(3),
    String(record.swapped),
    megabytes(record.roundUploadBytes),
    megabytes(record.uploadBytes),
    megabytes(record.downloadBytes),
    record.round === 0 ? '-' : (record.roundUploadBytes / (record.denseModelBytes * record.clients)).toFixed(4),
    `${(record.wallMs / 1000).toFixed(1)} s`,
  ]);
  return table(header, lines);
}

export function formatComparisons(comparisons: readonly Comparison[]): string {
  const header = ['comparison', 'sparse round', 'dense round', 'sparse acc', 'dense acc', 'Δ (pt)', 'sparse up', 'dense up', 'up ratio', 'sparse down', 'dense down', 'sparse wall', 'dense wall'];
  const lines = comparisons.map((row) => [
    row.comparison,
    String(row.sparseRound),
    String(row.denseRound),
    percent(row.sparseAccuracy),
    row.denseAccuracy === undefined ? '-' : percent(row.denseAccuracy),
    row.deltaPt === undefined ? '-' : `${row.deltaPt >= 0 ? '+' : ''}${row.deltaPt.toFixed(2)}`,
    megabytes(row.sparseUploadBytes),
    megabytes(row.denseUploadBytes),
    row.uploadRatio === undefined ? '-' : row.uploadRatio.toFixed(4),
    megabytes(row.sparseDownloadBytes),
    megabytes(row.denseDownloadBytes),
    `${(row.sparseWallMs / 1000).toFixed(1)} s`,
    `${(row.denseWallMs / 1000).toFixed(1)} s`,
  ]);
  return table(header, lines);
}

/** The targets: within 2 pt at equal rounds with ≤ 0.15× the upload bytes; ahead at equal upload bytes. */
export function verdicts(comparisons: readonly Comparison[]): string[] {
  const rounds = comparisons.find((row) => row.comparison === 'equal-rounds')!;
  const bytes = comparisons.find((row) => row.comparison === 'equal-upload-bytes')!;
  const within = rounds.deltaPt !== undefined && rounds.deltaPt >= -2;
  const cheap = rounds.uploadRatio !== undefined && rounds.uploadRatio <= 0.15;
  const ahead = bytes.deltaPt === undefined || bytes.deltaPt > 0;
  return [
    `equal rounds: sparse ${signed(rounds.deltaPt)} pt vs dense (target ≥ −2): ${within ? 'met' : 'MISSED'}; upload ${rounds.uploadRatio === undefined ? '-' : rounds.uploadRatio.toFixed(4)}× dense (target ≤ 0.15): ${cheap ? 'met' : 'MISSED'}`,
    `equal upload bytes: sparse ${signed(bytes.deltaPt)} pt vs dense at round ${bytes.denseRound} (target > 0): ${ahead ? 'met' : 'MISSED'}`,
  ];
}

function signed(value: number | undefined): string {
  if (value === undefined) return 'n/a (dense fits no round)';
  return `${value >= 0 ? '+' : ''}${value.toFixed(2)}`;
}

function percent(value: number): string {
  return `${(value * 100).toFixed(2)} %`;
}

function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(2)} MB`;
}

function table(header: readonly string[], lines: readonly string[][]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...lines.map((line) => line[column].length)));
  const render = (cells: readonly string[]) => cells.map((cell, column) => cell.padEnd(widths[column])).join('  ');
  return [render(header), render(widths.map((width) => '-'.repeat(width))), ...lines.map(render)].join('\n');
}
