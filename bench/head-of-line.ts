/**
 * `npx tsx bench/head-of-line.ts`: how long a PING waits while ten concurrent 50 MB GETs
 * stream on the same pool (issue 8, item 3). A PING is sent every PROBE_EVERY_MS while the
 * GETs run; prints the PINGs' latencies (p50, max) and how long the GETs took.
 *
 * Environment: REDIS_URL (else a redis-server is started), HOL_MB (default 50), HOL_GETS (10).
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { createPool } from '../lib/index.js';
import { redisTarget } from './redis.js';

const PROBE_EVERY_MS = 20;

async function main(): Promise<void> {
  const mb = Number(process.env.HOL_MB ?? 50);
  const count = Number(process.env.HOL_GETS ?? 10);
  const target = await redisTarget();
  const pool = createPool(target.url, { size: 8 });
  try {
    await pool.command(['SET', 'hol:big', Buffer.alloc(mb * 1024 * 1024, 'x')]);
    const started = performance.now();
    let done = false;
    const gets = Promise.all(
      Array.from({ length: count }, () => pool.command(['GET', 'hol:big'], { returnBuffers: true })),
    ).then(() => {
      done = true;
      return performance.now() - started;
    });
    const pings: Promise<number>[] = [];
    // Probing on a timer is the measurement: PINGs arrive while the transfer runs.
    while (!done) {
      const sent = performance.now();
      pings.push(pool.command(['PING']).then(() => performance.now() - sent));
      await sleep(PROBE_EVERY_MS);
    }
    const took = await gets;
    const inOrder = await Promise.all(pings);
    if (process.env.HOL_DEBUG) console.log(inOrder.map((x) => x.toFixed(0)).join(" "));
    const latencies = [...inOrder].sort((a, b) => a - b);
    const p50 = latencies[Math.floor(latencies.length / 2)] ?? 0;
    const max = latencies[latencies.length - 1] ?? 0;
    console.log(
      `${count} x ${mb} MB GETs took ${took.toFixed(0)} ms; ${latencies.length} PINGs beside them: ` +
        `p50 ${p50.toFixed(1)} ms, max ${max.toFixed(1)} ms; connections in rotation: ${pool.stats.shared}`,
    );
  } finally {
    await pool.command(['DEL', 'hol:big']).catch(() => undefined);
    await pool.close();
    await target.stop();
  }
}

await main();
