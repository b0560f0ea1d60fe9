// The REST API as the dashboard uses it: the same routes and the same `Authorization: Bearer <key>` as the CLI. The
// coordinator's base URL is the page's own, one level above /dashboard/ (so a proxy's path prefix is kept).
import type {
  CampaignSummaryDto,
  CreateEnrollmentTokenBody,
  CreatedEnrollmentTokenDto,
  DeviceListEntryDto,
  EnrollmentTokenDto,
  JobDto,
  JobProgressDto,
} from '../../api/dto/index.js';

/** The coordinator answered with a non-2xx status; `message` is its own. */
export class ApiRejectedError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ApiRejectedError';
  }
}

/** Nothing answered (coordinator down, network gone). */
export class UnreachableError extends Error {
  constructor(reason: string) {
    super(`cannot reach the coordinator (${reason})`);
    this.name = 'UnreachableError';
  }
}

/** The coordinator's base URL (with a trailing slash) for a page at `<base>/dashboard/…`. */
export function coordinatorBase(pageUrl: string): string {
  return new URL('../', new URL('./', pageUrl)).href;
}

export class DashboardApi {
  private readonly apiBase: string;

  constructor(
    readonly baseUrl: string,
    private readonly apiKey: string,
  ) {
    this.apiBase = new URL('api/', baseUrl).href;
  }

  listDevices(): Promise<DeviceListEntryDto[]> {
    return this.request('GET', 'devices');
  }

  listJobs(): Promise<JobDto[]> {
    return this.request('GET', 'jobs');
  }

  jobProgress(id: string): Promise<JobProgressDto[]> {
    return this.request('GET', `jobs/${encodeURIComponent(id)}/progress`);
  }

  listCampaigns(): Promise<CampaignSummaryDto[]> {
    return this.request('GET', 'campaigns');
  }

  /** The self-contained HTML report (chart.js and its data inline). */
  campaignReportHtml(id: string): Promise<string> {
    return this.requestText(`campaigns/${encodeURIComponent(id)}/report?format=html`);
  }

  listTokens(): Promise<EnrollmentTokenDto[]> {
    return this.request('GET', 'enrollment-tokens');
  }

  createToken(body: CreateEnrollmentTokenBody): Promise<CreatedEnrollmentTokenDto> {
    return this.request('POST', 'enrollment-tokens', body);
  }

  revokeToken(id: string): Promise<EnrollmentTokenDto> {
    return this.request('DELETE', `enrollment-tokens/${encodeURIComponent(id)}`);
  }

  private async request<T>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<T> {
    return JSON.parse(await this.send(method, path, 'application/json', body)) as T;
  }

  private requestText(path: string): Promise<string> {
    return this.send('GET', path, '*/*');
  }

  private async send(method: string, path: string, accept: string, body?: unknown): Promise<string> {
    const headers: Record<string, string> = { accept, authorization: `Bearer ${this.apiKey}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(new URL(path, this.apiBase), { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (error) {
      throw new UnreachableError(error instanceof Error ? error.message : String(error));
    }
    const text = await response.text();
    if (!response.ok) throw new ApiRejectedError(response.status, serverMessage(text, response));
    return text;
  }
}

/** Nest answers `{ statusCode, message, issues? }`; `message` may be a list. */
function serverMessage(text: string, response: Response): string {
  try {
    const parsed = JSON.parse(text) as { message?: unknown; issues?: unknown };
    const issues = Array.isArray(parsed.issues) ? `: ${parsed.issues.map(String).join('; ')}` : '';
    if (typeof parsed.message === 'string') return parsed.message + issues;
    if (Array.isArray(parsed.message)) return parsed.message.map(String).join('; ');
  } catch {
    // Not JSON (a proxy's error page): fall through to the status line.
  }
  return `${response.status} ${response.statusText}`.trim();
}
