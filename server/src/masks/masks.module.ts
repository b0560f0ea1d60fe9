import { Module } from '@nestjs/common';
import { JobsModule } from '../jobs/jobs.module.js';
import { MaskHandlers } from './mask.handlers.js';
import { MaskRepository } from './mask.repository.js';
import { MaskService } from './mask.service.js';

/** Masks jobs report: device handlers (pieces, initial-mask fetch) and the store behind the REST views. */
@Module({
  imports: [JobsModule],
  providers: [MaskRepository, MaskService, MaskHandlers],
  exports: [MaskService, MaskHandlers],
})
export class MasksModule {}
