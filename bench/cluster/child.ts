/**
 * The child side of the cluster bench: one cluster client per process, the scenarios of
 * ./scenario.ts through the main bench's harness (warm-up, measured window, read-back check).
 * `task.url` carries every node's URL, comma-separated; each client gets them all as seeds.
 *
 * Variants: `respool` (createCluster), `ioredis-cluster` and `ioredis-cluster-auto` (ioredis
 * `Cluster`, without and with enableAutoPipelining), `node-redis-cluster` (`createCluster`),
 * `glide-cluster` (Valkey GLIDE `GlideClusterClient`).
 */
import { createCluster } from '../../lib/index.js';
import { runChild } from '../clients/harness.js';
import { throwFirstError, type BenchClient, type BenchCommand } from '../scenarios.js';
import { CLUSTER_SCENARIO_TABLE, seedsOf } from './scenario.js';

/** The subset of a peer's cluster client the scenarios call. */
interface Commands {
  get(key: string): Promise<unknown>;
  set(key: string, value: string): Promise<unknown>;
}

function send(target: Commands, c: BenchCommand): Promise<unknown> {
  return c[0] === 'SET' ? target.set(c[1], c[2]) : target.get(c[1]);
}

/**
 * ioredis's `pipeline()` and node-redis's `multi().execAsPipeline()` on a cluster refuse (or
 * misroute) keys served by several nodes, so a mixed-slot batch is what their users write
 * instead: every command issued in the same tick, which both libraries pipeline per node.
 */
async function sameTick(target: Commands, commands: readonly BenchCommand[]): Promise<void> {
  await Promise.all(commands.map((c) => send(target, c)));
}

/** `size` connections per node. */
async function respool(url: string, size: number): Promise<BenchClient> {
  const cluster = createCluster({ nodes: seedsOf(url).urls, size });
  // Fail here, before the clock starts, if the cluster cannot be reached.
  await cluster.command(['PING']);
  return {
    use1: (c) => cluster.use((handle) => handle.command(c)),
    command: (c) => cluster.command(c),
    async pipeline(commands) {
      throwFirstError(await cluster.pipeline(commands));
    },
    close: () => cluster.close(),
  };
}

async function ioredis(url: string, autoPipelining: boolean): Promise<BenchClient> {
  const { Cluster } = await import('ioredis');
  const cluster = new Cluster(seedsOf(url).hostPorts, { enableAutoPipelining: autoPipelining, lazyConnect: true });
  await cluster.connect();
  const command = (c: BenchCommand) => send(cluster, c);
  return {
    use1: command,
    command,
    pipeline: (commands) => sameTick(cluster, commands),
    async close() {
      await cluster.quit();
    },
  };
}

async function nodeRedis(url: string): Promise<BenchClient> {
  const { createCluster: createNodeRedisCluster } = await import('redis');
  const cluster = createNodeRedisCluster({ rootNodes: seedsOf(url).urls.map((u) => ({ url: u })) });
  await cluster.connect();
  const command = (c: BenchCommand) => send(cluster, c);
  return {
    use1: command,
    command,
    pipeline: (commands) => sameTick(cluster, commands),
    async close() {
      await cluster.close();
    },
  };
}

async function glide(url: string): Promise<BenchClient> {
  const { GlideClusterClient, ClusterBatch } = await import('@valkey/valkey-glide');
  const client = await GlideClusterClient.createClient({ addresses: seedsOf(url).hostPorts });
  const command = (c: BenchCommand) => send(client, c);
  return {
    use1: command,
    command,
    // A non-atomic ClusterBatch: GLIDE's own pipeline, split per node and merged in order.
    async pipeline(commands) {
      const batch = new ClusterBatch(false);
      for (const c of commands) {
        if (c[0] === 'SET') batch.set(c[1], c[2]);
        else batch.get(c[1]);
      }
      throwFirstError((await client.exec(batch, true)) ?? []);
    },
    close: async () => client.close(),
  };
}

await runChild({
  respool,
  'ioredis-cluster': (url) => ioredis(url, false),
  'ioredis-cluster-auto': (url) => ioredis(url, true),
  'node-redis-cluster': (url) => nodeRedis(url),
  'glide-cluster': (url) => glide(url),
}, CLUSTER_SCENARIO_TABLE);
