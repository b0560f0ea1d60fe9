// A closed round's stats_json: the aggregation's numbers, plus `evaluationError` once its held-out evaluation failed
// (kept there rather than in a column of its own: it is the round's record, read with the rest).
export interface RoundStats {
  readonly stats: Record<string, number> | null;
  readonly evaluationError: string | null;
}

export function parseRoundStats(json: string | null): RoundStats {
  if (!json) return { stats: null, evaluationError: null };
  const { evaluationError, ...numbers } = JSON.parse(json) as Record<string, unknown>;
  const stats = Object.fromEntries(Object.entries(numbers).filter((entry): entry is [string, number] => typeof entry[1] === 'number'));
  return { stats, evaluationError: typeof evaluationError === 'string' ? evaluationError : null };
}

export function withEvaluationError(json: string | null, message: string): string {
  return JSON.stringify({ ...(json ? (JSON.parse(json) as Record<string, unknown>) : {}), evaluationError: message });
}
