// A Nest testing module over a real, throwaway database (SQLite, or PostgreSQL in the `postgres` test project):
// services are tested through their constructors with real repositories, no sockets.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Test, type TestingModule } from '@nestjs/testing';
import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { COORDINATOR_CONFIG, resolveCoordinatorConfig, type CoordinatorConfig } from '../../../server/src/config/coordinator-config.js';
import { AssignmentModule } from '../../../server/src/assignment/assignment.module.js';
import { DevicesModule } from '../../../server/src/devices/devices.module.js';
import { ClusterModule } from '../../../server/src/cluster/cluster.module.js';
import { EventsModule } from '../../../server/src/events/events.module.js';
import { JobsModule } from '../../../server/src/jobs/jobs.module.js';
import { StorageModule } from '../../../server/src/storage/storage.module.js';
import { createTestDatabase } from '../../support/test-database.js';

export interface ServiceHarness {
  readonly module: TestingModule;
  readonly config: CoordinatorConfig;
  get<T>(type: new (...args: never[]) => T): T;
  close(): Promise<void>;
}

@Module({})
class TestConfigModule {
  static with(config: CoordinatorConfig): DynamicModule {
    const provider: Provider = { provide: COORDINATOR_CONFIG, useValue: config };
    return { module: TestConfigModule, global: true, providers: [provider], exports: [provider] };
  }
}

export async function createServiceHarness(overrides: Partial<CoordinatorConfig> = {}): Promise<ServiceHarness> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sparsefleet-svc-'));
  const database = await createTestDatabase();
  const config = resolveCoordinatorConfig({ dataDir, databaseUrl: database.databaseUrl, ...overrides });
  const module = await Test.createTestingModule({
    imports: [TestConfigModule.with(config), StorageModule, ClusterModule.forRoot(config), EventsModule, DevicesModule, JobsModule, AssignmentModule],
  }).compile();
  module.useLogger(false);
  await module.init();
  return {
    module,
    config,
    get: (type) => module.get(type),
    async close() {
      await module.close();
      await database.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
