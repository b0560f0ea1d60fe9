// A raw test device that answers benchmark-cell assignments with a deterministic BenchmarkResult (numbers derived
// from the cell's density), or that accepts its assignments and then goes silent (a device that left).
import type { Socket } from 'socket.io-client';
import { BenchmarkKind, type BenchmarkResult } from '../../../../protocol/src/index.js';
import type { MessageOf } from '../../../../protocol/src/index.js';
import { DEVICE_CHANNEL_EVENT, decodeFrame, encodeMessage } from '../../../../protocol/src/index.js';
import { TEST_FACTS, enrollAndConnect, request, type TestCoordinator } from '../../support/coordinator-harness.js';
import { jobResult } from '../../support/job-messages.js';

export interface BenchmarkDevice {
  readonly deviceId: string;
  readonly socket: Socket;
  /** Job ids this device was assigned, in order. */
  readonly assigned: string[];
  leave(): void;
}

export type DeviceBehaviour = 'measure' | 'silent';

/** The result a measuring device sends for a cell (`slowdown` scales its latencies). */
export function syntheticBenchmark(
  assignment: MessageOf<'sparsefleet.v1.JobAssignment'>,
  slowdown: number,
): BenchmarkResult {
  const bench = assignment.spec!.benchmark!;
  const sparse = 1 + bench.density * 10 * slowdown;
  const dense = 11 * slowdown;
  const rules = bench.rules!;
  return {
    campaignId: bench.campaignId,
    cellId: bench.cellId,
    kind: bench.kind || BenchmarkKind.BENCHMARK_KIND_KERNEL,
    iterations: rules.minIterations + 3,
    durationMs: rules.minDurationMs + 17,
    latencyMs: rules.percentiles.map((percentile) => ({ percentile, value: sparse * (1 + percentile / 1000) })),
    meanMs: sparse * 1.01,
    minMs: sparse * 0.9,
    denseLatencyMs: rules.percentiles.map((percentile) => ({ percentile, value: dense * (1 + percentile / 1000) })),
    speedup: (dense * 1.05) / (sparse * 1.05),
    gflops: 1.234567 / sparse,
    peakMemoryBytes: 1_000_000 + Math.round(bench.density * 1e6),
    modelStateBytes: Math.round(bench.density * 4e5),
    denseModelStateBytes: 400_000,
    testAccuracy: -1,
    drift: [],
    valid: true,
    invalidReasons: [],
    start: { temperatureCelsius: -1, batteryLevel: -1, charging: false, freeMemoryBytes: 2e9, loadAverage_1m: 0.5, atMs: 1 },
    end: { temperatureCelsius: -1, batteryLevel: -1, charging: false, freeMemoryBytes: 2e9, loadAverage_1m: 0.7, atMs: 2 },
    backend: 'wasm',
    compute: 'sparse-kernels',
    agentVersion: 'test',
    agentCommit: 'abc123',
    baseline: 'dense-simd-kernel',
    baselinePath: 'channel d=1',
    tfjsLatencyMs: rules.percentiles.map((percentile) => ({ percentile, value: 4 * dense * (1 + percentile / 1000) })),
    speedupVsTfjs: (4 * dense * 1.05) / (sparse * 1.05),
    tfjsPath: 'matMul(x,w)',
    threads: 1,
    baselineThreads: 1,
    tfjsThreads: 1,
    rules,
  };
}

export async function benchmarkDevice(
  test: TestCoordinator,
  name: string,
  behaviour: DeviceBehaviour = 'measure',
  slowdown = 1,
  /** Rewrites the result before it is sent (e.g. a speedup the arithmetic cannot explain). */
  adjust: (result: BenchmarkResult) => BenchmarkResult = (result) => result,
): Promise<BenchmarkDevice> {
  const { socket, deviceId } = await enrollAndConnect(test, name);
  const assigned: string[] = [];
  socket.on(DEVICE_CHANNEL_EVENT, (frame: unknown, ack?: (reply: Uint8Array) => void) => {
    const decoded = decodeFrame(frame);
    const options = { senderVersion: 'test', requestId: decoded.requestId };
    if (decoded.type !== 'sparsefleet.v1.JobAssignment') {
      ack?.(encodeMessage('sparsefleet.v1.Ack', { ok: true }, options));
      return;
    }
    const assignment = decoded.message as MessageOf<'sparsefleet.v1.JobAssignment'>;
    assigned.push(assignment.jobId);
    ack?.(encodeMessage('sparsefleet.v1.JobAccepted', { jobId: assignment.jobId, attempt: assignment.attempt, accepted: true, reason: '' }, options));
    if (behaviour === 'silent') return;
    setTimeout(() => {
      const result = { ...jobResult(assignment.jobId, assignment.attempt), benchmark: adjust(syntheticBenchmark(assignment, slowdown)) };
      void request(socket, 'sparsefleet.v1.JobResult', result).catch(() => undefined);
    }, 5);
  });
  await request(socket, 'sparsefleet.v1.HelloRequest', { facts: { ...TEST_FACTS, deviceModel: name }, runningJobIds: [] });
  return { deviceId, socket, assigned, leave: () => socket.close() };
}
