// What operator tools may use of campaigns without a running coordinator: read and check a campaign spec (parse,
// expand the matrix, validate each cell's job), the report and comparison formats and comparison options. The shapes
// the REST API answers with are its DTOs (server/src/api/dto/index.ts). No NestJS behind it, so `sparsefleet
// campaign` starts quickly.
export { CampaignSpecError, parseCampaignYaml, type CampaignSpec } from './campaign-spec.js';
export { expandMatrix } from './campaign-matrix.js';
export { validateCells } from './cell-job-spec.js';
export { REPORT_FORMATS, type ReportFormat } from './report/report-format.js';
export type { ComparisonFormat } from './compare/compare-format.js';
export {
  COMPARE_METRICS,
  CompareOptionError,
  DEFAULT_ACCURACY_THRESHOLD_POINTS,
  DEFAULT_THRESHOLD_PERCENT,
  parseMetrics,
  parseThreshold,
  verdictLine,
  type CampaignComparison,
  type CellComparison,
  type CompareMetric,
  type ComparedCampaign,
  type MetricComparison,
  type SideFigure,
} from './compare/campaign-compare.js';
