// Pure matching of jobs to devices, and the per-address limiter used for enrollment handshakes.
import { describe, expect, it } from 'vitest';
import { matchJob, requirementsOf, type MatchCandidate, type MatchContext } from '../../server/src/jobs/job-selector.js';

const MIB = 1024 * 1024;
const GIB = 1024 * MIB;

function candidate(id: string, overrides: Partial<MatchCandidate> = {}): MatchCandidate {
  return { id, idle: true, labels: {}, backends: ['wasm', 'cpu'], availableMemoryBytes: 4 * GIB, ...overrides };
}

const NOTHING: MatchContext = { taken: new Set(), refused: new Set(), previousDeviceId: null };

describe(matchJob.name, () => {
  it('should take the first idle device that has the labels, the backend and the memory', () => {
    const requirements = requirementsOf({ labels: { site: 'lab' }, backend: 'wasm', minMemoryMb: 512 }, 0);
    const devices = [
      candidate('other-site', { labels: { site: 'home' } }),
      candidate('no-wasm', { labels: { site: 'lab' }, backends: ['cpu'] }),
      candidate('too-small', { labels: { site: 'lab' }, availableMemoryBytes: 256 * MIB }),
      candidate('fits', { labels: { site: 'lab', rack: '2' } }),
    ];
    expect(matchJob(requirements, devices, NOTHING)).toEqual({ deviceId: 'fits' });
  });

  it('should prefer a device other than the one of the abandoned attempt, but fall back to it', () => {
    const requirements = requirementsOf({}, 0);
    const context = { ...NOTHING, previousDeviceId: 'first' };
    expect(matchJob(requirements, [candidate('first'), candidate('second')], context)).toEqual({ deviceId: 'second' });
    expect(matchJob(requirements, [candidate('first')], context)).toEqual({ deviceId: 'first' });
  });

  it('should explain why a job waits', () => {
    const requirements = requirementsOf({ labels: { site: 'lab' }, backend: 'wasm', minMemoryMb: 512 }, 0);
    const lab = (id: string, idle: boolean) => candidate(id, { labels: { site: 'lab' }, idle });
    expect(matchJob(requirements, [], NOTHING)).toEqual({ waitingReason: 'no online device' });
    expect(matchJob(requirements, [candidate('home')], NOTHING)).toEqual({
      waitingReason: 'no online device with label site=lab, ≥ 512 MB free and backend wasm',
    });
    expect(matchJob(requirements, [lab('a', false), lab('b', false)], NOTHING)).toEqual({ waitingReason: '2 matching devices busy' });
    expect(matchJob(requirements, [lab('a', true), lab('b', false)], { ...NOTHING, refused: new Set(['a']) })).toEqual({
      waitingReason: '1 matching device busy, 1 matching device refused this job',
    });
    expect(matchJob(requirements, [lab('a', true)], { ...NOTHING, taken: new Set(['a']) })).toEqual({
      waitingReason: '1 matching device busy',
    });
  });

  it('should require the estimate with headroom, or the selector minimum when larger', () => {
    expect(requirementsOf({}, 100 * MIB).memoryBytes).toBe(125 * MIB + 64 * MIB);
    expect(requirementsOf({ minMemoryMb: 1024 }, 100 * MIB).memoryBytes).toBe(GIB);
    expect(requirementsOf({}, 0, 'cpu')).toEqual({ labels: {}, backend: 'cpu', memoryBytes: 0 });
  });
});
