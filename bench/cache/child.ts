/**
 * The child side of the client-side caching bench: one client variant per process, the
 * read-mostly scenario of ./scenario.ts, its result sent over IPC.
 *
 * Variants: `respool` (no cache), `respool-cached` (clientCache), `respool-cached-bcast` (its
 * BCAST mode), `node-redis-cached`
 * (createClient with RESP3 and a BasicClientSideCache), `glide-cached` (Valkey GLIDE with a
 * server-assisted ClientSideCache), `ceiling` (reads answered at once from nothing: the most any
 * cache could reach in this scenario). The writer is a plain respool pool for every variant.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { performance } from 'node:perf_hooks';
import { createPool } from '../../lib/index.js';
import { LatencyHistogram } from '../stats.js';
import {
  HOT_KEYS,
  hotKey,
  versioned,
  versionOf,
  WRITE_SHARE,
  type CacheBenchClient,
  type CacheRoundResult,
  type CacheTask,
} from './scenario.js';

type Factory = (url: string, poolSize: number) => Promise<CacheBenchClient>;

const CACHE_ENTRIES = 10_000;

async function respool(url: string, size: number, mode: 'off' | 'default' | 'bcast'): Promise<CacheBenchClient> {
  const cached = mode !== 'off';
  const pool = createPool(url, { size, protocol: 3, clientCache: cached ? { maxEntries: CACHE_ENTRIES, mode } : undefined });
  await pool.command(['PING']);
  return {
    get: (key) => pool.command(['GET', key]),
    onInvalidate: cached
      ? (listener) => pool.on('push', (frame: unknown[]) => {
        if (String(frame[0]) !== 'invalidate') return;
        const keys = frame[1];
        if (keys === null) listener(null);
        else if (Array.isArray(keys)) for (const k of keys) listener(String(k));
      })
      : undefined,
    hits: () => (cached ? pool.clientCache.stats.hits : undefined),
    close: () => pool.close(),
  };
}

async function nodeRedis(url: string): Promise<CacheBenchClient> {
  const { createClient, BasicClientSideCache } = await import('redis');
  const cache = new BasicClientSideCache({ maxEntries: CACHE_ENTRIES });
  const client = createClient({ url, RESP: 3, clientSideCache: cache });
  await client.connect();
  return {
    get: (key) => client.get(key),
    onInvalidate: (listener) => cache.on('invalidate', (key: unknown) => listener(key === null ? null : String(key))),
    hits: () => cache.stats().hitCount,
    async close() {
      await client.close();
    },
  };
}

async function glide(url: string): Promise<CacheBenchClient> {
  const { GlideClient, ClientSideCache, ProtocolVersion } = await import('@valkey/valkey-glide');
  const { hostname, port } = new URL(url);
  const client = await GlideClient.createClient({
    addresses: [{ host: hostname, port: Number(port) }],
    protocol: ProtocolVersion.RESP3,
    clientSideCache: new ClientSideCache({ maxCacheKb: 64 * 1024, entryTtlMs: 0, serverAssisted: true }),
  });
  return {
    get: (key) => client.get(key),
    close: async () => client.close(),
  };
}

/**
 * The scenario's ceiling: every read answered at once from nothing (no cache, no server, no
 * check), writes as for every other variant. No cache can beat it: it prices the harness and the
 * writes' round trips, so a ratio against uncached respool is read against this one.
 */
async function ceiling(): Promise<CacheBenchClient> {
  const value = versioned(1);
  const answer = Promise.resolve(value);
  return { get: () => answer, close: async () => {} };
}

const FACTORIES: Readonly<Record<string, Factory>> = {
  respool: (url, size) => respool(url, size, 'off'),
  'respool-cached': (url, size) => respool(url, size, 'default'),
  'respool-cached-bcast': (url, size) => respool(url, size, 'bcast'),
  'node-redis-cached': (url) => nodeRedis(url),
  'glide-cached': (url) => glide(url),
  ceiling: () => ceiling(),
};

/** Per-key bookkeeping for the stale-read checks and the lag. */
class Versions {
  /** Highest version whose SET was acknowledged to the writer. */
  readonly acked = new Float64Array(HOT_KEYS);
  /** Reads issued after this version's invalidation arrived must see at least it. */
  readonly floor = new Float64Array(HOT_KEYS);
  /** Ack time of the latest write whose invalidation has not arrived yet (0: none). */
  readonly waitingSince = new Float64Array(HOT_KEYS);
  /** Writes sent and not yet acknowledged. */
  readonly inFlight = new Int32Array(HOT_KEYS);
  /** An invalidation arrived while a write was in flight: its lag counts as 0. */
  readonly early = new Uint8Array(HOT_KEYS);
  readonly next = new Float64Array(HOT_KEYS).fill(2);
  readonly lag = new LatencyHistogram();
  measuring = false;

  invalidated(index: number, now: number): void {
    this.floor[index] = this.acked[index]!;
    if (this.waitingSince[index] !== 0) {
      if (this.measuring) this.lag.record((now - this.waitingSince[index]!) * 1000);
      this.waitingSince[index] = 0;
    } else if (this.inFlight[index]! > 0) {
      this.early[index] = 1;
    }
  }

  written(index: number, version: number, now: number): void {
    this.inFlight[index]--;
    if (version > this.acked[index]!) this.acked[index] = version;
    if (this.early[index] === 1) {
      this.early[index] = 0;
      if (this.measuring) this.lag.record(0);
    } else {
      this.waitingSince[index] = now;
    }
  }
}

async function run(task: CacheTask): Promise<CacheRoundResult> {
  const client = await FACTORIES[task.client]!(task.url, task.poolSize);
  const writer = createPool(task.url, { size: 1 });
  const keys = Array.from({ length: HOT_KEYS }, (_, i) => hotKey(i));
  await writer.pipeline(keys.map((k) => ['SET', k, versioned(1)]));
  for (const k of keys) await client.get(k); // every client starts with the hot set read once
  const v = new Versions();
  v.acked.fill(1);
  const hooked = client.onInvalidate !== undefined;
  client.onInvalidate?.((key) => {
    const now = performance.now();
    if (key === null) {
      for (let i = 0; i < HOT_KEYS; i++) v.invalidated(i, now);
      return;
    }
    if (!key.startsWith('hot:')) return;
    v.invalidated(Number(key.slice(4)), now);
  });
  const histogram = new LatencyHistogram();
  const state = { running: true, measuring: false, ops: 0, reads: 0, writes: 0, stale: 0, older: 0, errors: 0 };
  let firstError: unknown;
  const caller = async () => {
    while (state.running) {
      const index = Math.floor(Math.random() * HOT_KEYS);
      const started = performance.now();
      try {
        if (Math.random() < WRITE_SHARE) {
          const version = v.next[index]!++;
          v.inFlight[index]++;
          await writer.command(['SET', keys[index]!, versioned(version)]);
          v.written(index, version, performance.now());
          if (state.measuring) state.writes++;
        } else {
          const floor = v.floor[index]!;
          const acked = v.acked[index]!;
          const got = versionOf(await client.get(keys[index]!));
          if (state.measuring) {
            state.reads++;
            if (got < floor) state.stale++;
            if (got < acked) state.older++;
          }
        }
        if (state.measuring) {
          histogram.record((performance.now() - started) * 1000);
          state.ops++;
        }
      } catch (err) {
        firstError ??= err;
        if (state.measuring) state.errors++;
        await sleep(1);
      }
    }
  };
  const callers = Array.from({ length: task.concurrency }, caller);
  await sleep(task.warmupMs);
  const hitsBefore = client.hits?.();
  state.measuring = true;
  v.measuring = true;
  const started = performance.now();
  await sleep(task.measureMs);
  state.measuring = false;
  v.measuring = false;
  const seconds = (performance.now() - started) / 1000;
  const hitsAfter = client.hits?.();
  state.running = false;
  await Promise.all(callers);
  if (state.ops === 0) throw firstError ?? new Error('no operation completed');
  await client.close();
  await writer.close();
  const lagged = v.lag.count > 0;
  return {
    client: task.client,
    opsPerSec: state.ops / seconds,
    p50: histogram.quantile(0.5),
    p99: histogram.quantile(0.99),
    reads: state.reads,
    writes: state.writes,
    staleAfterInvalidation: hooked ? state.stale : null,
    olderThanAcked: state.older,
    lagP50: lagged ? v.lag.quantile(0.5) : null,
    lagP99: lagged ? v.lag.quantile(0.99) : null,
    lagSamples: v.lag.count,
    hitRate: hitsBefore !== undefined && hitsAfter !== undefined && state.reads > 0
      ? Math.min(1, (hitsAfter - hitsBefore) / state.reads)
      : null,
    errors: state.errors,
  };
}

try {
  const task = JSON.parse(process.argv[2] ?? '') as CacheTask;
  const result = await run(task);
  if (process.send) await new Promise<void>((resolve) => process.send!({ type: 'result', result }, undefined, {}, () => resolve()));
  else console.log(JSON.stringify(result)); // run by hand
} catch (err) {
  const message = err instanceof Error ? err.message : String(err);
  if (process.send) await new Promise<void>((resolve) => process.send!({ type: 'error', message }, undefined, {}, () => resolve()));
  else console.error(message);
  process.exitCode = 1;
} finally {
  process.disconnect?.();
}
