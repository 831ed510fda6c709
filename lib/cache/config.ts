/**
 * The `clientCache` option: its shape, defaults and checks. Checked when the pool is created,
 * so a cache that cannot work (RESP2) fails there, not at the first command.
 */
import type { Arg } from '../resp/types.js';

/** How the server tells us what changed (CLIENT TRACKING's modes). */
export type TrackingMode = 'default' | 'bcast';

/** What `createPool(url, { protocol: 3, clientCache: {...} })` accepts. */
export interface ClientCacheOptions {
  /** Most replies kept. Default 10,000. */
  maxEntries?: number;
  /** Most bytes kept (an upper-bound estimate of the heap they hold). Default 64 MiB. */
  maxBytes?: number;
  /** ms a reply may be served from memory after it was fetched; 0 = until invalidated. Default 0. */
  ttl?: number;
  /**
   * `'default'`: the server remembers which keys each connection read and tells that
   * connection when one changes. `'bcast'`: the server tells every connection about every
   * change to keys under `prefixes`, remembering nothing per key. Default `'default'`.
   */
  mode?: TrackingMode;
  /** `'bcast'` only: the key prefixes to hear about (and to cache); default every key. */
  prefixes?: readonly string[];
}

export interface ClientCacheConfig {
  readonly maxEntries: number;
  readonly maxBytes: number;
  readonly ttl: number;
  readonly mode: TrackingMode;
  readonly prefixes: readonly string[];
  /** Sent on every connection as part of its handshake, before any caller's command. */
  readonly tracking: readonly Arg[];
}

const DEFAULTS = { maxEntries: 10_000, maxBytes: 64 * 1024 * 1024, ttl: 0 };
const KNOWN = new Set(['maxEntries', 'maxBytes', 'ttl', 'mode', 'prefixes']);

/**
 * Resolves `clientCache` (`true` for the defaults). Null when the cache is off.
 * @throws TypeError when the pool's protocol is not 3, or for an unknown field or a wrong
 *   type; RangeError for a value out of bounds.
 */
export function resolveCacheConfig(input: unknown, protocol: number): ClientCacheConfig | null {
  if (input === undefined || input === false) return null;
  if (input === true) input = {};
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new TypeError("option 'clientCache' must be true or an object { maxEntries, maxBytes, ttl, mode, prefixes }");
  }
  if (protocol !== 3) {
    throw new TypeError(
      "option 'clientCache' needs 'protocol: 3': invalidations arrive as RESP3 push messages on the connection that read the key",
    );
  }
  const given = input as Record<string, unknown>;
  for (const key of Object.keys(given)) {
    if (!KNOWN.has(key)) throw new TypeError(`unknown option 'clientCache.${key}'`);
  }
  const maxEntries = integer(given, 'maxEntries', DEFAULTS.maxEntries, 1);
  const maxBytes = integer(given, 'maxBytes', DEFAULTS.maxBytes, 1024);
  const ttl = integer(given, 'ttl', DEFAULTS.ttl, 0);
  const mode = given.mode ?? 'default';
  if (mode !== 'default' && mode !== 'bcast') {
    throw new TypeError(`option 'clientCache.mode' must be 'default' or 'bcast'`);
  }
  const prefixes = given.prefixes ?? [];
  if (!Array.isArray(prefixes) || prefixes.some((p) => typeof p !== 'string')) {
    throw new TypeError("option 'clientCache.prefixes' must be an array of strings");
  }
  if (prefixes.length > 0 && mode !== 'bcast') {
    throw new TypeError("option 'clientCache.prefixes' needs mode 'bcast'");
  }
  const tracking: Arg[] = ['CLIENT', 'TRACKING', 'ON'];
  if (mode === 'bcast') {
    tracking.push('BCAST');
    for (const prefix of prefixes as string[]) tracking.push('PREFIX', prefix);
  }
  return Object.freeze({
    maxEntries, maxBytes, ttl, mode,
    prefixes: Object.freeze([...(prefixes as string[])]),
    tracking: Object.freeze(tracking),
  });
}

function integer(given: Record<string, unknown>, name: string, fallback: number, min: number): number {
  const value = given[name];
  if (value === undefined) return fallback;
  if (typeof value !== 'number') throw new TypeError(`option 'clientCache.${name}' must be a number`);
  if (!Number.isSafeInteger(value) || value < min) {
    throw new RangeError(`option 'clientCache.${name}' must be an integer >= ${min} (got ${value})`);
  }
  return value;
}
