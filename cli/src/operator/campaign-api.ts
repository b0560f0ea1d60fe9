// The coordinator's campaign endpoints, over the operator's HTTP client.
import type { CampaignDto, CampaignResultDto, CampaignSummaryDto, JobCountsDto } from '../../../server/src/api/dto/index.js';
import type {
  CampaignComparison,
  CampaignSpec,
  CompareMetric,
  ComparisonFormat,
  ReportFormat,
} from '../../../server/src/campaigns/index.js';
import type { HttpClient } from './http-client.js';

export type { CampaignComparison };
/** The campaign REST answers, as the coordinator's DTOs define them. */
export type CampaignView = CampaignDto;
export type CampaignSummary = CampaignSummaryDto;
export type CampaignResult = CampaignResultDto;
export type JobCounts = JobCountsDto;

export interface CompareQuery {
  /** Percent. */
  readonly threshold?: number;
  /** Percentage points. */
  readonly accuracyThreshold?: number;
  readonly metrics?: readonly CompareMetric[];
}

export class CampaignApi {
  constructor(private readonly http: HttpClient) {}

  start(spec: CampaignSpec): Promise<CampaignView> {
    return this.http.request('POST', '/api/campaigns', spec);
  }

  list(): Promise<CampaignSummary[]> {
    return this.http.request('GET', '/api/campaigns');
  }

  get(id: string): Promise<CampaignView> {
    return this.http.request('GET', `/api/campaigns/${encodeURIComponent(id)}`);
  }

  cancel(id: string): Promise<CampaignView> {
    return this.http.request('POST', `/api/campaigns/${encodeURIComponent(id)}/cancel`);
  }

  /** The report exactly as the coordinator renders it (JSON, CSV or self-contained HTML). */
  report(id: string, format: ReportFormat): Promise<string> {
    return this.http.requestText(`/api/campaigns/${encodeURIComponent(id)}/report?format=${format}`);
  }

  /** Campaign B against campaign A, cell by cell (the coordinator computes it). */
  async compare(a: string, b: string, query: CompareQuery = {}): Promise<CampaignComparison> {
    return JSON.parse(await this.compareText(a, b, 'json', query)) as CampaignComparison;
  }

  /** The comparison exactly as the coordinator renders it (JSON or self-contained HTML). */
  compareText(a: string, b: string, format: ComparisonFormat, query: CompareQuery = {}): Promise<string> {
    const params = new URLSearchParams({ format });
    if (query.threshold !== undefined) params.set('threshold', String(query.threshold));
    if (query.accuracyThreshold !== undefined) params.set('accuracyThreshold', String(query.accuracyThreshold));
    if (query.metrics !== undefined) params.set('metrics', query.metrics.join(','));
    return this.http.requestText(`/api/campaigns/${encodeURIComponent(a)}/compare/${encodeURIComponent(b)}?${params.toString()}`);
  }
}
