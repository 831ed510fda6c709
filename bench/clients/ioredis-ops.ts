/** The bench's GET/SET and 1000-command pipeline on one ioredis connection, shared by the
 *  plain ioredis runner and the generic-pool + ioredis runner so both measure the same calls. */
import type { Redis } from 'ioredis';
import { throwFirstError, type BenchCommand } from '../scenarios.js';

export function send(redis: Redis, c: BenchCommand): Promise<unknown> {
  return c[0] === 'SET' ? redis.set(c[1], c[2]) : redis.get(c[1]);
}

/** `redis.pipeline()...exec()`; throws the first error found in exec's [error, reply] pairs. */
export async function sendPipeline(redis: Redis, commands: readonly BenchCommand[]): Promise<void> {
  const pipeline = redis.pipeline();
  for (const c of commands) {
    if (c[0] === 'SET') pipeline.set(c[1], c[2]);
    else pipeline.get(c[1]);
  }
  throwFirstError((await pipeline.exec())?.map(([err]) => err) ?? []);
}
