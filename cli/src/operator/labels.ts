// `key=value` label arguments: `--label site=lab`, `devices label ID site=lab tier=edge zone-`.
import type { Labels } from './api-types.js';
import { UsageError } from './errors.js';

// Kubernetes-like: a key starts and ends alphanumeric, may hold . _ - / inside; values may be empty.
const KEY_PATTERN = /^[A-Za-z0-9](?:[A-Za-z0-9._/-]{0,61}[A-Za-z0-9])?$/;
const VALUE_MAX_LENGTH = 256;

export interface LabelEdits {
  readonly set: Labels;
  readonly remove: readonly string[];
}

/** `k=v` pairs into labels; a repeated key is an error (it is almost always a typo). */
export function parseLabelPairs(pairs: readonly string[], flag = '--label'): Labels {
  const edits = parseLabelEdits(pairs, flag, false);
  return edits.set;
}

/** `k=v` sets a label, `k-` removes it (only when `allowRemoval`). */
export function parseLabelEdits(pairs: readonly string[], flag: string, allowRemoval = true): LabelEdits {
  const set: Labels = {};
  const remove: string[] = [];
  const issues: string[] = [];
  const seen = new Set<string>();
  for (const pair of pairs) {
    const equals = pair.indexOf('=');
    const removal = equals < 0 && allowRemoval && pair.endsWith('-');
    const key = equals >= 0 ? pair.slice(0, equals) : removal ? pair.slice(0, -1) : '';
    if (!KEY_PATTERN.test(key)) {
      issues.push(`${flag}: '${pair}' is not key=value${allowRemoval ? ' or key-' : ''} (keys: letters, digits, . _ - /)`);
      continue;
    }
    if (seen.has(key)) {
      issues.push(`${flag}: label '${key}' given twice`);
      continue;
    }
    seen.add(key);
    if (equals < 0) {
      remove.push(key);
      continue;
    }
    const value = pair.slice(equals + 1);
    if (value.length > VALUE_MAX_LENGTH) issues.push(`${flag}: value of '${key}' is longer than ${VALUE_MAX_LENGTH}`);
    else set[key] = value;
  }
  if (issues.length > 0) throw new UsageError(issues);
  return { set, remove };
}

/** Current labels with the edits applied (removals of absent keys are ignored). */
export function applyLabelEdits(current: Labels, edits: LabelEdits): Labels {
  const next: Labels = { ...current, ...edits.set };
  for (const key of edits.remove) delete next[key];
  return next;
}

/** `site=lab,tier=edge` sorted by key; '-' when there are none. */
export function formatLabels(labels: Labels | null | undefined): string {
  const entries = Object.entries(labels ?? {}).sort(([a], [b]) => a.localeCompare(b));
  return entries.length === 0 ? '-' : entries.map(([key, value]) => `${key}=${value}`).join(',');
}
