// The coordinator of a simulated run as a child process: `sparsefleet sim coordinator` (serve with limits for a
// fleet on one address) on a temporary data dir with the scenario's (scaled) heartbeat; an operator API key made with `sparsefleet apikey create`; SIGKILL and a restart on
// the same data dir and port (devices reconnect to the same URL). Its log is read line by line for the lease
// expiries the invariants need (the coordinator logs each abandoned attempt with its device).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { LeaseExpiry } from './invariants.js';

export interface CoordinatorProcessOptions {
  /** The `sparsefleet` entry script (bin/sparsefleet.js); default: found above this module. */
  readonly entry?: string;
  readonly dataDir: string;
  /** Heartbeat interval devices are asked to use (wall ms); lease and presence derive from it. */
  readonly heartbeatMs: number;
  /** Enrollments a minute the coordinator accepts from one address (all virtual devices share 127.0.0.1). */
  readonly enrollmentsPerMinute: number;
  /** Called for every lease expiry the coordinator logs. */
  readonly onLeaseExpiry?: (expiry: LeaseExpiry) => void;
  /** How long to wait for the coordinator to listen (ms). */
  readonly startTimeoutMs?: number;
}

const LISTENING = /sparsefleet coordinator listening on (http:\/\/\S+)/;
const LEASE_EXPIRED = /^job (\S+) attempt (\d+) abandoned \(lease expired: device (\S+) /;

/** The repository's bin/sparsefleet.js, found by walking up from this module (source or dist/). */
export function defaultSparsefleetEntry(): string {
  let folder = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(folder, 'bin', 'sparsefleet.js');
    if (existsSync(candidate)) return candidate;
    const parent = dirname(folder);
    if (parent === folder) throw new Error('cannot find bin/sparsefleet.js above the simulator; give the entry explicitly');
    folder = parent;
  }
}

export class CoordinatorProcess {
  private child: ChildProcess | undefined;
  private port = 0;
  private restarts = 0;
  private peakRss = 0;
  private readonly recentOutput: string[] = [];
  private readonly entry: string;
  url = '';

  private constructor(private readonly options: CoordinatorProcessOptions) {
    this.entry = options.entry ?? defaultSparsefleetEntry();
  }

  static async start(options: CoordinatorProcessOptions): Promise<CoordinatorProcess> {
    const coordinator = new CoordinatorProcess(options);
    await coordinator.launch();
    return coordinator;
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  get restartCount(): number {
    return this.restarts;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** The largest resident set seen across the coordinator's lives (bytes; VmHWM on Linux, 0 elsewhere). */
  get peakRssBytes(): number {
    this.samplePeakRss();
    return this.peakRss;
  }

  /** Creates an operator API key in the coordinator's data dir (the first key cannot come over REST). */
  async createApiKey(name = 'sim'): Promise<string> {
    const output = await runToEnd(this.entry, ['apikey', 'create', '--data-dir', this.options.dataDir, '--name', name, '--json']);
    const parsed = JSON.parse(output) as { key?: unknown };
    if (typeof parsed.key !== 'string') throw new Error(`apikey create printed no key: ${output.slice(0, 200)}`);
    return parsed.key;
  }

  /** SIGKILL: no shutdown, no flush; the database is left as the crash leaves it. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.samplePeakRss();
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await exited;
    this.child = undefined;
  }

  /** Starts a new coordinator process on the same data dir and port. */
  async restart(): Promise<void> {
    if (this.child) await this.kill();
    await this.launch();
    this.restarts += 1;
  }

  /** SIGTERM (graceful), SIGKILL after `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.samplePeakRss();
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
    this.child = undefined;
  }

  /** The last lines the coordinator printed, for error messages. */
  outputTail(): string {
    return this.recentOutput.join('\n');
  }

  private async launch(): Promise<void> {
    // `sim coordinator` is `serve` with limits for a fleet that enrolls from one address (cli/src/commands/sim-coordinator.ts).
    const args = [this.entry, 'sim', 'coordinator', '--port', String(this.port), '--data-dir', this.options.dataDir];
    args.push('--heartbeat-ms', String(Math.round(this.options.heartbeatMs)), '--enrollments', String(this.options.enrollmentsPerMinute));
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    const timeoutMs = this.options.startTimeoutMs ?? 60_000;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => fail(new Error(`the coordinator did not listen within ${timeoutMs} ms\n${this.outputTail()}`)), timeoutMs);
      const onExit = (code: number | null, signal: string | null): void =>
        fail(new Error(`the coordinator exited before listening (code ${code}, signal ${signal})\n${this.outputTail()}`));
      const fail = (error: Error): void => {
        clearTimeout(timer);
        child.off('exit', onExit);
        child.kill('SIGKILL');
        this.child = undefined;
        reject(error);
      };
      child.once('exit', onExit);
      this.readLines(child, (line) => {
        const listening = LISTENING.exec(line);
        if (!listening) return;
        clearTimeout(timer);
        child.off('exit', onExit);
        this.url = listening[1]!;
        this.port = Number(new URL(this.url).port);
        resolve();
      });
    });
    child.once('exit', () => {
      if (this.child === child) this.child = undefined;
    });
  }

  private readLines(child: ChildProcess, onListening: (line: string) => void): void {
    const onLine = (line: string): void => {
      this.remember(line);
      onListening(line);
      this.parseLogLine(line);
    };
    createInterface({ input: child.stdout! }).on('line', onLine);
    createInterface({ input: child.stderr! }).on('line', onLine);
  }

  private parseLogLine(line: string): void {
    if (!line.startsWith('{') || !this.options.onLeaseExpiry) return;
    let entry: { msg?: unknown; time?: unknown };
    try {
      entry = JSON.parse(line) as { msg?: unknown; time?: unknown };
    } catch {
      return;
    }
    if (typeof entry.msg !== 'string') return;
    const match = LEASE_EXPIRED.exec(entry.msg);
    if (!match) return;
    const wallMs = typeof entry.time === 'number' ? entry.time : Date.now();
    this.options.onLeaseExpiry({ jobId: match[1]!, attempt: Number(match[2]), deviceId: match[3]!, wallMs });
  }

  private remember(line: string): void {
    this.recentOutput.push(line);
    if (this.recentOutput.length > 40) this.recentOutput.shift();
  }

  private samplePeakRss(): void {
    const pid = this.child?.pid;
    if (pid === undefined) return;
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const match = /^VmHWM:\s+(\d+) kB/m.exec(status);
      if (match) this.peakRss = Math.max(this.peakRss, Number(match[1]) * 1024);
    } catch {
      // Not Linux, or the process is gone: the peak stays what was seen.
    }
  }
}

function runToEnd(entry: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [entry, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`sparsefleet ${args.join(' ')} exited with ${code}: ${stderr.trim()}`))));
  });
}
