// REST shape of the coordinator's counters.
import { z } from 'zod';
import { countsBy } from './common.dto.js';
import { DEVICE_STATE_NAMES } from './device.dto.js';
import { JOB_STATE_NAMES } from './job.dto.js';
import { restDto } from './registry.js';

export const CoordinatorStatsDto = restDto(
  'CoordinatorStats',
  z.strictObject({
    devices: countsBy(DEVICE_STATE_NAMES),
    jobs: countsBy(JOB_STATE_NAMES),
    /** Protocol errors and handshake refusals since start, by code name (e.g. "MALFORMED_FRAME"). */
    protocolErrors: z.record(z.string(), z.number().int()),
  }),
  'Devices by state, jobs by state, protocol errors by code.',
);
export type CoordinatorStatsDto = z.output<typeof CoordinatorStatsDto>;
