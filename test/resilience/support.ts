/**
 * Small shared pieces for the fault-injection tests: waiting for pool events, settling
 * promises without throwing, a seeded PRNG, and pools that are always closed after a test.
 */
import type { EventEmitter } from 'node:events';
import { createPool, type Pool, type PoolOptions } from '../../lib/index.js';

/** A settled promise, as data: tests inspect outcomes instead of catching. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; error: Error };

/** Resolves with how `promise` settled; never rejects. */
export function settle<T>(promise: Promise<T>): Promise<Outcome<T>> {
  return promise.then(
    (value) => ({ ok: true as const, value }),
    (error: Error) => ({ ok: false as const, error }),
  );
}

/**
 * Resolves with the first payload of `event` on `emitter` that satisfies `accept`. Unlike
 * `events.once` it adds no 'error' listener: the pool emits 'error' only when someone listens,
 * and tests must see the pool as an application without one does.
 */
export function nextEvent<T = unknown>(
  emitter: EventEmitter,
  event: string,
  accept: (payload: T) => boolean = () => true,
): Promise<T> {
  return new Promise((resolve) => {
    const listener = (payload: T): void => {
      if (!accept(payload)) return;
      emitter.off(event, listener);
      resolve(payload);
    };
    emitter.on(event, listener);
  });
}

export { prng } from '../helpers/prng.js';

const open = new Set<Pool>();

/**
 * Creates a pool that {@link closePools} will close, so a failing test does not leave a pool
 * reconnecting in the background of the next one.
 */
export function trackedPool(input: string | PoolOptions, overrides?: PoolOptions): Pool {
  const pool = createPool(input, overrides);
  open.add(pool);
  return pool;
}

/** Closes every pool made by {@link trackedPool}; call from `afterEach`. */
export async function closePools(): Promise<void> {
  const pools = [...open];
  open.clear();
  await Promise.all(pools.map((pool) => pool.close().catch(() => undefined)));
}

/** Resolves when `check()` is true, polling on `setImmediate` (for state with no event). */
export async function until(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** One turn of the event loop: lets a connection's per-tick flush write what was queued. */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
