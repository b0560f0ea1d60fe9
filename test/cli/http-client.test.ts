import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError, CoordinatorUnreachableError, describeFailure, EXIT_REQUEST_FAILED, EXIT_USAGE, UsageError } from '../../cli/src/operator/errors.js';
import { HttpClient } from '../../cli/src/operator/http-client.js';

type Handler = (request: IncomingMessage, body: string, response: ServerResponse) => void;

async function listen(handler: Handler): Promise<{ server: Server; url: string }> {
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => handler(request, body, response));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe(HttpClient.name, () => {
  let server: Server | undefined;

  afterEach(async () => {
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    server = undefined;
  });

  it('should send the key as a bearer token and the body as JSON', async () => {
    // Prepare
    let seen: { auth?: string; type?: string; method?: string; url?: string; body?: string } = {};
    const started = await listen((request, body, response) => {
      seen = { auth: request.headers.authorization, type: request.headers['content-type'], method: request.method, url: request.url, body };
      response.writeHead(201, { 'content-type': 'application/json' }).end('{"id":"t1"}');
    });
    server = started.server;
    const sut = new HttpClient({ serverUrl: `${started.url}/`, apiKey: 'k-123' });

    // Execute
    const answer = await sut.request('POST', '/api/enrollment-tokens', { maxUses: 2 });

    // Assert
    expect(answer).toEqual({ id: 't1' });
    expect(seen).toEqual({
      auth: 'Bearer k-123',
      type: 'application/json',
      method: 'POST',
      url: '/api/enrollment-tokens',
      body: '{"maxUses":2}',
    });
  });

  it('should return undefined for an empty 204 answer', async () => {
    const started = await listen((_request, _body, response) => response.writeHead(204).end());
    server = started.server;

    await expect(new HttpClient({ serverUrl: started.url }).request('DELETE', '/api/x')).resolves.toBeUndefined();
  });

  it("should turn a Nest error body into an ApiError carrying the server's message and issues", async () => {
    const started = await listen((_request, _body, response) => {
      response.writeHead(400, { 'content-type': 'application/json' }).end(
        JSON.stringify({ statusCode: 400, error: 'Bad Request', message: 'invalid request: config.optimizer.lr: must be > 0', issues: ['config.optimizer.lr: must be > 0'] }),
      );
    });
    server = started.server;

    const error = await new HttpClient({ serverUrl: started.url }).request('POST', '/api/jobs', {}).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).message).toBe('400 Bad Request: invalid request: config.optimizer.lr: must be > 0');
    expect((error as ApiError).issues).toEqual(['config.optimizer.lr: must be > 0']);
  });

  it('should keep the first line of a non-JSON error page', async () => {
    const started = await listen((_request, _body, response) => response.writeHead(502).end('Bad gateway\n<html>…</html>'));
    server = started.server;

    await expect(new HttpClient({ serverUrl: started.url }).request('GET', '/api/jobs')).rejects.toThrow('502 Bad Gateway: Bad gateway');
  });

  it('should say the coordinator cannot be reached when nothing listens', async () => {
    // Prepare: a port that was just free.
    const started = await listen(() => {});
    await new Promise((resolve) => started.server.close(resolve));

    // Execute
    const error = await new HttpClient({ serverUrl: started.url }).request('GET', '/api/devices').catch((caught: unknown) => caught);

    // Assert
    expect(error).toBeInstanceOf(CoordinatorUnreachableError);
    expect((error as Error).message).toBe(`cannot reach the coordinator at ${started.url} (ECONNREFUSED)`);
  });
});

describe('describeFailure', () => {
  it('should map usage errors to exit code 2 with one line per issue', () => {
    expect(describeFailure(new UsageError(['a: bad', 'b: bad']), false)).toEqual({ lines: ['error: a: bad', 'error: b: bad'], exitCode: EXIT_USAGE });
  });

  it('should map coordinator errors to exit code 1 and explain a 401', () => {
    const noKey = describeFailure(new ApiError(401, 'Unauthorized', 'missing API key', [], 'GET', '/api/jobs'), false);
    const notFound = describeFailure(new ApiError(404, 'Not Found', 'job x does not exist', [], 'GET', '/api/jobs/x'), true);

    expect(noKey.exitCode).toBe(EXIT_REQUEST_FAILED);
    expect(noKey.lines).toHaveLength(1);
    expect(noKey.lines[0]).toMatch(/^error: 401 Unauthorized: missing API key \(no API key given; pass --api-key/);
    expect(notFound).toEqual({ lines: ['error: 404 Not Found: job x does not exist'], exitCode: EXIT_REQUEST_FAILED });
  });
});
