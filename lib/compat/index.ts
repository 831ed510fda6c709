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
export type { IoredisArg, IoredisMethods, IoredisBatchMethods } from './ioredis/methods.js';
export type { CommandDefinition } from './ioredis/scripts.js';
export { CLOSED_MESSAGE, type Backend as CompatBackend } from './link.js';
export { nodeRedisCompat, NodeRedisCompat, type NodeRedisMethods } from './node-redis/client.js';
export { NodeRedisMulti, type NodeRedisMultiMethods } from './node-redis/multi.js';
export type {
  NodeRedisMethodName, NodeRedisParams, NodeRedisReply, SetOptions, ScanOptions as NodeRedisScanOptions, ScriptOptions,
} from './node-redis/commands.js';
