// The coordinator benchmark's handle on one device-group child process (bench/support/device-group-process.ts):
// sends a command, waits for its answer.
import { fork, type ChildProcess } from 'node:child_process';
import type { DeviceGroupCommand, DeviceGroupReply, DeviceGroupSetup } from './device-group-ipc.js';
import { WorkerMailbox } from './worker-mailbox.js';

const ENTRY = new URL('./device-group-process.js', import.meta.url);

type ReplyOf<K extends DeviceGroupReply['kind']> = Extract<DeviceGroupReply, { kind: K }>;

export class DeviceGroupProcess {
  private readonly child: ChildProcess;
  private readonly mailbox: WorkerMailbox<DeviceGroupReply>;

  constructor(setup: DeviceGroupSetup) {
    this.child = fork(ENTRY, [], { env: { ...process.env, BENCH_DEVICE_GROUP: JSON.stringify(setup) }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.mailbox = new WorkerMailbox<DeviceGroupReply>(this.child);
    this.child.once('exit', (code) => {
      if (code !== 0 && code !== null) {
        console.error(`a device group exited with code ${code}`);
        process.exit(1);
      }
    });
  }

  get pid(): number {
    return this.child.pid!;
  }

  async ask<K extends DeviceGroupReply['kind']>(command: DeviceGroupCommand, replyKind: K): Promise<ReplyOf<K>> {
    this.child.send(command);
    return (await this.mailbox.next(replyKind)) as ReplyOf<K>;
  }

  async stop(): Promise<void> {
    await this.ask({ kind: 'stop' }, 'stopped');
    this.child.disconnect();
  }
}

/** Splits `devices` into `groups` nearly equal groups of consecutive fleet indexes. */
export function splitFleet(devices: number, groups: number, urls: readonly string[]): DeviceGroupSetup[] {
  const setups: DeviceGroupSetup[] = [];
  let firstIndex = 0;
  for (let group = 0; group < groups; group++) {
    const count = Math.floor(devices / groups) + (group < devices % groups ? 1 : 0);
    if (count > 0) setups.push({ urls, firstIndex, count });
    firstIndex += count;
  }
  return setups;
}
