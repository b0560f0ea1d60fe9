// The repositories keep the same values, order and guarantees on SQLite and PostgreSQL (this file runs in both
// test projects): 8-byte integers and floats, byte-wise text order, numbers (not strings) from bigint columns, and
// read-then-write steps that stay correct when PostgreSQL runs them concurrently.
import { describe, expect, it } from 'vitest';
import { DatabaseService, DatabaseUnavailableError } from '../../../server/src/storage/database.service.js';
import { resolveCoordinatorConfig } from '../../../server/src/config/coordinator-config.js';
import { startCoordinator } from '../../../server/src/coordinator.js';
import { EnrollmentTokenRepository } from '../../../server/src/devices/enrollment-token.repository.js';
import { JobReportRepository } from '../../../server/src/jobs/job-report.repository.js';
import { JobRepository, type JobRow } from '../../../server/src/jobs/job.repository.js';
import { MaskRepository } from '../../../server/src/masks/mask.repository.js';
import { createServiceHarness, type ServiceHarness } from '../support/service-harness.js';

const NOW = '2026-01-02T03:04:05.678Z';

function job(id: string): Omit<JobRow, 'seq'> {
  return {
    id,
    name: id,
    state: 'queued',
    spec_json: '{}',
    attempt: 0,
    device_id: null,
    waiting_reason: null,
    created_at: NOW,
    updated_at: NOW,
    finished_at: null,
    selector_json: '{}',
    max_attempts: 3,
    checkpoint_every_steps: 0,
    memory_estimate_json: null,
    lease_expires_at: null,
    previous_device_id: null,
  };
}

async function withHarness(test: (harness: ServiceHarness, database: DatabaseService) => Promise<void>): Promise<void> {
  const harness = await createServiceHarness();
  try {
    await test(harness, harness.get(DatabaseService));
  } finally {
    await harness.close();
  }
}

describe('storage on every database', () => {
  it('should keep integers above 2^31 and floats to 8 bytes, and read bigint columns back as numbers', () =>
    withHarness(async (_harness, database) => {
      const jobs = new JobRepository(database);
      await jobs.insert(job('j1'));
      const masks = new MaskRepository(database);
      const key = { jobId: 'j1', attempt: 0, updateIndex: 0 };
      const chunk = { job_id: 'j1', attempt: 0, update_index: 0, chunk_index: 0, chunk_count: 1, total_bytes: 3_000_000_000, checksum: 0xffff_ffff, digest: 'd', data: 'AA==', received_at: NOW };
      expect(await masks.insertChunk(chunk)).toBe(true);
      const reports = new JobReportRepository(database);
      const progress = { job_id: 'j1', attempt: 0, sequence: 1, device_id: 'd', epoch: 0, step: 1, loss: 0.1, report_json: '{}', received_at: NOW };
      expect(await reports.insertProgress(progress)).toBe(true);

      expect(await masks.findChunk(key, 0)).toEqual(chunk);
      expect(await reports.findProgress('j1', 0, 1)).toEqual(progress);
      expect((await jobs.findById('j1'))?.seq).toBe(1);
      expect(await masks.countChunks(key)).toBe(1);
    }));

  it('should order text byte by byte, as SQLite does, whatever the database locale', () =>
    withHarness(async (_harness, database) => {
      const tokens = new EnrollmentTokenRepository(database);
      const ids = ['b', 'B', 'a', '_x', 'Z', 'ä', '10', '9'];
      for (const id of ids) {
        await tokens.insert({ id, token_hash: `hash-${id}`, max_uses: 1, use_count: 0, expires_at: NOW, revoked_at: null, created_at: NOW, prefix: '', labels_json: '{}', reclaim_device_id: null });
      }
      const listed = (await tokens.list()).map((token) => token.id);
      expect(listed).toEqual(['10', '9', 'B', 'Z', '_x', 'a', 'b', 'ä']);
    }));

  it('should give concurrent job inserts distinct, gapless seq numbers', () =>
    withHarness(async (_harness, database) => {
      const jobs = new JobRepository(database);
      await Promise.all([
        ...Array.from({ length: 16 }, (_, index) => jobs.insert(job(`single-${index}`))),
        jobs.insertMany(Array.from({ length: 8 }, (_, index) => job(`batch-${index}`))),
      ]);
      const seqs = (await jobs.list()).map((row) => row.seq);
      expect(seqs).toEqual(Array.from({ length: 24 }, (_, index) => index + 1));
    }));

  it('should store exactly one result when attempts of a job report concurrently', () =>
    withHarness(async (_harness, database) => {
      await new JobRepository(database).insert(job('j1'));
      const reports = new JobReportRepository(database);
      // Open the pool's connections first, so the inserts below really run side by side on PostgreSQL.
      await Promise.all(Array.from({ length: 10 }, () => reports.findLatestResult('j1')));
      const stored = await Promise.all(
        Array.from({ length: 10 }, (_, attempt) =>
          reports.insertFirstResult({ job_id: 'j1', attempt, device_id: `d${attempt}`, outcome: 1, test_accuracy: 0.5, result_json: '{}', received_at: NOW }),
        ),
      );
      expect(stored.filter(Boolean)).toHaveLength(1);
      expect((await reports.findLatestResult('j1'))?.attempt).toBe(stored.indexOf(true));
    }));
});

describe(DatabaseUnavailableError.name, () => {
  it('should name host, port and database of an unreachable PostgreSQL, never its password', async () => {
    const database = new DatabaseService(
      resolveCoordinatorConfig({ dataDir: '/nonexistent', databaseUrl: 'postgres://fleet:s3cret-pw@127.0.0.1:1/fleetdb', logLevel: 'silent' }),
    );
    try {
      const failure = await database.migrate({ quiet: true }).then(() => undefined, (error: unknown) => error);
      expect(failure).toBeInstanceOf(DatabaseUnavailableError);
      expect((failure as Error).message).toContain('127.0.0.1:1, database fleetdb');
      expect((failure as Error).message).toContain('ECONNREFUSED');
      expect((failure as Error).message).not.toContain('s3cret-pw');
    } finally {
      await database.db.destroy();
    }
  });

  it('should stop a coordinator from starting, before Nest builds anything', async () => {
    const starting = startCoordinator({ port: 0, dataDir: '/nonexistent', databaseUrl: 'postgres://fleet:s3cret-pw@127.0.0.1:1/fleetdb', logLevel: 'silent' });
    await expect(starting).rejects.toBeInstanceOf(DatabaseUnavailableError);
  });

  it('should refuse a URL that is not postgres://', () => {
    expect(() => new DatabaseService(resolveCoordinatorConfig({ dataDir: '/nonexistent', databaseUrl: 'mysql://h/db' }))).toThrow(/postgres:\/\//);
  });
});
