import { resolveOptions, type PoolOptions } from './options.js';
import { connectionConfig } from './pool/connection-config.js';
import { Pool } from './pool/pool.js';
import { SentinelResolver } from './sentinel/resolver.js';
import type { Bufs as BuffersOn, NoBufs as BuffersOff } from './typed/types.js';

/**
 * Creates a pool. Returns at once; connections open in the background and commands issued
 * before the first is ready wait for it (bounded by `acquireTimeout` and `maxPending`).
 *
 * With the `sentinel` option (or a `redis+sentinel://` URL) the pool asks Redis Sentinel where
 * the primary (or, with `role: 'replica'`, a replica) is and follows every failover.
 *
 * @param input a URL (`redis://user:pass@host:6379/0`, `rediss://`, `unix:///path`,
 *   `redis+sentinel://h1:26379,h2/mymaster`) or options
 * @param overrides options that win over the URL's
 *
 * The typed methods' replies follow `returnBuffers` when the options show it: `true` written in
 * the options (or `overrides`) gives a `Pool<true>` whose methods reply Buffers; a `boolean`
 * only known at run time gives `Pool<boolean>` (either); otherwise `Pool` (strings). A URL's
 * `?returnBuffers=true`, or options declared as plain `PoolOptions`, are not seen by the types:
 * pass `{ returnBuffers: true }` as `overrides`.
 */
export function createPool(input: string | PoolOptions | undefined, overrides: PoolOptions & BuffersOn): Pool<true>;
export function createPool(input: string | PoolOptions | undefined, overrides: PoolOptions & BuffersOff): Pool;
export function createPool(input: string | PoolOptions | undefined, overrides: PoolOptions & { returnBuffers: boolean }): Pool<boolean>;
export function createPool(input: PoolOptions & BuffersOn, overrides?: PoolOptions): Pool<true>;
export function createPool(input: PoolOptions & BuffersOff, overrides?: PoolOptions): Pool;
export function createPool(input: PoolOptions & { returnBuffers: boolean }, overrides?: PoolOptions): Pool<boolean>;
export function createPool(input?: string | PoolOptions, overrides?: PoolOptions): Pool;
export function createPool(input?: string | PoolOptions, overrides?: PoolOptions): Pool<boolean> {
  const options = resolveOptions(input, overrides);
  const sentinel = options.sentinel;
  if (sentinel === undefined) return new Pool(options);
  const data = connectionConfig(options);
  // The sentinels' own credentials and TLS, never the data nodes'.
  const toSentinel = {
    ...data, username: sentinel.username, password: sentinel.password, tls: sentinel.tls,
    db: 0, name: undefined, protocol: 2 as const,
  };
  return new Pool(options, new SentinelResolver(sentinel, options.role, toSentinel, data));
}
