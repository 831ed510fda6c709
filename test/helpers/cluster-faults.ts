/**
 * Fault steps for cluster tests that the cluster helper (redis-cluster.ts) leaves out: waiting
 * for a promotion, and a graceful failover that is asked again when the server drops it.
 */
import type { RedisCluster } from './redis-cluster.js';

/** Resolves once `port` is a primary serving slots, as that node sees it. */
export async function untilPrimary(redis: RedisCluster, port: number, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await isPrimary(redis, port)) return;
    // The promotion spreads by gossip; there is no event to wait for from outside the cluster.
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${port} did not become a primary within ${timeoutMs} ms`);
}

async function isPrimary(redis: RedisCluster, port: number): Promise<boolean> {
  const nodes = await redis.nodes(redis.server(port)).catch(() => []);
  return nodes.some((n) => n.port === port && n.role === 'primary' && n.slots.length > 0);
}

/**
 * CLUSTER FAILOVER on the replica on `port`, resolved once it is a primary. A manual failover
 * the server gives up on (its primary answered late on a loaded machine: it times out after
 * a few seconds) is asked again, up to 3 times.
 */
export async function failover(redis: RedisCluster, port: number): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    await redis.server(port).cli('CLUSTER', 'FAILOVER');
    try {
      await untilPrimary(redis, port, 8_000);
      return;
    } catch (err) {
      if (attempt === 3) throw err;
    }
  }
}

/**
 * `promise`, or a rejection naming `what` and what `state` says once `ms` have passed: a fault
 * test whose cluster does not heal fails in seconds and says at which step and in what state,
 * instead of waiting out mocha's timeout with nothing to read.
 */
export async function within<T>(promise: Promise<T>, ms: number, what: string, state: () => Promise<string>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      state().then(
        (s) => reject(new Error(`${what}: not within ${ms} ms; ${s}`)),
        (e: unknown) => reject(new Error(`${what}: not within ${ms} ms (state unreadable: ${String(e)})`)),
      );
    }, ms);
  });
  try {
    return await Promise.race([promise, expired]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * When the cluster healed on its own side after losing a primary: the replica on `port` serves
 * as a primary and every node that answers is ok and agrees on the slot owners. A client's
 * healing is measured from here; how long the servers take to elect and spread the news is
 * theirs (seconds, more on a loaded host), not the client's.
 */
export async function serversHealed(redis: RedisCluster, port: number, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  await untilPrimary(redis, port, timeoutMs);
  await redis.waitForOk(Math.max(1, deadline - Date.now()));
  return Date.now();
}
