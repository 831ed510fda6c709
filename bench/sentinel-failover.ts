/**
 * Time from SIGKILL of the primary to the first successful command, with a Sentinel pool under
 * load: `node --import tsx bench/sentinel-failover.ts` (RUNS=5 by default, CALLERS=200).
 *
 * Settings: one primary, one replica, three sentinels (quorum 2, down-after-milliseconds 1000,
 * failover-timeout 2000) on loopback (test/helpers/sentinel-set.ts); the pool with default
 * options. Each caller loops on INCR of its own key; "first success" is the first command
 * *issued after* the kill that resolves. Also printed: when the pool's 'failover' event fired
 * and when a raw subscriber saw Sentinel's +switch-master.
 */
import { createPool } from '../lib/index.js';
import { cleanupAll } from '../test/helpers/cleanup.js';
import { startSentinelSet } from '../test/helpers/sentinel-set.js';

const RUNS = Number(process.env.RUNS ?? 5);
const CALLERS = Number(process.env.CALLERS ?? 200);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const set = await startSentinelSet();
  const firsts: number[] = [];
  const events: number[] = [];
  const switches: number[] = [];
  const after: number[] = [];
  try {
    for (let run = 1; run <= RUNS; run++) {
      const pool = createPool({ sentinel: { nodes: set.sentinelNodes, name: set.name } });
      await pool.command(['PING']);
      let stop = false;
      let killedAt = Infinity;
      let first = Infinity;
      let failed = 0;
      const loop = async (i: number) => {
        while (!stop) {
          const sentAt = Date.now();
          try {
            await pool.command(['INCR', `k:${i}`]);
            if (sentAt >= killedAt && first === Infinity) first = Date.now() - killedAt;
          } catch {
            failed++;
            await new Promise((r) => setImmediate(r));
          }
        }
      };
      const running = Array.from({ length: CALLERS }, (_, i) => loop(i));
      await new Promise((r) => setTimeout(r, 500));
      const primary = await set.primary();
      const switched = set.nextSwitch();
      const failover = new Promise<number>((resolve) => pool.once('failover', () => resolve(Date.now() - killedAt)));
      killedAt = Date.now();
      await primary.kill();
      const switchedAt = await switched.then(() => Date.now() - killedAt);
      const eventAt = await failover;
      while (first === Infinity) await new Promise((r) => setTimeout(r, 10));
      stop = true;
      await Promise.all(running);
      await pool.close();
      firsts.push(first);
      events.push(eventAt);
      switches.push(switchedAt);
      after.push(first - switchedAt);
      console.log(`run ${run}: +switch-master seen at ${switchedAt} ms, 'failover' at ${eventAt} ms, first success at ${first} ms (${failed} in-flight commands rejected)`);
      await set.heal();
    }
    console.log(`median of ${RUNS} runs, ${CALLERS} callers: first success ${median(firsts)} ms after SIGKILL ` +
      `(min ${Math.min(...firsts)}, max ${Math.max(...firsts)}); 'failover' event ${median(events)} ms; ` +
      `+switch-master ${median(switches)} ms; first success ${median(after)} ms after +switch-master was seen`);
  } finally {
    await cleanupAll();
  }
}

await main();
