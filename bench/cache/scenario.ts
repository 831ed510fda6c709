/**
 * The read-mostly scenario for client-side caches, shared by the parent (bench/cache/run.ts)
 * and the child (bench/cache/child.ts).
 *
 * 200 callers; each operation is a GET of one of 1,000 hot keys (95%) through the client under
 * test, or a SET of one (5%) through a separate plain writer connection, the same for every
 * client, standing for the other instances of a web backend. Every SET writes the key's next
 * version (`<version>:` padded to 64 bytes), so each GET's reply can be checked:
 *
 * - **stale after invalidation** (must be 0): the read was issued after an invalidation of the
 *   key reached the client, yet returned a version older than the newest one acknowledged to
 *   the writer when that invalidation arrived. Needs the client's invalidation hook (respool:
 *   the pool's `'push'` event; node-redis: the cache's `'invalidate'` event); GLIDE has none.
 * - **older than acked** (informative, any cache has some): the read was issued after a SET of
 *   a newer version was acknowledged to the writer. A cache serves the old value until the
 *   invalidation lands; that window is the invalidation lag.
 * - **invalidation lag**: from the writer's acknowledgement to the invalidation's arrival.
 */

/** Hot keys. */
export const HOT_KEYS = 1000;
/** Share of operations that are writes. */
export const WRITE_SHARE = 0.05;
/** Bytes of every value, as in the main bench. */
export const VALUE_SIZE = 64;

export function hotKey(i: number): string {
  return `hot:${i}`;
}

/** `<version>:` padded with x to VALUE_SIZE bytes. */
export function versioned(version: number): string {
  const head = `${version}:`;
  return head + 'x'.repeat(Math.max(0, VALUE_SIZE - head.length));
}

/** The version in a value written by {@link versioned}; -1 for anything else. */
export function versionOf(value: unknown): number {
  const text = Buffer.isBuffer(value) ? value.toString() : typeof value === 'string' ? value : '';
  const colon = text.indexOf(':');
  return colon > 0 ? Number(text.slice(0, colon)) : -1;
}

/** What each client variant provides. */
export interface CacheBenchClient {
  get(key: string): Promise<unknown>;
  /** Calls `listener` with each key (null: every key) the server invalidated, once handled. */
  onInvalidate?(listener: (key: string | null) => void): void;
  /** Reads answered from memory, if the client counts them. */
  hits?(): number | undefined;
  close(): Promise<void>;
}

/** One (client, round) result. */
export interface CacheRoundResult {
  client: string;
  opsPerSec: number;
  /** Operation latency, µs. */
  p50: number;
  p99: number;
  reads: number;
  writes: number;
  /** null when the client has no invalidation hook. */
  staleAfterInvalidation: number | null;
  olderThanAcked: number;
  /** Invalidation lag samples' quantiles, µs (null without a hook or samples). */
  lagP50: number | null;
  lagP99: number | null;
  lagSamples: number;
  /** Share of reads answered from memory, when the client counts hits. */
  hitRate: number | null;
  errors: number;
}

export interface CacheTask {
  client: string;
  url: string;
  warmupMs: number;
  measureMs: number;
  concurrency: number;
  poolSize: number;
}
