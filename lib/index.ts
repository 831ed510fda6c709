/**
 * respool: a pool of pipelined RESP connections for Node.js web backends.
 *
 * ```ts
 * import { createPool } from 'respool';
 * const pool = createPool('redis://127.0.0.1:6379/0');
 * await pool.command(['SET', 'k', 'v']);
 * await pool.use(async (c) => { await c.command(['MULTI']); await c.command(['INCR', 'n']); return c.command(['EXEC']); });
 * await pool.close();
 * ```
 */
import './typed/install.js';
export { Pool, type PoolStats } from './pool/pool.js';
export { createPool } from './create-pool.js';
export { Handle, type CommandOptions } from './pool/handle.js';
export {
  RedisError,
  ReplyError,
  ConnectionError,
  AuthError,
  PoolClosedError,
  TimeoutError,
  AbortError,
  ProtocolError,
  QueueFullError,
  ArgumentError,
} from './errors.js';
export type { Commands } from './commands/methods.js';
export type * from './commands/methods.js';
export type {
  BufReplies, BufStreamEntry, BufStreamRead, Replies, RepliesWith, ReplyOf, StreamEntry, StreamRead, WithOf,
} from './commands/replies.js';
export type { Batch } from './typed/chain.js';
export type { Call, Buf, OneOf, Pairs } from './typed/types.js';
export { OPTION_TABLE, type PoolOptions, type ResolvedOptions } from './options.js';
export type { SentinelOptions, SentinelNodeInput } from './sentinel/config.js';
export { Script } from './commands/script.js';
export type { ScanOptions } from './commands/scan.js';
export type { Subscription, SubscribeOptions, MessageListener } from './pubsub/subscriber.js';
export type { Arg, Command, Reply } from './resp/types.js';
export type { ClientCache, ClientCacheStats } from './cache/client-cache.js';
export type { ClientCacheOptions } from './cache/config.js';
export { createCluster, Cluster, type ClusterStats, type ClusterNodeStats } from './cluster/cluster.js';
export { ClusterHandle } from './cluster/handle.js';
export type { ClusterOptions, ReadFrom, Seed } from './cluster/options.js';
export { TopologyError } from './cluster/topology.js';
export type { RedirectionEvent } from './cluster/sender.js';
export { keySlot } from './cluster/slot.js';
export { CHANNEL_NAMES } from './diagnostics/channels.js';
export type {
  BatchContext,
  CacheEvictionMessage,
  CacheHitMessage,
  ClusterRedirectionMessage,
  ClusterTopologyMessage,
  CommandContext,
  ConnectContext,
  HeldMessage,
  PoolLifecycleMessage,
  PoolWaitMessage,
  ReconnectMessage,
  SentinelFailoverMessage,
} from './diagnostics/channels.js';
