/**
 * Time from SIGKILL of a cluster primary to the first successful command on its slots, with
 * 200 callers: `node --import tsx bench/cluster-failover.ts` (RUNS=5 by default, CALLERS=200).
 *
 * Settings: 3 primaries + 3 replicas on loopback (test/helpers/redis-cluster.ts),
 * cluster-node-timeout 1000 ms (NODE_TIMEOUT to change it), cluster-replica-validity-factor 0;
 * the cluster client with default options. Each caller loops on SET then GET of its own key
 * (test/helpers/cluster-load.ts); "first success" is the first SET+GET *issued after* the kill,
 * on a key of the killed primary's slots, that resolves. Also printed: when the replica saw
 * itself promoted (CLUSTER NODES, polled every 20 ms) and what callers saw.
 *
 * FAULT=stop freezes the primary with SIGSTOP instead (no TCP reset: only the client's health
 * check notices), with the client's healthCheckInterval from HEALTH_CHECK (default 1000 ms).
 */
import { createCluster } from '../lib/index.js';
import { keySlot } from '../lib/cluster/slot.js';
import { cleanupAll } from '../test/helpers/cleanup.js';
import { startLoad } from '../test/helpers/cluster-load.js';
import { startCluster } from '../test/helpers/redis-cluster.js';

const RUNS = Number(process.env.RUNS ?? 5);
const CALLERS = Number(process.env.CALLERS ?? 200);
const NODE_TIMEOUT = Number(process.env.NODE_TIMEOUT ?? 1000);
const FAULT = process.env.FAULT === 'stop' ? 'stop' : 'kill';
const HEALTH_CHECK = Number(process.env.HEALTH_CHECK ?? 1000);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const redis = await startCluster({ nodeTimeout: NODE_TIMEOUT });
  const firsts: number[] = [];
  const promotions: number[] = [];
  try {
    for (let run = 1; run <= RUNS; run++) {
      const cluster = createCluster({ nodes: redis.urls, ...(FAULT === 'stop' ? { healthCheckInterval: HEALTH_CHECK } : {}) });
      cluster.on('error', () => {});
      await cluster.refresh();
      const nodes = await redis.nodes();
      const victim = nodes.find((n) => n.role === 'primary' && n.slots.length > 0)!;
      const replica = nodes.find((n) => n.primaryId === victim.id)!;
      const load = startLoad(cluster, CALLERS, `bench${run}`);
      const keys = new Set(load.keys.filter((k) => {
        const slot = keySlot(k);
        return victim.slots.some(([a, b]) => slot >= a && slot <= b);
      }));
      await load.progress(CALLERS * 2);
      const killedAt = Date.now();
      const healed = load.firstSuccessAfter(killedAt, keys);
      if (FAULT === 'stop') redis.server(victim.port).pause();
      else await redis.server(victim.port).kill();
      let promotedAt = Infinity;
      while (promotedAt === Infinity) {
        const view = await redis.nodes(redis.server(replica.port)).catch(() => []);
        if (view.some((n) => n.port === replica.port && n.role === 'primary' && n.slots.length > 0)) promotedAt = Date.now();
        else await new Promise((r) => setTimeout(r, 20));
      }
      const first = (await healed) - killedAt;
      const result = await load.stop();
      await cluster.close();
      const kinds = new Map<string, number>();
      for (const { error } of result.errors) {
        const kind = `${error.name}${(error as { unsent?: boolean }).unsent ? ' (unsent)' : ''}`;
        kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
      }
      if (process.env.VERBOSE) {
        for (const { error, key, at } of result.errors.filter((e) => !keys.has(e.key)).slice(0, 3)) {
          console.log(`  ${key} at ${at - killedAt} ms: ${error.name}: ${error.message}`);
        }
        for (const { error, key, at } of result.errors.filter((e) => keys.has(e.key)).slice(-3)) {
          console.log(`  victim ${key} at ${at - killedAt} ms: ${error.name}: ${error.message}`);
        }
      }
      firsts.push(first);
      promotions.push(promotedAt - killedAt);
      console.log(`run ${run}: promoted at ${promotedAt - killedAt} ms, first success at ${first} ms; ` +
        `${keys.size} of ${CALLERS} callers on the faulted primary; errors: ` +
        `${[...kinds].map(([k, n]) => `${n} ${k}`).join(', ') || 'none'}; wrong replies: ${result.wrong.length}`);
      if (FAULT === 'stop') redis.server(victim.port).resume();
      else await redis.server(victim.port).restart();
      await redis.waitForOk(30_000);
    }
    const setting = FAULT === 'stop' ? `, healthCheckInterval ${HEALTH_CHECK} ms` : '';
    console.log(`median of ${RUNS} runs, ${CALLERS} callers, cluster-node-timeout ${NODE_TIMEOUT} ms${setting}: first success ` +
      `${median(firsts)} ms after SIG${FAULT.toUpperCase()} (min ${Math.min(...firsts)}, max ${Math.max(...firsts)}); replica promoted ` +
      `${median(promotions)} ms after SIG${FAULT.toUpperCase()}`);
  } finally {
    await redis.stop();
    await cleanupAll();
  }
}

await main();
