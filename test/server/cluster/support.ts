// Shared by the cluster tests: bounded polling, and the connections a Redis server holds besides the test's probe.
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
