/**
 * The classic way to pool ioredis: generic-pool with 8 connections, each borrowed exclusively
 * for the length of one task. Every scenario pays an acquire and a release.
 */
import { createPool, type Pool } from 'generic-pool';
import { Redis } from 'ioredis';
import { throwFirstError, type BenchClient, type BenchCommand } from '../scenarios.js';
import { runChild } from './harness.js';

function send(redis: Redis, c: BenchCommand): Promise<unknown> {
  return c[0] === 'SET' ? redis.set(c[1], c[2]) : redis.get(c[1]);
}

async function connect(url: string, size: number): Promise<BenchClient> {
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
  const checkout = (c: BenchCommand) => pool.use((redis) => send(redis, c));
  return {
    use1: checkout,
    command: checkout,
    pipeline: (commands) =>
      pool.use(async (redis) => {
        const pipeline = redis.pipeline();
        for (const c of commands) {
          if (c[0] === 'SET') pipeline.set(c[1], c[2]);
          else pipeline.get(c[1]);
        }
        // exec() resolves [error, reply] pairs; a failed command has its error in the pair.
        throwFirstError((await pipeline.exec())?.map(([err]) => err) ?? []);
      }),
    async close() {
      await pool.drain();
      await pool.clear();
    },
  };
}

await runChild({ 'generic-pool': connect });
