import dc from 'node:diagnostics_channel';
import type { Arg } from '../resp/types.js';

/**
 * Every `node:diagnostics_channel` channel respool publishes, defined once (undici-style).
 *
 * Publishers check `hasSubscribers` before building a context object, so with nobody listening
 * tracing costs one boolean check per command. Context fields that have a stable OpenTelemetry
 * name carry it (`server.address`, `db.namespace`, `error.type`...), so a subscriber can copy
 * them into span attributes as they are. The README has the table of channels and fields.
 *
 * Tracing channels (`tracingChannel(name)`, i.e. `tracing:<name>:start|end|asyncStart|asyncEnd|error`)
 * follow Node's promise convention: `start` in the caller's synchronous context (so a
 * subscriber reading the active span there gets the caller's span as parent), `end` right
 * after, then on the outcome `error` (with `context.error`) when it failed, and `asyncStart` /
 * `asyncEnd` (with `context.result` when it succeeded).
 */

// ── shared field groups ─────────────────────────────────────────────────────────────────

/** Where a pool sends its commands, as configured. Built once per pool. */
export interface ServerTarget {
  /** Host name or IP as configured, or the unix socket path. Never credentials. */
  readonly 'server.address': string;
  /** TCP port as configured; undefined for a unix socket. */
  readonly 'server.port': number | undefined;
  /** The database index as configured (a string, as OpenTelemetry wants it). */
  readonly 'db.namespace': string;
}

/** Filled in when a command (or the first command of a batch) is written to a socket. */
export interface WrittenTo {
  /** respool's id of the connection (the `id` of the pool's `ready`/`reconnecting` events). */
  connectionId: number;
  /** The address actually contacted (socket's remote address, or the socket path). */
  'network.peer.address': string | undefined;
  'network.peer.port': number | undefined;
}

/** Set when an operation failed. */
export interface Failure {
  error?: Error;
  /** The reply's error prefix (`ERR`, `WRONGTYPE`...) for an error reply. */
  'db.response.status_code'?: string;
  /** The error prefix for an error reply, otherwise the error's class name (`TimeoutError`...). */
  'error.type'?: string;
}

// ── respool:command ─────────────────────────────────────────────────────────────────────

/**
 * One command sent with `pool.command` or `handle.command` (blocking commands included).
 * Commands of a pipeline or transaction are not published here: they are one `respool:batch`.
 */
export interface CommandContext extends ServerTarget, WrittenTo, Failure {
  /** The command name, upper-case. */
  readonly 'db.operation.name': string;
  /**
   * The command as given, `[name, ...args]`: the caller's own array (do not modify it), or a
   * copy with credentials replaced by `'[redacted]'` (AUTH, HELLO ... AUTH, ACL SETUSER
   * passwords, CONFIG SET requirepass/masterauth, MIGRATE AUTH/AUTH2, SENTINEL SET auth-pass).
   */
  readonly command: readonly Arg[];
  /** The reply, on success. */
  result?: unknown;
}

// ── respool:batch ───────────────────────────────────────────────────────────────────────

/** A `pipeline` or `transaction` (pool or handle): one publication for the whole batch. */
export interface BatchContext extends ServerTarget, WrittenTo, Failure {
  /**
   * `PIPELINE` or `MULTI` (a transaction), followed by the command name when every command of
   * the batch has the same one (`PIPELINE GET`), as OpenTelemetry recommends for Redis.
   */
  readonly 'db.operation.name': string;
  /** Commands in the batch (MULTI and EXEC not counted). */
  readonly 'db.operation.batch.size': number;
  /** True for MULTI ... EXEC. */
  readonly transaction: boolean;
  /** The commands as given (each redacted as in `respool:command`), MULTI and EXEC included. */
  readonly commands: readonly (readonly Arg[])[];
  /** The replies in order, errors in place (a batch itself never rejects). */
  result?: unknown[];
  /** How many replies are errors. When > 0, `error.type` is that of the first. */
  errorCount?: number;
}

// ── respool:connect ─────────────────────────────────────────────────────────────────────

/** One connect attempt: socket, then handshake (HELLO/AUTH, CLIENT SETNAME, SELECT). */
export interface ConnectContext extends ServerTarget, Failure {
  readonly connectionId: number;
  /** 0 for a connection's first attempt, then 1, 2... after each loss or failure. */
  readonly attempt: number;
  /** True for the pub/sub connection. */
  readonly subscriber: boolean;
  /** `performance.now()` when the attempt started. */
  readonly startedAt: number;
  /** On success: where the socket went, the RESP version and the server's CLIENT ID. */
  'network.peer.address'?: string;
  'network.peer.port'?: number;
  protocol?: 2 | 3;
  clientId?: number;
  /** On success or failure: ms since the attempt started. */
  duration?: number;
}

// ── point channels ──────────────────────────────────────────────────────────────────────

/** `respool:reconnect`: a connection was lost or an attempt failed; it retries after `delay`. */
export interface ReconnectMessage extends ServerTarget {
  readonly connectionId: number;
  /** ms until the next attempt. */
  readonly delay: number;
  /** The attempt about to be made (1 for the first retry). */
  readonly attempt: number;
  /** Why: the socket error, a refused handshake, a stall... */
  readonly error: Error;
  readonly 'error.type': string;
  readonly subscriber: boolean;
}

/**
 * `respool:held`: the health check found a connection silent for two intervals with commands in
 * flight, asked the server on a socket of its own (`CLIENT LIST ID`), and the server holds it
 * on purpose (flag `b`: `CLIENT PAUSE`, as during `CLUSTER FAILOVER`): the connection is kept,
 * and checked again two intervals later (published each time it is found held).
 */
export interface HeldMessage extends ServerTarget {
  readonly connectionId: number;
  /** The server's CLIENT ID of the held connection. */
  readonly clientId: number;
  /** ms since the connection last heard from the server (or last went from idle to busy). */
  readonly silentFor: number;
}

/** `respool:pool:wait`: a caller waited for a connection of its own (a `use` lease). */
export interface PoolWaitMessage {
  /** `host:port/db` or `path/db`: the OpenTelemetry `db.client.connection.pool.name`. */
  readonly 'db.client.connection.pool.name': string;
  /** ms from asking to getting it (or failing). */
  readonly duration: number;
  /** Set when no connection was had (timeout, closed pool...). */
  readonly error?: Error;
}

/** `respool:pool:create` and `respool:pool:close`: a pool came into being or closed. */
export interface PoolLifecycleMessage {
  /** The Pool itself (its `stats` getter gives the gauges). Typed loosely to keep layers apart. */
  readonly pool: { readonly stats: object; readonly options: { readonly size: number } };
  readonly 'db.client.connection.pool.name': string;
}

/**
 * `respool:cluster:redirection`: the cluster client followed a redirection (lib/cluster/).
 * `moved` and `ask` name where the command goes next; `backoff` (TRYAGAIN, CLUSTERDOWN,
 * LOADING) waits and retries; `reroute` (READONLY, a node down before anything was sent)
 * refreshes the topology and retries on the slot's owner.
 */
export interface ClusterRedirectionMessage {
  readonly kind: 'moved' | 'ask' | 'backoff' | 'reroute';
  readonly slot: number;
  /** `host:port` of the node that answered ('' when none was reached). */
  readonly from: string;
  /** `host:port` the command goes to next (moved and ask). */
  readonly to?: string;
  /** The command name, upper-case (never its arguments). */
  readonly 'db.operation.name': string;
}

/**
 * `respool:cluster:topology`: the slot map was loaded or changed. Published by the cluster
 * client after each refresh that changed something, and after a refresh that failed.
 */
export interface ClusterTopologyMessage {
  /** `'initial'` (the first map), `'changed'` (a refresh found a different map) or `'failed'`. */
  readonly reason: 'initial' | 'changed' | 'failed';
  /** `host:port` of every primary in the new map, and of replicas when known. */
  readonly primaries: readonly string[];
  readonly replicas?: readonly string[];
  /** Slots covered by the new map (16384 when complete). */
  readonly slotsCovered: number;
  /** Set when the refresh failed: each node's error, keyed by `host:port`. */
  readonly errors?: ReadonlyMap<string, Error>;
}

/**
 * `respool:sentinel:failover`: the sentinels name a new primary for `masterName` and the pool
 * moves there. Published by the sentinel resolver (lib/sentinel/).
 */
export interface SentinelFailoverMessage {
  readonly masterName: string;
  /** `host:port` of the old primary (null when none was known). */
  readonly from: string | null;
  /** `host:port` of the new primary. */
  readonly to: string;
  /** `host:port` of the sentinel that said so. */
  readonly sentinel?: string;
}

/** `respool:cache:hit`: the client-side cache (lib/cache/) answered a read from memory. */
export interface CacheHitMessage {
  /** The command name (`GET`, `HGETALL`...). */
  readonly 'db.operation.name': string;
  /** The command's first key, as given. */
  readonly key: Arg | undefined;
}

/** `respool:cache:eviction`: the client-side cache dropped entries. */
export interface CacheEvictionMessage {
  /**
   * `'evicted'` (over maxEntries/maxBytes, least recently used first), `'expired'` (ttl),
   * `'invalidated'` (the server said the key changed, or our own write was answered),
   * `'flushed'` (a connection was lost, FLUSHALL, or `clear()`).
   */
  readonly reason: 'evicted' | 'expired' | 'invalidated' | 'flushed';
  /** The Redis key: the one invalidated, or the first key the dropped entry read (none for flushed). */
  readonly key?: string;
  /** Entries dropped. */
  readonly count: number;
}

// ── the channels ────────────────────────────────────────────────────────────────────────

export const commandChannel = dc.tracingChannel<unknown, CommandContext>('respool:command');
export const batchChannel = dc.tracingChannel<unknown, BatchContext>('respool:batch');
export const connectChannel = dc.tracingChannel<unknown, ConnectContext>('respool:connect');

export const reconnectChannel = dc.channel('respool:reconnect');
export const heldChannel = dc.channel('respool:held');
export const poolWaitChannel = dc.channel('respool:pool:wait');
export const poolCreateChannel = dc.channel('respool:pool:create');
export const poolCloseChannel = dc.channel('respool:pool:close');
export const clusterRedirectionChannel = dc.channel('respool:cluster:redirection');
export const clusterTopologyChannel = dc.channel('respool:cluster:topology');
export const sentinelFailoverChannel = dc.channel('respool:sentinel:failover');
export const cacheHitChannel = dc.channel('respool:cache:hit');
export const cacheEvictionChannel = dc.channel('respool:cache:eviction');

/** Names of every channel, for documentation and tests. */
export const CHANNEL_NAMES = Object.freeze({
  command: 'respool:command',
  batch: 'respool:batch',
  connect: 'respool:connect',
  reconnect: 'respool:reconnect',
  held: 'respool:held',
  poolWait: 'respool:pool:wait',
  poolCreate: 'respool:pool:create',
  poolClose: 'respool:pool:close',
  clusterRedirection: 'respool:cluster:redirection',
  clusterTopology: 'respool:cluster:topology',
  sentinelFailover: 'respool:sentinel:failover',
  cacheHit: 'respool:cache:hit',
  cacheEviction: 'respool:cache:eviction',
} as const);
