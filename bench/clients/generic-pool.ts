/**
 * The classic way to pool ioredis: generic-pool with 8 connections, each borrowed exclusively
 * for the length of one task. Every scenario pays an acquire and a release.
 */
import { createPool, type Pool } from 'generic-pool';
import { Redis } from 'ioredis';
import type { BenchClient, BenchCommand } from '../scenarios.js';
import { runChild } from './harness.js';
import { send, sendPipeline } from './ioredis-ops.js';

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
    pipeline: (commands) => pool.use((redis) => sendPipeline(redis, commands)),
    async close() {
      await pool.drain();
      await pool.clear();
    },
  };
}

await runChild({ 'generic-pool': connect });
