// The coordinator's data-statistics and removal-set endpoints (server/src/datastats/), over the operator's HTTP
// client. The answers are typed with the coordinator's REST DTOs (types only), so a field renamed there does not
// compile here.
import type {
  DatasetDetailDto,
  DatasetIdentityDto,
  DatasetSummaryDto,
  DatastatsListDto,
  RemovalRuleDto,
  RemovalSetDto,
  RemovalSetIdsDto,
  RemovalSetListDto,
} from '../../../server/src/api/dto/index.js';
import type { HttpClient } from './http-client.js';

export type DatasetIdentityView = DatasetIdentityDto;
export type DatasetSummary = DatasetSummaryDto;
export type DatasetDetail = DatasetDetailDto;
export type HistogramBin = DatasetDetailDto['histogram'][number];
export type RemovalRule = RemovalRuleDto;
export type RemovalSetView = RemovalSetDto;

export class DatastatsApi {
  constructor(private readonly http: HttpClient) {}

  register(identity: DatasetIdentityView): Promise<DatasetSummary> {
    return this.http.request('POST', '/api/datastats/datasets', identity);
  }

  async list(): Promise<DatasetSummary[]> {
    return (await this.http.request<DatastatsListDto>('GET', '/api/datastats')).datasets;
  }

  /** `dataset`: a content hash, or a name registered under exactly one hash. */
  get(dataset: string): Promise<DatasetDetail> {
    return this.http.request('GET', `/api/datastats/${segment(dataset)}`);
  }

  /** CSV: id,presentations,forgetting_events,first_learned_epoch,forgetting_count,contributors. */
  exportCsv(dataset: string): Promise<string> {
    return this.http.requestText(`/api/datastats/${segment(dataset)}/export`);
  }

  /** The self-contained HTML report. */
  reportHtml(dataset: string): Promise<string> {
    return this.http.requestText(`/api/datastats/${segment(dataset)}/report`);
  }

  createRemovalSet(dataset: string, rule: RemovalRule): Promise<RemovalSetView> {
    return this.http.request('POST', '/api/removal-sets', { dataset, rule });
  }

  async listRemovalSets(dataset?: string): Promise<RemovalSetView[]> {
    const query = dataset === undefined ? '' : `?dataset=${encodeURIComponent(dataset)}`;
    return (await this.http.request<RemovalSetListDto>('GET', `/api/removal-sets${query}`)).removalSets;
  }

  getRemovalSet(id: string): Promise<RemovalSetView> {
    return this.http.request('GET', `/api/removal-sets/${segment(id)}`);
  }

  async removalSetIds(id: string): Promise<number[]> {
    return (await this.http.request<RemovalSetIdsDto>('GET', `/api/removal-sets/${segment(id)}/ids`)).ids;
  }
}

function segment(id: string): string {
  return encodeURIComponent(id);
}
