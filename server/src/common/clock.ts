// The coordinator's time source (issue 12, virtual time): every timer and timestamp that decides fleet behaviour
// (presence and heartbeat expiry, leases, sweeps, supervision, the timestamps of stored records) reads this Clock, so
// a simulation can run the coordinator and its devices on one virtual clock. The real clock unless the coordinator
// is started with another (startCoordinator's `clock`). Modules inject it as
// `@Optional() @Inject(CLOCK) private readonly clock: Clock = realClock`: a testing module without the provider
// gets the real clock.
import { Module, type DynamicModule } from '@nestjs/common';
import { realClock, type Clock } from '../../../protocol/src/index.js';

export { clockDate, realClock, type Clock, type TimerHandle } from '../../../protocol/src/index.js';

export const CLOCK = Symbol('sparsefleet.clock');

@Module({})
export class ClockModule {
  /** The clock for every module of one coordinator (global). */
  static forRoot(clock: Clock = realClock): DynamicModule {
    return { module: ClockModule, global: true, providers: [{ provide: CLOCK, useValue: clock }], exports: [CLOCK] };
  }
}
