/**
 * ioredis on one connection, as most apps use it: plain, and with `enableAutoPipelining`, which
 * batches every command issued in the same tick into one write.
 * Has no checkout, so `use1` is a plain command.
 */
import { Redis } from 'ioredis';
import { throwFirstError, type BenchClient, type BenchCommand } from '../scenarios.js';
import { runChild } from './harness.js';

async function connect(url: string, autoPipelining: boolean): Promise<BenchClient> {
  const redis = new Redis(url, { enableAutoPipelining: autoPipelining, lazyConnect: true });
  await redis.connect();
  const command = (c: BenchCommand) => (c[0] === 'SET' ? redis.set(c[1], c[2]) : redis.get(c[1]));
  return {
    use1: command,
    command,
    async pipeline(commands) {
      const pipeline = redis.pipeline();
      for (const c of commands) {
        if (c[0] === 'SET') pipeline.set(c[1], c[2]);
        else pipeline.get(c[1]);
      }
      // exec() resolves [error, reply] pairs; a failed command has its error in the pair.
      throwFirstError((await pipeline.exec())?.map(([err]) => err) ?? []);
    },
    async close() {
      await redis.quit();
    },
  };
}

await runChild({
  ioredis: (url) => connect(url, false),
  'ioredis-auto': (url) => connect(url, true),
});
