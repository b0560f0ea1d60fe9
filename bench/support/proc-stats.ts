// Another process's resident memory and CPU time, read from /proc (Linux): the coordinator runs as its own child
// process so these count it alone, not the load generator.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

let ticksPerSecond: number | undefined;

function clockTicksPerSecond(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** VmRSS of `pid` in bytes. */
export function residentBytes(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((entry) => entry.startsWith('VmRSS:'));
  if (!line) throw new Error(`no VmRSS for process ${pid}`);
  return Number(line.replace(/\D+/g, '')) * 1024;
}

export interface CpuTime {
  readonly userMs: number;
  readonly systemMs: number;
}

/** User and system CPU time of `pid` (all its threads) in milliseconds. */
export function cpuTime(pid: number): CpuTime {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces; the fields after its closing parenthesis start with field 3.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return { userMs: (utime * 1000) / clockTicksPerSecond(), systemMs: (stime * 1000) / clockTicksPerSecond() };
}

/**
 * Connections the kernel dropped because a listening socket's accept queue was full (TcpExtListenOverflows, all of
 * this machine's sockets since boot); undefined where /proc/net/netstat cannot be read.
 */
export function listenOverflows(): number | undefined {
  try {
    const lines = readFileSync('/proc/net/netstat', 'utf8').split('\n').filter((line) => line.startsWith('TcpExt:'));
    const names = lines[0]?.split(/\s+/) ?? [];
    const values = lines[1]?.split(/\s+/) ?? [];
    const index = names.indexOf('ListenOverflows');
    return index > 0 ? Number(values[index]) : undefined;
  } catch {
    return undefined;
  }
}
