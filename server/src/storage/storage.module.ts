import { Global, Module } from '@nestjs/common';
import { COORDINATOR_CONFIG, type CoordinatorConfig } from '../config/coordinator-config.js';
import { DatabaseService } from './database.service.js';

/** Provides a migrated database: the factory finishes migrations before any repository is constructed. */
@Global()
@Module({
  providers: [
    {
      provide: DatabaseService,
      inject: [COORDINATOR_CONFIG],
      useFactory: async (config: CoordinatorConfig): Promise<DatabaseService> => {
        const database = new DatabaseService(config);
        await database.migrate();
        return database;
      },
    },
  ],
  exports: [DatabaseService],
})
export class StorageModule {}
