/**
 * The classic way to pool ioredis: generic-pool over `size` ioredis connections, each borrowed
 * exclusively for one task. Shared by the generic-pool bench client and bench/waiting-heap.ts.
 */
import { createPool, type Pool } from 'generic-pool';
import { Redis } from 'ioredis';

/** Resolves once all `size` connections are up. */
export async function ioredisPool(url: string, size: number): Promise<Pool<Redis>> {
  const pool: Pool<Redis> = createPool(
    {
      async create() {
        const redis = new Redis(url, { lazyConnect: true });
        await redis.connect();
        return redis;
      },
      async destroy(redis) {
        await redis.quit();
      },
    },
    { max: size, min: size },
  );
  await pool.ready();
  return pool;
}
