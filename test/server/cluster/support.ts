// Shared by the cluster tests: bounded polling, the connections a Redis server holds besides the test's probe, and a
// relay that can cut a node off from Redis.
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import type { Redis } from 'ioredis';

/** Polls `condition` every 20 ms until it holds; fails after `timeoutMs` (a bound, not a measurement). */
export async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 15_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`${what} not reached within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** One line per client connected to the probe's server, the probe itself left out ("id=… addr=… cmd=…"). */
export async function redisClientNames(probe: Redis): Promise<string[]> {
  const own = await probe.client('ID');
  const list = (await probe.client('LIST')) as string;
  return list
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith(`id=${own} `));
}

/** A loopback TCP relay to a port; cut() drops every relayed connection and refuses new ones (a node cut off). */
export interface TcpRelay {
  readonly port: number;
  cut(): Promise<void>;
}

export async function startTcpRelay(targetPort: number): Promise<TcpRelay> {
  const sockets = new Set<Socket>();
  const server = createServer((inbound) => {
    const outbound = connect({ host: '127.0.0.1', port: targetPort });
    for (const [from, to] of [[inbound, outbound], [outbound, inbound]] as const) {
      sockets.add(from);
      from.on('error', () => to.destroy());
      from.on('close', () => {
        sockets.delete(from);
        to.destroy();
      });
      from.pipe(to);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    cut: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}
