// Gauges read from the database at scrape time: devices by state (and online = idle + busy), jobs by state.
import { Injectable } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { DeviceService } from '../devices/device.service.js';
import { JobService } from '../jobs/job.service.js';
import { MetricsService } from '../metrics/metrics.service.js';

@Injectable()
export class FleetGauges {
  constructor(metrics: MetricsService, devices: DeviceService, jobs: JobService) {
    const registers = [metrics.registry];
    new Gauge({
      name: 'sparsefleet_devices_online',
      help: 'Devices online now (idle or busy).',
      registers,
      async collect() {
        const counts = await devices.countByState();
        this.set(counts.online + counts.busy);
      },
    });
    new Gauge({
      name: 'sparsefleet_devices',
      help: 'Registered devices by state.',
      labelNames: ['state'] as const,
      registers,
      async collect() {
        for (const [state, count] of Object.entries(await devices.countByState())) this.set({ state }, count);
      },
    });
    new Gauge({
      name: 'sparsefleet_jobs',
      help: 'Jobs by state.',
      labelNames: ['state'] as const,
      registers,
      async collect() {
        for (const [state, count] of Object.entries(await jobs.countByState())) this.set({ state }, count);
      },
    });
  }
}
