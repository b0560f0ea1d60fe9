// One method per coordinator REST endpoint the operator CLI uses (see the contract in the operator brief).
import type {
  CreatedToken,
  CreateTokenRequest,
  Device,
  Job,
  JobProgress,
  JobResult,
  Labels,
  MaskStats,
  SubmitJobRequest,
  TokenSummary,
} from './api-types.js';
import { ApiError } from './errors.js';
import type { HttpClient } from './http-client.js';

export class OperatorApi {
  constructor(readonly http: HttpClient) {}

  get serverUrl(): string {
    return this.http.serverUrl;
  }

  createToken(request: CreateTokenRequest): Promise<CreatedToken> {
    return this.http.request('POST', '/api/enrollment-tokens', request);
  }

  listTokens(): Promise<TokenSummary[]> {
    return this.http.request('GET', '/api/enrollment-tokens');
  }

  async revokeToken(id: string): Promise<void> {
    await this.http.request('DELETE', `/api/enrollment-tokens/${segment(id)}`);
  }

  listDevices(): Promise<Device[]> {
    return this.http.request('GET', '/api/devices');
  }

  getDevice(id: string): Promise<Device> {
    return this.http.request('GET', `/api/devices/${segment(id)}`);
  }

  setDeviceLabels(id: string, labels: Labels): Promise<Device | undefined> {
    return this.http.request('PUT', `/api/devices/${segment(id)}/labels`, { labels });
  }

  async revokeDevice(id: string): Promise<void> {
    await this.http.request('POST', `/api/devices/${segment(id)}/revoke`);
  }

  reclaimDevice(id: string, ttlSeconds?: number): Promise<CreatedToken> {
    return this.http.request('POST', `/api/devices/${segment(id)}/reclaim`, ttlSeconds === undefined ? {} : { ttlSeconds });
  }

  submitJob(request: SubmitJobRequest): Promise<Pick<Job, 'id' | 'state'> & Partial<Job>> {
    return this.http.request('POST', '/api/jobs', request);
  }

  listJobs(state?: string): Promise<Job[]> {
    const query = state === undefined ? '' : `?state=${encodeURIComponent(state)}`;
    return this.http.request('GET', `/api/jobs${query}`);
  }

  getJob(id: string): Promise<Job> {
    return this.http.request('GET', `/api/jobs/${segment(id)}`);
  }

  cancelJob(id: string): Promise<Partial<Job> | undefined> {
    return this.http.request('POST', `/api/jobs/${segment(id)}/cancel`);
  }

  listProgress(id: string): Promise<JobProgress[]> {
    return this.http.request('GET', `/api/jobs/${segment(id)}/progress`);
  }

  /** Churn and ITOP per mask update of the job (no updates when it does not report masks). */
  getMaskStats(id: string): Promise<MaskStats> {
    return this.http.request('GET', `/api/jobs/${segment(id)}/mask-stats`);
  }

  /** The job's result, or undefined while it has none (the coordinator answers 404 until then). */
  async getResult(id: string): Promise<JobResult | undefined> {
    try {
      return await this.http.request<JobResult>('GET', `/api/jobs/${segment(id)}/result`);
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) return undefined;
      throw error;
    }
  }
}

function segment(id: string): string {
  return encodeURIComponent(id);
}
