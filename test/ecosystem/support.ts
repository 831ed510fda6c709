/**
 * What the compat clients of an ecosystem suite run on, one `describe` per kind: a Pool or a
 * Cluster, on RESP2 or RESP3. Each kind gets its server(s) once per describe (a pool's own
 * redis-server; the run's shared cluster, see test/helpers/redis-cluster.ts), emptied before each
 * test. The backend is the caller's: compat clients never close it.
 */
import { createCluster, createPool, keySlot, type Cluster, type Pool, type PoolOptions } from '../../lib/index.js';
import { sharedCluster, type RedisCluster } from '../helpers/redis-cluster.js';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';

export type BackendKind = 'Pool RESP2' | 'Pool RESP3' | 'Cluster RESP2' | 'Cluster RESP3';

export const BACKENDS: readonly BackendKind[] = ['Pool RESP2', 'Pool RESP3', 'Cluster RESP2', 'Cluster RESP3'];

export interface EcosystemContext {
  readonly kind: BackendKind;
  readonly cluster: boolean;
  /** The Pool or Cluster the compat clients are views on. */
  readonly backend: Pool | Cluster;
  /**
   * One command over a raw socket (not respool), as RedisServer.cli: on a cluster, sent to the
   * primary serving `args[1]` (the key); KEYS to every primary, CLIENT to every node (joined).
   */
  cli(...args: (string | number)[]): Promise<string>;
  /**
   * `name` as a hash tag on a cluster (`{name}`), as is on a pool: for what a library keeps in
   * one slot so its multi-key batches and scripts can run there (a prefix, a namespace).
   */
  tag(name: string): string;
}

/** Cluster-only options (`nodes`) are set here; a pool's `db` is not taken by a cluster. */
type BackendOptions = Omit<PoolOptions, 'protocol' | 'host' | 'port' | 'path' | 'db'>;

export function sharedBackend(kind: BackendKind, options: BackendOptions = {}): EcosystemContext {
  const protocol = kind.endsWith('RESP3') ? 3 : 2;
  const onCluster = kind.startsWith('Cluster');
  let server: RedisServer | undefined;
  let redis: RedisCluster | undefined;
  let backend: Pool | Cluster | undefined;
  before(async function () {
    this.timeout(60_000);
    if (onCluster) {
      redis = await sharedCluster();
      backend = createCluster({ ...options, nodes: [redis.urls[0]!], protocol });
    } else {
      server = await startRedis();
      backend = createPool(server.url, { ...options, protocol });
    }
  });
  after(async () => {
    await backend?.close();
    await server?.stop();
  });
  beforeEach(async () => {
    if (redis !== undefined) await redis.flushAll();
    else await server!.cli('FLUSHALL');
  });
  return {
    kind,
    cluster: onCluster,
    get backend() {
      return backend!;
    },
    async cli(...args) {
      if (redis === undefined) return server!.cli(...args);
      const word = String(args[0]).toUpperCase();
      if (word === 'KEYS') {
        const found: unknown[] = [];
        for (const primary of await redis.primaries()) found.push(...(JSON.parse(await primary.cli(...args)) as unknown[]));
        return JSON.stringify(found);
      }
      if (word === 'CLIENT') return (await Promise.all(redis.servers.map((node) => node.cli(...args)))).join('\n');
      return (await redis.ownerOf(keySlot(String(args[1])))).cli(...args);
    },
    tag: (name) => (onCluster ? `{${name}}` : name),
  };
}
