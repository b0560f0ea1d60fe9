// The canonical event log: times since the origin, stable names for the run's random ids, one total order.
import { describe, expect, it } from 'vitest';
import { EventLogRecorder, firstDifference } from '../../../client/src/sim/scenario/event-log.js';

const JOB = '11111111-2222-4333-8444-555555555555';
const DEVICE = 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee';
const OTHER = '99999999-8888-4777-8666-555555555555';

describe(EventLogRecorder.name, () => {
  it('should name jobs, devices and other ids stably and order events the same whatever order they were recorded in', () => {
    const events = [
      { atMs: 1_005, device: 2, kind: 'report-acknowledged', jobId: JOB, attempt: 1, detail: `ProgressReport|${JOB}|1|3` },
      { atMs: 1_005, device: 1, kind: 'job-started', jobId: JOB, attempt: 1 },
      { atMs: 1_010, device: -1, kind: 'lease-expired', jobId: JOB, attempt: 1, detail: DEVICE },
      { atMs: 990, device: 0, kind: 'connected', detail: `session ${OTHER}` },
    ];
    const names = new Map([[JOB, 'wrn-short-1']]);
    const devices = new Map([[DEVICE, 4]]);
    const forward = new EventLogRecorder();
    const backward = new EventLogRecorder();
    for (const event of events) forward.record(event);
    for (const event of [...events].reverse()) backward.record(event);

    const log = forward.canonical(1_000, names, devices);

    expect(log).toEqual([
      { simMs: -10, device: 0, kind: 'connected', detail: 'session id:1' },
      { simMs: 5, device: 1, kind: 'job-started', job: 'wrn-short-1', attempt: 1 },
      { simMs: 5, device: 2, kind: 'report-acknowledged', job: 'wrn-short-1', attempt: 1, detail: 'ProgressReport|job:wrn-short-1|1|3' },
      { simMs: 10, device: -1, kind: 'lease-expired', job: 'wrn-short-1', attempt: 1, detail: 'device:4' },
    ]);
    expect(firstDifference(log, backward.canonical(1_000, names, devices))).toBeUndefined();
  });

  it('should tell where two logs first differ', () => {
    const recorder = new EventLogRecorder();
    recorder.record({ atMs: 0, device: 0, kind: 'connected' });
    const one = recorder.canonical(0, new Map(), new Map());
    recorder.record({ atMs: 5, device: 1, kind: 'connected' });
    const two = recorder.canonical(0, new Map(), new Map());

    expect(firstDifference(one, two)).toEqual({ index: 1, a: undefined, b: { simMs: 5, device: 1, kind: 'connected' } });
  });
});
