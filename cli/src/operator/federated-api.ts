// The coordinator's federated-job endpoints (server/src/federated/), over the operator's HTTP client, typed with
// the coordinator's REST DTOs (types only).
import type { FederatedJobDto, FederatedParticipantDto } from '../../../server/src/api/dto/index.js';
import type { HttpClient } from './http-client.js';

export type FederatedJob = FederatedJobDto;
export type FederatedRound = FederatedJobDto['rounds'][number];
export type FederatedParticipant = FederatedParticipantDto;

export class FederatedApi {
  constructor(private readonly http: HttpClient) {}

  /** `body`: the REST submission (config, rounds, clients, fraction, partition, maskMode, …). */
  submit(body: unknown): Promise<FederatedJob> {
    return this.http.request('POST', '/api/federated', body);
  }

  list(): Promise<FederatedJob[]> {
    return this.http.request('GET', '/api/federated');
  }

  get(id: string): Promise<FederatedJob> {
    return this.http.request('GET', `/api/federated/${encodeURIComponent(id)}`);
  }

  participants(id: string, round?: number): Promise<FederatedParticipant[]> {
    const query = round === undefined ? '' : `?round=${round}`;
    return this.http.request('GET', `/api/federated/${encodeURIComponent(id)}/participants${query}`);
  }

  cancel(id: string): Promise<FederatedJob> {
    return this.http.request('POST', `/api/federated/${encodeURIComponent(id)}/cancel`);
  }

  reportHtml(id: string): Promise<string> {
    return this.http.requestText(`/api/federated/${encodeURIComponent(id)}/report`);
  }
}
