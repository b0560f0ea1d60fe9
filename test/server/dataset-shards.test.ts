// A job's dataset shard over HTTP, at the coordinator: the device the job is assigned to gets the manifest and the
// bytes with its credential, and they decode to the examples the Node loader selects for that job (a per-device fleet
// shard included); no credential or a wrong one is 401, another device 403, generated data 404, a directory outside
// the dataset roots 403. Uses Debian's Fashion-MNIST where installed.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeDatasetShard, decodeExamples, loadDatasets, shardSelectionOf } from '../../client/src/engine/data/index.js';
import { api, enrollAndGreet, startTestCoordinator, type EnrolledTestDevice, type TestCoordinator } from './support/coordinator-harness.js';
import { acceptNextJob } from './support/job-messages.js';

const FASHION_MNIST = '/usr/share/datasets/fashion-mnist';

describe.skipIf(!existsSync(FASHION_MNIST))('dataset shards over HTTP', () => {
  let test: TestCoordinator;
  const sockets: EnrolledTestDevice[] = [];

  beforeAll(async () => {
    test = await startTestCoordinator({ heartbeatIntervalMs: 60_000, datasetRoots: ['/usr/share/datasets'] });
  });

  afterAll(async () => {
    for (const device of sockets) device.socket.close();
    await test?.stop();
  });

  async function deviceWithJob(name: string, data: Record<string, unknown>): Promise<{ device: EnrolledTestDevice; jobId: string }> {
    const device = await enrollAndGreet(test, name);
    sockets.push(device);
    const pushed = acceptNextJob(device.socket);
    const submitted = await api<{ id: string }>(test, 'POST', '/api/jobs', {
      name,
      config: { model: 'mlp', data, epochs: 1, seed: 7 },
      selector: { deviceId: device.deviceId },
    });
    expect(submitted.status).toBe(201);
    expect((await pushed).jobId).toBe(submitted.body.id);
    return { device, jobId: submitted.body.id };
  }

  const headersOf = (device: EnrolledTestDevice) => ({ 'x-sparsefleet-device-id': device.deviceId, 'x-sparsefleet-credential': device.credential });
  const manifestOf = (jobId: string, headers: Record<string, string>) => fetch(`${test.coordinator.url}/agent/api/datasets/jobs/${jobId}/shard`, { headers });

  it("serves the assigned device its job's shard: the Node loader's examples, addressed by their hash", async () => {
    const data = { name: 'fashion-mnist', trainLimit: 320, testLimit: 128, shardIndex: 1, shardCount: 2 };
    const { device, jobId } = await deviceWithJob('shard-owner', data);
    const other = await enrollAndGreet(test, 'shard-other');
    sockets.push(other);

    expect((await manifestOf(jobId, {})).status).toBe(401);
    expect((await manifestOf(jobId, { ...headersOf(device), 'x-sparsefleet-credential': 'wrong' })).status).toBe(401);
    expect((await manifestOf(jobId, headersOf(other))).status).toBe(403);
    const response = await manifestOf(jobId, headersOf(device));
    expect(response.status).toBe(200);
    const manifest = (await response.json()) as { jobId: string; sha256: string; bytes: number; trainExamples: number; testExamples: number };
    expect(manifest).toMatchObject({ jobId, testExamples: 128 });

    const url = `${test.coordinator.url}/agent/api/datasets/shards/${manifest.sha256}`;
    expect((await fetch(url)).status).toBe(401);
    expect((await fetch(`${test.coordinator.url}/agent/api/datasets/shards/${'0'.repeat(64)}`, { headers: headersOf(device) })).status).toBe(404);
    const served = await fetch(url, { headers: headersOf(device) });
    expect(served.headers.get('cache-control')).toContain('immutable');
    const bytes = new Uint8Array(await served.arrayBuffer());
    expect(bytes.length).toBe(manifest.bytes);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(manifest.sha256);

    const spec = { ...data, name: 'fashion-mnist' as const, path: FASHION_MNIST, seed: 7 };
    const shard = decodeDatasetShard(bytes, shardSelectionOf(spec));
    const nodeAgent = await loadDatasets(spec, { identity: true });
    expect(manifest.trainExamples).toBe(nodeAgent.train.size);
    expect(nodeAgent.train.size).toBeLessThan(320); // half of the limited set, this device's partition
    for (const split of ['train', 'test'] as const) {
      expect(shard[split].ids).toEqual(nodeAgent[split].ids);
      expect(shard[split].labels).toEqual(nodeAgent[split].labels);
      expect(decodeExamples(shard[split].examples)).toEqual(decodeExamples(nodeAgent[split].examples));
    }
    expect(shard.trainIdentity).toEqual(nodeAgent.trainIdentity);
  }, 60_000);

  it('has no shard for generated data, and reads nothing outside the dataset roots', async () => {
    const synthetic = await deviceWithJob('shard-synthetic', { name: 'synthetic', trainLimit: 64 });
    expect((await manifestOf(synthetic.jobId, headersOf(synthetic.device))).status).toBe(404);
    const outside = await deviceWithJob('shard-outside', { name: 'fashion-mnist', path: '/etc', trainLimit: 64 });
    const refused = await manifestOf(outside.jobId, headersOf(outside.device));
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain('outside the coordinator');
  }, 60_000);
});
