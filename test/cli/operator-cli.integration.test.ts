// The operator command handlers against a real coordinator in this process (port 0, throwaway data dir), with
// --json output parsed and checked. The API key is bootstrapped with `apikey create` before the coordinator starts.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runApiKeyCreate } from '../../cli/src/commands/apikey.js';
import { runDevicesLabel, runDevicesList, runDevicesReclaim, runDevicesRevoke, runDevicesShow } from '../../cli/src/commands/devices.js';
import { runJobsCancel, runJobsList, runJobsShow, runJobsSubmit } from '../../cli/src/commands/jobs.js';
import { runLogin } from '../../cli/src/commands/login.js';
import { runTokensCreate, runTokensList, runTokensRevoke } from '../../cli/src/commands/tokens.js';
import type { CreatedToken, Device, Job, TokenSummary } from '../../cli/src/operator/api-types.js';
import { createOperatorContext, type OperatorContext } from '../../cli/src/operator/command-kit.js';
import { ApiError, UsageError } from '../../cli/src/operator/errors.js';
import { BufferedOutput } from '../../cli/src/operator/output.js';
import { startCoordinator, type RunningCoordinator } from '../../server/src/coordinator.js';
import { enrollTestDevice, type TestDevice } from './support/test-device.js';

interface Cli {
  readonly context: OperatorContext;
  readonly output: BufferedOutput;
}

describe('operator CLI against a real coordinator', () => {
  let dataDir: string;
  let coordinator: RunningCoordinator;
  let apiKey: string;
  const devices: TestDevice[] = [];

  /** A fresh context (and output buffer) per command, as each CLI invocation has. */
  function cli(key: string | undefined = apiKey): Cli {
    const output = new BufferedOutput();
    return { context: createOperatorContext(coordinator.url, key, output), output };
  }

  async function json<T>(run: (context: OperatorContext) => Promise<number>): Promise<T> {
    const { context, output } = cli();
    expect(await run(context)).toBe(0);
    return JSON.parse(output.stdout) as T;
  }

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'sf-cli-it-'));
    const bootstrap = new BufferedOutput();
    await runApiKeyCreate({ dataDir, name: 'cli test', json: true }, bootstrap);
    apiKey = (JSON.parse(bootstrap.stdout) as { key: string }).key;
    coordinator = await startCoordinator({ port: 0, dataDir, logLevel: 'silent' });
  });

  afterAll(async () => {
    for (const device of devices) device.close();
    await coordinator?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('should refuse a wrong API key with a 401', async () => {
    const { context } = cli('not-a-key');

    const error = await runTokensList(context, { json: true }).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(401);
  });

  it('should create, list and revoke enrollment tokens', async () => {
    // Create
    const before = Date.now();
    const created = await json<CreatedToken>((context) =>
      runTokensCreate(context, { maxUses: 2, ttl: '1h', label: ['site=lab'], json: true }),
    );
    expect(created.maxUses).toBe(2);
    expect(created.token.length).toBeGreaterThan(16);
    const ttlMs = Date.parse(created.expiresAt) - before;
    expect(ttlMs).toBeGreaterThan(3590_000);
    expect(ttlMs).toBeLessThan(3700_000);

    // List: the token is there with its limits and labels, and its secret is not.
    const { context: listContext, output: listOutput } = cli();
    await runTokensList(listContext, { json: true });
    const listed = (JSON.parse(listOutput.stdout) as TokenSummary[]).find((token) => token.id === created.id);
    expect(listed).toMatchObject({ id: created.id, uses: 0, maxUses: 2, revokedAt: null, labels: { site: 'lab' } });
    expect(listOutput.stdout).not.toContain(created.token);

    // Revoke by a unique prefix of the id.
    const { context: revokeContext, output: revokeOutput } = cli();
    expect(await runTokensRevoke(revokeContext, created.id.slice(0, 8), {})).toBe(0);
    expect(revokeOutput.stdout).toBe(`revoked enrollment token ${created.id}`);
    const afterRevoke = await json<TokenSummary[]>((context) => runTokensList(context, { json: true }));
    expect(afterRevoke.find((token) => token.id === created.id)?.revokedAt).toEqual(expect.any(String));
  });

  it('should print the token table by default', async () => {
    const { context, output } = cli();

    await runTokensList(context, {});

    expect(output.stdout.split('\n')[0]).toMatch(/^ID\s+PREFIX\s+STATUS\s+USES\s+EXPIRES\s+LABELS$/);
    expect(output.stdout).toContain('revoked');
  });

  it('should list, show, label and revoke an enrolled device', async () => {
    // Prepare: a device enrolled with a labelled token.
    const token = await json<CreatedToken>((context) => runTokensCreate(context, { label: ['site=lab'], json: true }));
    const device = await enrollTestDevice(coordinator.url, token.token, 'cli-dev-1');
    devices.push(device);

    // List
    const listed = await json<Device[]>((context) => runDevicesList(context, { json: true }));
    expect(listed.map((entry) => entry.id)).toContain(device.deviceId);

    // Show (by prefix)
    const shown = await json<Device>((context) => runDevicesShow(context, device.deviceId.slice(0, 8), { json: true }));
    expect(shown).toMatchObject({ id: device.deviceId, displayName: 'cli-dev-1', labels: { site: 'lab' } });
    expect(shown.facts.cores).toBe(2);

    // Label: add one, remove the token's.
    await json((context) => runDevicesLabel(context, device.deviceId, ['tier=edge', 'site-'], { json: true }));
    const relabelled = await json<Device>((context) => runDevicesShow(context, device.deviceId, { json: true }));
    expect(relabelled.labels).toEqual({ tier: 'edge' });

    // Revoke: the live socket is dropped.
    const disconnected = new Promise<void>((resolve) => device.socket.once('disconnect', () => resolve()));
    const { context, output } = cli();
    expect(await runDevicesRevoke(context, device.deviceId, {})).toBe(0);
    expect(output.stdout).toContain(`revoked device ${device.deviceId}`);
    await disconnected;
  });

  it('should issue a reclaim token for a device, print how to use it, and refuse a bad --ttl', async () => {
    const token = await json<CreatedToken>((context) => runTokensCreate(context, { json: true }));
    const device = await enrollTestDevice(coordinator.url, token.token, 'cli-reclaim');
    devices.push(device);

    const { context, output } = cli();
    expect(await runDevicesReclaim(context, device.deviceId.slice(0, 8), { ttl: '30m' })).toBe(0);
    const issued = await json<{ deviceId: string; token: string; expiresAt: string }>((json) =>
      runDevicesReclaim(json, device.deviceId, { json: true }),
    );
    const badTtl = await runDevicesReclaim(cli().context, device.deviceId, { ttl: 'soon' }).catch((caught: unknown) => caught);

    expect(output.stdout).toContain(`reclaim token for device ${device.deviceId}`);
    expect(output.stdout).toMatch(/sparsefleet agent --server http:\/\/127\.0\.0\.1:\d+ --token \S{43}/);
    expect(issued.deviceId).toBe(device.deviceId);
    expect(issued.token).toMatch(/^\S{43}$/);
    expect(badTtl).toBeInstanceOf(UsageError);
  });

  it('should submit, list, show and cancel a job', async () => {
    // Prepare
    const file = join(dataDir, 'job.yaml');
    await writeFile(
      file,
      'name: cli-mlp\nconfig:\n  model: mlp\n  data: { name: synthetic, trainLimit: 64, testLimit: 32 }\n  maxSteps: 2\n' +
        'selector:\n  labels: { site: nowhere }\nmaxAttempts: 2\ncheckpointEverySteps: 10\n',
    );

    // Submit
    const submitted = await json<{ id: string; state: string }>((context) => runJobsSubmit(context, file, { json: true }));
    expect(submitted.state).toBe('queued');

    // List, all and by state
    const all = await json<Job[]>((context) => runJobsList(context, { json: true }));
    expect(all.map((job) => job.id)).toContain(submitted.id);
    const queued = await json<Job[]>((context) => runJobsList(context, { state: 'queued', json: true }));
    expect(queued.map((job) => job.id)).toContain(submitted.id);
    const running = await json<Job[]>((context) => runJobsList(context, { state: 'running', json: true }));
    expect(running.map((job) => job.id)).not.toContain(submitted.id);

    // Show
    const shown = await json<Job & { latestProgress: unknown; result: unknown }>((context) =>
      runJobsShow(context, submitted.id.slice(0, 8), { json: true }),
    );
    expect(shown).toMatchObject({ id: submitted.id, name: 'cli-mlp', state: 'queued', attempt: 1, deviceId: null });
    expect(shown.spec.model).toBe('mlp');
    // The wording is the coordinator's; here no device is online at all, so it waits for one.
    expect(shown.waitingReason).toMatch(/\S/);
    expect(shown.latestProgress).toBeNull();
    expect(shown.result).toBeNull();

    // Cancel
    await json((context) => runJobsCancel(context, submitted.id, { json: true }));
    const cancelled = await json<Job>((context) => runJobsShow(context, submitted.id, { json: true }));
    expect(cancelled.state).toBe('cancelled');
  });

  it('should reject an invalid job file before sending anything', async () => {
    const file = join(dataDir, 'bad-job.yaml');
    await writeFile(file, 'config:\n  model: mlp\n  optimizer: { lr: -1 }\n');
    const countBefore = (await json<Job[]>((context) => runJobsList(context, { json: true }))).length;

    const { context } = cli();
    const error = await runJobsSubmit(context, file, { json: true }).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).issues).toEqual([`${file}: config.optimizer.lr: must be > 0`]);
    expect((await json<Job[]>((context) => runJobsList(context, { json: true }))).length).toBe(countBefore);
  });

  it("should surface the coordinator's own 400 with the field it names", async () => {
    const { context } = cli();

    const error = await context.api.submitJob({ config: { model: 'mlp', epochs: 0 } }).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(400);
    expect((error as ApiError).message).toContain('config.epochs');
  });

  it('should answer 404 in one line for a job that does not exist', async () => {
    const { context } = cli();

    const error = await runJobsShow(context, '00000000-0000-4000-8000-000000000000', {}).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).message).toMatch(/^404 Not Found: /);
  });

  it('should save a login only after the coordinator accepted the key', async () => {
    const configPath = join(dataDir, 'home', 'operator.json');
    const output = new BufferedOutput();

    await expect(runLogin({ server: coordinator.url, apiKey: 'wrong', configPath }, output)).rejects.toThrow(ApiError);
    await expect(readFile(configPath, 'utf8')).rejects.toThrow(/ENOENT/);

    expect(await runLogin({ server: coordinator.url, apiKey, configPath }, output)).toBe(0);
    expect(JSON.parse(await readFile(configPath, 'utf8'))).toEqual({ server: coordinator.url, apiKey });
  });
});
