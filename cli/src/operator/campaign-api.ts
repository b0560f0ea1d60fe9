// The coordinator's campaign endpoints, over the operator's HTTP client.
import type { CampaignSpec } from '../../../server/src/campaigns/campaign-spec.js';
import type { CampaignSummary, CampaignView } from '../../../server/src/campaigns/campaign-views.js';
import type { ReportFormat } from '../../../server/src/campaigns/report/report-format.js';
import type { HttpClient } from './http-client.js';

export type { CampaignSummary, CampaignView };

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
}
