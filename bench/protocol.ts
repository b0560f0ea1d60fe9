// Protocol codec: encode and decode time and wire bytes of the hot device-channel messages, before (ts-proto, the
// codec this project used until issue 13) and after (protobufjs static code through protocol/'s door), side by side
// in one run. "protobufjs door" is what the product runs: decode + toObject into plain objects with defaults;
// "protobufjs raw" is the bare static decode into message instances, to show what the plain-object step costs.
// The ts-proto code is generated for this benchmark only (buf.gen.yaml → generated/bench-ts-proto). A 256 KiB chunk's
// encode time is mostly the allocation of a fresh output buffer (the same for both codecs).
//   npm run build && node dist/bench/protocol.js [--quick] [--json FILE]
import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { sparsefleet } from '../generated/proto/sparsefleet.js';
import * as tsCheckpoint from '../generated/bench-ts-proto/sparsefleet/v1/checkpoint.js';
import * as tsDevice from '../generated/bench-ts-proto/sparsefleet/v1/device.js';
import * as tsJob from '../generated/bench-ts-proto/sparsefleet/v1/job.js';
import { decodeProto, encodeProto, withDefaults, type ProtoTypeName } from '../protocol/src/index.js';

interface CodecRecord {
  message: string;
  codec: 'ts-proto' | 'protobufjs door' | 'protobufjs raw';
  encode_us: number | null;
  decode_us: number;
  bytes: number;
  /** The codec's encoding is byte-identical to the protobufjs door's. */
  bytes_equal: boolean;
}

interface TsCodec {
  encode(message: unknown): { finish(): Uint8Array };
  decode(bytes: Uint8Array): unknown;
}

interface RawCodec {
  decode(bytes: Uint8Array): unknown;
}

interface Case {
  readonly type: ProtoTypeName;
  readonly label: string;
  readonly message: Record<string, unknown>;
  readonly tsProto: TsCodec;
  readonly raw: RawCodec;
}

const layers = (count: number) =>
  Array.from({ length: count }, (_, i) => ({ layer: `features.${i}.weight`, density: 0.1 + i / 1000, active: 1000 + i, total: 10_000 + i }));

function hotMessages(): Case[] {
  const v1 = sparsefleet.v1;
  return [
    {
      type: 'sparsefleet.v1.Heartbeat',
      label: 'Heartbeat',
      message: {
        sentAtMs: 1_765_000_000_000,
        telemetry: { freeMemoryBytes: 3_000_000_000, rssBytes: 400_000_000, loadAverage_1m: 1.25, temperatureCelsius: 51.5, batteryLevel: 0.8, charging: true },
        runningJobIds: ['01JF3Q9W7K2M8X4N6P0R5T1V3Y'],
      },
      tsProto: tsDevice.Heartbeat,
      raw: v1.Heartbeat,
    },
    {
      type: 'sparsefleet.v1.ProgressReport',
      label: 'ProgressReport (20 layers)',
      message: {
        jobId: '01JF3Q9W7K2M8X4N6P0R5T1V3Y', attempt: 1, sequence: 42, epoch: 3, step: 1234, totalSteps: 5000, loss: 0.4321,
        trainAccuracy: 0.87, testAccuracy: -1, density: 0.1, stepMsP50: 12.5, stepMsP90: 15.25, peakMemoryBytes: 123_456_789,
        maskUpdates: 12, layers: layers(20), phase: 'training', elapsedMs: 65_000,
      },
      tsProto: tsJob.ProgressReport,
      raw: v1.ProgressReport,
    },
    {
      type: 'sparsefleet.v1.JobResult',
      label: 'JobResult (20 layers, 30 epochs)',
      message: {
        jobId: '01JF3Q9W7K2M8X4N6P0R5T1V3Y', attempt: 1, sequence: 43, outcome: 1, backend: 'wasm', dataSource: 'fashion-mnist',
        testAccuracy: 0.8915, testLoss: 0.31, finalDensity: 0.1, layers: layers(20), epochs: 30, steps: 28_125, wallMs: 1_500_000,
        stepMsP50: 12.5, stepMsP90: 15.25, peakRssBytes: 900_000_000, peakTensorBytes: 200_000_000, agentVersion: '0.1.0',
        history: Array.from({ length: 30 }, (_, epoch) => ({ epoch, loss: 1 / (epoch + 1), trainAccuracy: 0.9, testAccuracy: 0.88, density: 0.1, maskUpdates: epoch * 4, wallMs: 50_000 })),
      },
      tsProto: tsJob.JobResult,
      raw: v1.JobResult,
    },
    {
      type: 'sparsefleet.v1.CheckpointChunk',
      label: 'CheckpointChunk (256 KiB)',
      message: {
        jobId: '01JF3Q9W7K2M8X4N6P0R5T1V3Y', attempt: 1, checkpointId: 'ab'.repeat(32), offset: 262_144, totalBytes: 4_000_000,
        data: Uint8Array.from({ length: 256 * 1024 }, (_, i) => (i * 2_654_435_761) >>> 24),
      },
      tsProto: tsCheckpoint.CheckpointChunk,
      raw: v1.CheckpointChunk,
    },
  ];
}

/** Median over rounds of the mean time per call (µs), each round running `fn` for about `roundMs`. */
function timePerCall(fn: () => unknown, rounds: number, roundMs: number): number {
  let calls = 1;
  const start = performance.now();
  while (performance.now() - start < 20) {
    for (let i = 0; i < calls; i++) fn();
    calls *= 2;
  }
  const perRound = Math.max(1, Math.round((calls * roundMs) / 20 / 2));
  const samples: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const t0 = performance.now();
    for (let i = 0; i < perRound; i++) fn();
    samples.push(((performance.now() - t0) * 1000) / perRound);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)];
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((value, i) => value === b[i]);
}

function measure(testCase: Case, rounds: number, roundMs: number): CodecRecord[] {
  const doorMessage = withDefaults(testCase.type, testCase.message as never);
  const doorBytes = encodeProto(testCase.type, doorMessage);
  // The same message in ts-proto's shape: decoded from the same wire bytes.
  const tsMessage = testCase.tsProto.decode(doorBytes);
  const tsBytes = testCase.tsProto.encode(tsMessage).finish();
  return [
    {
      message: testCase.label,
      codec: 'ts-proto',
      encode_us: timePerCall(() => testCase.tsProto.encode(tsMessage).finish(), rounds, roundMs),
      decode_us: timePerCall(() => testCase.tsProto.decode(doorBytes), rounds, roundMs),
      bytes: tsBytes.length,
      bytes_equal: sameBytes(tsBytes, doorBytes),
    },
    {
      message: testCase.label,
      codec: 'protobufjs door',
      encode_us: timePerCall(() => encodeProto(testCase.type, doorMessage), rounds, roundMs),
      decode_us: timePerCall(() => decodeProto(testCase.type, doorBytes), rounds, roundMs),
      bytes: doorBytes.length,
      bytes_equal: true,
    },
    {
      message: testCase.label,
      codec: 'protobufjs raw',
      encode_us: null,
      decode_us: timePerCall(() => testCase.raw.decode(doorBytes), rounds, roundMs),
      bytes: doorBytes.length,
      bytes_equal: true,
    },
  ];
}

function main(): void {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const jsonAt = args.indexOf('--json');
  const jsonFile = jsonAt >= 0 ? args[jsonAt + 1] : undefined;
  const rounds = quick ? 5 : 11;
  const roundMs = quick ? 60 : 250;

  // A warm-up pass first: whichever codec runs first would otherwise pay for the JIT of the shared runtime.
  hotMessages().forEach((testCase) => measure(testCase, 3, 20));
  const records = hotMessages().flatMap((testCase) => measure(testCase, rounds, roundMs));
  const fmt = (us: number | null) => (us === null ? '—' : us < 10 ? us.toFixed(2) : us.toFixed(1));
  console.log('message                              codec              encode µs  decode µs     bytes  same bytes');
  for (const r of records) {
    console.log(
      `${r.message.padEnd(36)} ${r.codec.padEnd(17)} ${fmt(r.encode_us).padStart(10)} ${fmt(r.decode_us).padStart(10)} ${String(r.bytes).padStart(9)}  ${r.bytes_equal ? 'yes' : 'NO'}`,
    );
  }
  console.log('\nts-proto time / protobufjs door time (> 1 means protobufjs is faster):');
  for (const label of new Set(records.map((r) => r.message))) {
    const before = records.find((r) => r.message === label && r.codec === 'ts-proto')!;
    const after = records.find((r) => r.message === label && r.codec === 'protobufjs door')!;
    console.log(`  ${label.padEnd(36)} encode ×${(before.encode_us! / after.encode_us!).toFixed(2)}  decode ×${(before.decode_us / after.decode_us).toFixed(2)}`);
  }
  if (jsonFile) {
    const meta = { node: process.version, quick, rounds, round_ms: roundMs, date: new Date().toISOString() };
    writeFileSync(jsonFile, JSON.stringify({ meta, records }, null, 2));
  }
}

main();
