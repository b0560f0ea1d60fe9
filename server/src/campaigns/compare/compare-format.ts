// The comparison formats and how each is served.
import type { CampaignComparison } from './campaign-compare.js';
import { renderComparisonHtml } from './compare-html.js';

export const COMPARISON_FORMATS = ['json', 'html'] as const;
export type ComparisonFormat = (typeof COMPARISON_FORMATS)[number];

export const COMPARISON_CONTENT_TYPES: Readonly<Record<ComparisonFormat, string>> = {
  json: 'application/json; charset=utf-8',
  html: 'text/html; charset=utf-8',
};

export function isComparisonFormat(value: string): value is ComparisonFormat {
  return (COMPARISON_FORMATS as readonly string[]).includes(value);
}

export function renderComparison(comparison: CampaignComparison, format: ComparisonFormat): string {
  return format === 'json' ? `${JSON.stringify(comparison, null, 2)}\n` : renderComparisonHtml(comparison);
}
