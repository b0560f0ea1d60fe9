// The browser agent end to end in Debian's Chromium: a page opened from an enrollment URL (token in the fragment)
// enrolls, trains a tiny sparse job in its Web Worker on the tfjs wasm backend with the project's kernels, reading
// the job's Fashion-MNIST shard from the coordinator by content hash (cached, verified, the Node loader's examples),
// and the result lands on the coordinator; a damaged cached shard is caught by its hash; an expired token shows a
// clear message. No page logs a console error. Skipped where /usr/bin/chromium is missing.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeDatasetShard, decodeExamples, loadDatasets, shardSelectionOf } from '../../client/src/engine/data/index.js';
import { getJson, postJson, waitForJobs, type JobSummary } from '../e2e/rest-client.js';
import { connect, request, TEST_FACTS } from '../server/support/coordinator-harness.js';
import { CHROMIUM, enrollPage, haveChromium, openPage, startRig, tinyBrowserJob, type BrowserAgentRig } from './agent-support.js';

const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

interface CheckpointRow {
  readonly attempt: number;
  readonly step: number;
}

interface ProgressRow {
  readonly attempt: number;
  readonly sequence: number;
  readonly step: number;
}

/** Polls an async condition every 200 ms; throws after `timeoutMs`. */
async function until(predicate: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`condition not met in ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

interface ResultJson {
  readonly deviceId: string;
  readonly outcome: number;
  readonly backend: string;
  readonly dataSource: string;
  readonly syntheticData: boolean;
  readonly steps: number;
  readonly testAccuracy: number;
}

if (!haveChromium) console.warn(`browser agent tests skipped: ${CHROMIUM} is missing (apt-get install chromium)`);

describe.skipIf(!haveChromium)('browser agent page', () => {
  let rig: BrowserAgentRig;

  beforeAll(async () => {
    rig = await startRig();
  }, 120_000);

  afterAll(async () => {
    await rig?.close();
  });

  it('enrolls from #token=, trains a sparse job in its worker on wasm with the kernels, and the result lands', async () => {
    const { token } = await rig.coordinator.createEnrollmentToken({ maxUses: 1 });
    const { page, context, errors } = await openPage(rig.browser);
    await page.goto(`${rig.coordinator.url}/agent/#token=${token}`);
    await page.waitForFunction(() => document.getElementById('enrollment')?.textContent?.startsWith('enrolled as'), undefined, { timeout: 60_000 });
    // The token left the address bar; the page is cross-origin isolated (COOP + COEP from the coordinator).
    expect(page.url()).toBe(`${rig.coordinator.url}/agent/`);
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    const deviceId = (await page.textContent('#enrollment'))!.replace('enrolled as ', '');
    await page.waitForFunction(() => document.getElementById('facts')?.textContent?.includes('wasm'), undefined, { timeout: 60_000 });

    const job = await postJson<JobSummary>(rig.rest, '/api/jobs', tinyBrowserJob('browser-tiny'));
    const [done] = await waitForJobs(rig.rest, [job.id], 120_000);
    expect(done.state).toBe('succeeded');
    const result = await getJson<ResultJson>(rig.rest, `/api/jobs/${job.id}/result`);
    expect(result.deviceId).toBe(deviceId);
    expect(result.backend).toBe('wasm');
    expect(result.dataSource).toBe('fashion-mnist');
    expect(result.syntheticData).toBe(false);
    expect(result.steps).toBe(20);
    expect(result.testAccuracy).toBeGreaterThan(0.3);

    await page.waitForFunction(() => document.getElementById('result')?.dataset.outcome === 'succeeded', undefined, { timeout: 30_000 });
    expect(await page.getAttribute('#result', 'data-compute')).toBe('sparse-kernels');
    expect(await page.textContent('#step-time')).toMatch(/ms median/);
    // A line at least: progress comes every 2 steps but at most every 50 ms, and this job's 20 steps may take less.
    expect(Number(await page.getAttribute('#chart', 'data-points'))).toBeGreaterThanOrEqual(2);
    // The job's dataset shard came by content hash and sits in the Cache API, verified.
    const shardUrls = () => page.evaluate(async () => (await (await caches.open('sparsefleet-datasets')).keys()).map((request) => request.url));
    const cached = await shardUrls();
    expect(cached.length).toBe(1);
    expect(cached[0]).toMatch(/\/agent\/api\/datasets\/shards\/[0-9a-f]{64}$/);
    expect(errors).toEqual([]);

    // Over HTTP with the device's credential (from the page's IndexedDB): the job's manifest names that shard, and
    // its examples are the ones a Node agent with the files trains on for this job.
    const credential = await page.evaluate(
      () =>
        new Promise<{ deviceId: string; credential: string }>((resolve, reject) => {
          const open = indexedDB.open('sparsefleet-agent');
          open.onerror = () => reject(open.error);
          open.onsuccess = () => {
            const read = open.result.transaction('state').objectStore('state').get('credential');
            read.onsuccess = () => resolve(read.result as { deviceId: string; credential: string });
            read.onerror = () => reject(read.error);
          };
        }),
    );
    const device = { 'x-sparsefleet-device-id': credential.deviceId, 'x-sparsefleet-credential': credential.credential };
    const manifestOf = (jobId: string, headers: Record<string, string> = device) => fetch(`${rig.coordinator.url}/agent/api/datasets/jobs/${jobId}/shard`, { headers });
    expect((await manifestOf(job.id, {})).status).toBe(401);
    expect((await manifestOf(job.id, { ...device, 'x-sparsefleet-credential': 'wrong' })).status).toBe(401);
    expect((await manifestOf('no-such-job')).status).toBe(404);
    // Another enrolled device, with its own good credential, is refused this device's job.
    const otherSocket = await connect(rig.coordinator.url, { enrollmentToken: (await rig.coordinator.createEnrollmentToken({ maxUses: 1 })).token });
    const other = await request(otherSocket, 'sparsefleet.v1.EnrollRequest', { facts: TEST_FACTS, displayName: 'other-device' });
    otherSocket.close();
    expect(other.type).toBe('sparsefleet.v1.EnrollResponse');
    const { deviceId: otherId, credential: otherCredential } = other.message as { deviceId: string; credential: string };
    expect((await manifestOf(job.id, { 'x-sparsefleet-device-id': otherId, 'x-sparsefleet-credential': otherCredential })).status).toBe(403);
    const manifest = (await (await manifestOf(job.id)).json()) as { sha256: string; bytes: number; trainExamples: number; testExamples: number };
    expect(cached[0]!.endsWith(manifest.sha256)).toBe(true);
    expect(manifest).toMatchObject({ trainExamples: 320, testExamples: 128 });
    const shardUrl = `${rig.coordinator.url}/agent/api/datasets/shards/${manifest.sha256}`;
    expect((await fetch(shardUrl)).status).toBe(401);
    const bytes = new Uint8Array(await (await fetch(shardUrl, { headers: device })).arrayBuffer());
    expect(bytes.length).toBe(manifest.bytes);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(manifest.sha256);
    const spec = { name: 'fashion-mnist' as const, path: FASHION_MNIST_DIR, trainLimit: 320, testLimit: 128, seed: 7 };
    const shard = decodeDatasetShard(bytes, shardSelectionOf(spec));
    const nodeAgent = await loadDatasets(spec);
    for (const split of ['train', 'test'] as const) {
      expect(shard[split].ids).toEqual(nodeAgent[split].ids);
      expect(shard[split].labels).toEqual(nodeAgent[split].labels);
      expect(decodeExamples(shard[split].examples)).toEqual(decodeExamples(nodeAgent[split].examples));
    }

    // A damaged cache entry is caught by its hash: the next job with the same selection fetches the shard again.
    const warnings: string[] = [];
    page.on('console', (message) => message.type() === 'warning' && warnings.push(message.text()));
    await page.evaluate(async (url) => {
      const cache = await caches.open('sparsefleet-datasets');
      const stored = new Uint8Array(await (await cache.match(url))!.arrayBuffer());
      stored[stored.length - 1] ^= 0xff;
      await cache.put(url, new Response(stored));
    }, cached[0]!);
    const again = await postJson<JobSummary>(rig.rest, '/api/jobs', tinyBrowserJob('browser-tiny-again'));
    const [redone] = await waitForJobs(rig.rest, [again.id], 120_000);
    expect(redone.state).toBe('succeeded');
    expect(warnings.some((text) => text.includes(`cached dataset shard ${manifest.sha256} is damaged`))).toBe(true);
    const repaired = await page.evaluate(async (url) => [...new Uint8Array(await (await (await caches.open('sparsefleet-datasets')).match(url))!.arrayBuffer())], cached[0]!);
    expect(createHash('sha256').update(Uint8Array.from(repaired)).digest('hex')).toBe(manifest.sha256);
    expect(errors).toEqual([]);
    await context.close();
  }, 300_000);

  it('resumes the job from its checkpoint after a reload mid-job and ends with exactly one result', async () => {
    const { page, context, errors } = await openPage(rig.browser);
    const deviceId = await enrollPage(rig, page);
    // 9600 examples in batches of 32: 300 steps per epoch, 1,800 in the job (steps take 2–10 ms here, so the job runs
    // long enough for the reload to land mid-job even on an idle machine); a checkpoint every 20 steps.
    const job = await postJson<JobSummary>(rig.rest, '/api/jobs', {
      ...tinyBrowserJob('browser-reload', { data: { name: 'fashion-mnist', trainLimit: 9600, testLimit: 128 }, epochs: 6 }),
      checkpointEverySteps: 20,
      maxAttempts: 3,
    });
    await until(async () => (await getJson<CheckpointRow[]>(rig.rest, `/api/jobs/${job.id}/checkpoints`)).some((c) => c.attempt === 1), 90_000);
    expect((await getJson<JobSummary>(rig.rest, `/api/jobs/${job.id}`)).state).not.toBe('succeeded');
    await page.reload();
    // No token in the URL now: the page comes back with the credential from IndexedDB and is given the job again.
    await page.waitForFunction(() => document.getElementById('job')?.textContent?.includes('resumed from step'), undefined, { timeout: 60_000 });
    const [done] = await waitForJobs(rig.rest, [job.id], 120_000);
    expect(done).toMatchObject({ state: 'succeeded', attempt: 2, deviceId });
    const checkpoints = await getJson<CheckpointRow[]>(rig.rest, `/api/jobs/${job.id}/checkpoints`);
    const resumedFrom = Math.max(...checkpoints.filter((c) => c.attempt === 1).map((c) => c.step));
    expect(await page.textContent('#job')).toContain(`resumed from step ${resumedFrom}`);
    const progress = await getJson<ProgressRow[]>(rig.rest, `/api/jobs/${job.id}/progress`);
    const attempt2 = progress.filter((row) => row.attempt === 2).sort((a, b) => a.sequence - b.sequence);
    expect(attempt2[0].step).toBeGreaterThanOrEqual(resumedFrom);
    const result = await getJson<ResultJson & { attempt: number }>(rig.rest, `/api/jobs/${job.id}/result`);
    expect(result).toMatchObject({ attempt: 2, deviceId, steps: 1800 });
    await page.waitForFunction(() => document.getElementById('result')?.dataset.outcome === 'succeeded', undefined, { timeout: 30_000 });
    expect(errors).toEqual([]);
    await context.close();
  }, 300_000);

  it('shows a clear message for an expired token', async () => {
    const { token } = await rig.coordinator.createEnrollmentToken({ ttlSeconds: 1 });
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const { page, context, errors } = await openPage(rig.browser);
    await page.goto(`${rig.coordinator.url}/agent/#token=${token}`);
    await page.waitForSelector('#problem.shown', { timeout: 30_000 });
    expect(await page.textContent('#problem')).toMatch(/enrollment link has expired/);
    expect(errors).toEqual([]);
    await context.close();
  }, 60_000);

  it('serves the wasm files itself with the wasm MIME type and isolation headers', async () => {
    for (const path of ['/agent/tfjs/tfjs-backend-wasm-simd.wasm', '/agent/tfjs/tfjs-backend-wasm.wasm', '/agent/kernels/sparse.wasm']) {
      const response = await fetch(`${rig.coordinator.url}${path}`);
      expect(response.status, path).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/wasm');
      expect(response.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
      expect(response.headers.get('cross-origin-opener-policy')).toBe('same-origin');
      expect(WebAssembly.validate(new Uint8Array(await response.arrayBuffer()))).toBe(true);
    }
    expect((await fetch(`${rig.coordinator.url}/agent/tfjs/..%2Fpackage.json`)).status).toBe(404);
  });
});
