/**
 * `respool/compat`: client shapes for libraries that take an ioredis or node-redis client,
 * backed by a respool Pool. See README "Libraries on respool" for what works with what.
 *
 * ```ts
 * import { createPool } from 'respool';
 * import { ioredisCompat, nodeRedisCompat } from 'respool/compat';
 * const pool = createPool(url);
 * new Worker('mail', handler, { connection: ioredisCompat(pool) });          // bullmq
 * new RedisStore({ client: nodeRedisCompat(pool) });                         // connect-redis
 * ```
 */
export { ioredisCompat, IoredisCompat, type IoredisCompatOptions, type ExecResult } from './ioredis/client.js';
export { IoredisBatch } from './ioredis/batch.js';
export type { CommandDefinition } from './ioredis/scripts.js';
export { CLOSED_MESSAGE } from './link.js';
export { nodeRedisCompat, NodeRedisCompat } from './node-redis/client.js';
export { NodeRedisMulti } from './node-redis/multi.js';
export type { SetOptions, ScanOptions as NodeRedisScanOptions, ScriptOptions } from './node-redis/commands.js';
