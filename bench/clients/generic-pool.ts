/**
 * The classic way to pool ioredis: generic-pool with 8 connections, each borrowed exclusively
 * for the length of one task. Every scenario pays an acquire and a release.
 */
import type { BenchClient, BenchCommand } from '../scenarios.js';
import { runChild } from './harness.js';
import { send, sendPipeline } from './ioredis-ops.js';
import { ioredisPool } from './ioredis-pool.js';

async function connect(url: string, size: number): Promise<BenchClient> {
  const pool = await ioredisPool(url, size);
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
