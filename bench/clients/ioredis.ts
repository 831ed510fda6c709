/**
 * ioredis on one connection, as most apps use it: plain, and with `enableAutoPipelining`, which
 * batches every command issued in the same tick into one write.
 * Has no checkout, so `use1` is a plain command.
 */
import { Redis } from 'ioredis';
import type { BenchClient, BenchCommand } from '../scenarios.js';
import { runChild } from './harness.js';
import { send, sendPipeline } from './ioredis-ops.js';

async function connect(url: string, autoPipelining: boolean): Promise<BenchClient> {
  const redis = new Redis(url, { enableAutoPipelining: autoPipelining, lazyConnect: true });
  await redis.connect();
  const command = (c: BenchCommand) => send(redis, c);
  return {
    use1: command,
    command,
    pipeline: (commands) => sendPipeline(redis, commands),
    async close() {
      await redis.quit();
    },
  };
}

await runChild({
  ioredis: (url) => connect(url, false),
  'ioredis-auto': (url) => connect(url, true),
});
