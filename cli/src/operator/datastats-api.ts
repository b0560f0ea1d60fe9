// The coordinator's data-statistics and removal-set endpoints (server/src/datastats/), over the operator's HTTP
// client. The answers are typed as the CLI reads them; fields it does not show are left out.
import type { HttpClient } from './http-client.js';

export interface DatasetIdentityView {
  readonly name: string;
  readonly contentHash: string;
  readonly size: number;
}

/** One registered data set in GET /datastats. */
export interface DatasetSummary extends DatasetIdentityView {
  readonly registeredAt: string;
  readonly contributions: number;
  readonly jobs: number;
  readonly devices: number;
  readonly coveredExamples: number;
  readonly epochsObserved: number;
  readonly latestRemovalSet?: { readonly id: string; readonly version: number } | null;
}

export interface HistogramBin {
  readonly forgettingCount: number;
  readonly examples: number;
}

export interface ContributionView {
  readonly jobId: string;
  readonly attempt: number;
  readonly epoch: number;
  readonly deviceId: string;
  readonly epochsObserved: number;
  readonly final: boolean;
  readonly examples: number;
  readonly selected: boolean;
  readonly receivedAt: string;
}

export type RemovalRule =
  | { readonly kind: 'fraction'; readonly fraction: number; readonly minEpochs: number }
  | { readonly kind: 'threshold'; readonly maxForgetting: number; readonly minEpochs: number };

export interface RemovalSetView {
  readonly id: string;
  readonly version: number;
  readonly dataset: DatasetIdentityView;
  readonly rule: RemovalRule;
  readonly requestedCount: number;
  readonly removedCount: number;
  readonly createdAt: string;
  readonly provenance: {
    readonly devices: readonly string[];
    readonly jobs: ReadonlyArray<{ readonly jobId: string; readonly attempt: number; readonly epochsObserved: number }>;
    readonly epochsObserved: number;
    readonly contributions: number;
  };
}

export interface TrainedJobView {
  readonly jobId: string;
  readonly removalSetId: string;
  readonly version: number;
  readonly removedFraction: number;
  readonly testAccuracy: number | null;
  readonly state: string;
}

/** GET /datastats/:dataset: the summary, with the contributions listed instead of counted. */
export interface DatasetDetail extends Omit<DatasetSummary, 'contributions'> {
  /** Learned covered examples by forgetting count. */
  readonly histogram: readonly HistogramBin[];
  readonly neverLearned: number;
  readonly unforgettable: number;
  readonly uncovered: number;
  readonly contributions: readonly ContributionView[];
  readonly removalSets: readonly RemovalSetView[];
  readonly trainedJobs: readonly TrainedJobView[];
}

export class DatastatsApi {
  constructor(private readonly http: HttpClient) {}

  register(identity: DatasetIdentityView): Promise<DatasetSummary> {
    return this.http.request('POST', '/api/datastats/datasets', identity);
  }

  async list(): Promise<DatasetSummary[]> {
    return (await this.http.request<{ datasets: DatasetSummary[] }>('GET', '/api/datastats')).datasets;
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
    return (await this.http.request<{ removalSets: RemovalSetView[] }>('GET', `/api/removal-sets${query}`)).removalSets;
  }

  getRemovalSet(id: string): Promise<RemovalSetView> {
    return this.http.request('GET', `/api/removal-sets/${segment(id)}`);
  }

  async removalSetIds(id: string): Promise<number[]> {
    return (await this.http.request<{ ids: number[] }>('GET', `/api/removal-sets/${segment(id)}/ids`)).ids;
  }
}

function segment(id: string): string {
  return encodeURIComponent(id);
}
