// JSON over HTTP to the coordinator's REST API with the operator's API key. Non-2xx answers become ApiError with the
// server's own message; a coordinator that does not answer at all becomes CoordinatorUnreachableError.
import { ApiError, CoordinatorUnreachableError } from './errors.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface HttpClientOptions {
  /** Base URL of the coordinator, e.g. http://127.0.0.1:8080 (no trailing slash needed). */
  readonly serverUrl: string;
  readonly apiKey?: string;
  /** Per-request limit; default 30 s. */
  readonly timeoutMs?: number;
}

// Network-level failure codes (Node's undici puts them on `error.cause.code`).
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
]);

export class HttpClient {
  readonly serverUrl: string;
  readonly hasApiKey: boolean;
  private readonly apiKey: string | undefined;
  private readonly timeoutMs: number;

  constructor(options: HttpClientOptions) {
    this.serverUrl = options.serverUrl.replace(/\/+$/, '');
    this.apiKey = options.apiKey;
    this.hasApiKey = options.apiKey !== undefined && options.apiKey !== '';
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  /** Sends `body` as JSON and returns the parsed JSON answer (undefined for an empty body, e.g. 204). */
  async request<T>(method: HttpMethod, path: string, body?: unknown): Promise<T> {
    const { response, text } = await this.send(method, path, body, 'application/json');
    if (text.trim() === '') return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new Error(`${method} ${path}: the coordinator answered ${response.status} with a body that is not JSON`);
    }
  }

  /** A GET whose answer is not JSON (a CSV or HTML report): the body as text. */
  async requestText(path: string): Promise<string> {
    return (await this.send('GET', path, undefined, '*/*')).text;
  }

  private async send(method: HttpMethod, path: string, body: unknown, accept: string): Promise<{ response: Response; text: string }> {
    const headers: Record<string, string> = { accept };
    if (this.hasApiKey) headers.authorization = `Bearer ${this.apiKey}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(`${this.serverUrl}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw this.networkFailure(error);
    }
    const text = await response.text();
    if (!response.ok) throw toApiError(response, text, method, path);
    return { response, text };
  }

  private networkFailure(error: unknown): Error {
    if (error instanceof DOMException && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
      return new CoordinatorUnreachableError(this.serverUrl, `no answer within ${Math.round(this.timeoutMs / 1000)} s`);
    }
    const code = networkErrorCode(error);
    if (code !== undefined && UNREACHABLE_CODES.has(code)) return new CoordinatorUnreachableError(this.serverUrl, code);
    // fetch reports every transport failure as `TypeError: fetch failed`; keep whatever detail the cause has.
    if (error instanceof TypeError) {
      const cause = error.cause instanceof Error ? error.cause.message : error.message;
      return new CoordinatorUnreachableError(this.serverUrl, code ?? cause);
    }
    return error instanceof Error ? error : new Error(String(error));
  }
}

function networkErrorCode(error: unknown): string | undefined {
  let current: unknown = error;
  // The code may sit one or two causes deep (undici wraps connect errors, AggregateError for dual-stack hosts).
  for (let depth = 0; depth < 4 && current instanceof Error; depth += 1) {
    const code = (current as NodeJS.ErrnoException).code;
    if (typeof code === 'string') return code;
    if (current instanceof AggregateError && current.errors[0] instanceof Error) current = current.errors[0];
    else current = current.cause;
  }
  return undefined;
}

/** Nest answers `{ statusCode, error, message, issues? }`; `message` may be a string or a list. */
function toApiError(response: Response, text: string, method: string, path: string): ApiError {
  let message = text.trim() === '' ? response.statusText || 'no details' : text.trim();
  let issues: string[] = [];
  try {
    const body = JSON.parse(text) as { message?: unknown; issues?: unknown };
    if (typeof body.message === 'string') message = body.message;
    else if (Array.isArray(body.message)) message = body.message.map(String).join('; ');
    if (Array.isArray(body.issues)) issues = body.issues.map(String);
  } catch {
    // Not JSON (a proxy's HTML page, say): keep the first line of the raw text.
    message = message.split('\n')[0]!.slice(0, 200);
  }
  return new ApiError(response.status, response.statusText, message, issues, method, path);
}
