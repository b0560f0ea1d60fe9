import { Module } from '@nestjs/common';
import { MetricsService } from './metrics.service.js';

/** One MetricsService per coordinator, shared by every module that counts something. */
@Module({ providers: [MetricsService], exports: [MetricsService] })
export class MetricsModule {}
