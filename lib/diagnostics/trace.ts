import { performance } from 'node:perf_hooks';
import type { Arg, Command } from '../resp/types.js';
import {
  batchChannel,
  cacheEvictionChannel,
  cacheHitChannel,
  type CacheEvictionMessage,
  type CacheHitMessage,
  commandChannel,
  connectChannel,
  poolWaitChannel,
  reconnectChannel,
  type BatchContext,
  type PoolWaitMessage,
  type CommandContext,
  type ConnectContext,
  type ReconnectMessage,
  type ServerTarget,
  type WrittenTo,
} from './channels.js';
import { redact } from './redact.js';

/**
 * Builds and publishes the channels' context objects. Every function here is called only
 * after the caller checked the channel's `hasSubscribers`: nothing is built otherwise.
 */

/** Context objects built so far (tests check that none is built when nobody listens). */
export let contextsBuilt = 0;

/** A pool's (or connection's) configured target. */
export function serverTarget(options: { host: string; port: number; path?: string; db: number }): ServerTarget {
  return {
    'server.address': options.path ?? options.host,
    'server.port': options.path === undefined ? options.port : undefined,
    'db.namespace': String(options.db),
  };
}

// ── commands ────────────────────────────────────────────────────────────────────────────

/** Publishes `start` and `end` for one command; the returned context rides on its Pending. */
export function startCommand(command: Command, name: string, target: ServerTarget): CommandContext {
  contextsBuilt++;
  const context: CommandContext = {
    'db.operation.name': name,
    command: redact(command),
    'server.address': target['server.address'],
    'server.port': target['server.port'],
    'db.namespace': target['db.namespace'],
    connectionId: 0,
    'network.peer.address': undefined,
    'network.peer.port': undefined,
  };
  commandChannel.start.publish(context);
  commandChannel.end.publish(context);
  return context;
}

/** The command (or the batch's first command) was handed to a connection's socket. */
export function wroteTo(context: WrittenTo, connectionId: number, peerAddress: string | undefined, peerPort: number | undefined): void {
  if (context.connectionId !== 0) return;
  context.connectionId = connectionId;
  context['network.peer.address'] = peerAddress;
  context['network.peer.port'] = peerPort;
}

/** The command settled: `error` when it failed, then `asyncStart` and `asyncEnd`. */
export function finishCommand(context: CommandContext, result: unknown, error: Error | null): void {
  if (error !== null) {
    context.error = error;
    describeError(context, error);
    commandChannel.error.publish(context);
  } else {
    context.result = result;
  }
  commandChannel.asyncStart.publish(context);
  commandChannel.asyncEnd.publish(context);
}

// ── batches ─────────────────────────────────────────────────────────────────────────────

/** Publishes `start` and `end` for a pipeline or transaction; the context rides on its Batch. */
export function startBatch(commands: readonly Command[], names: readonly string[], target: ServerTarget): BatchContext {
  contextsBuilt++;
  const n = names.length;
  const transaction = n >= 2 && names[0] === 'MULTI' && names[n - 1] === 'EXEC';
  const first = transaction ? 1 : 0;
  const last = transaction ? n - 1 : n;
  const size = last - first;
  let same: string | null = size > 0 ? names[first]! : null;
  for (let i = first + 1; i < last && same !== null; i++) if (names[i] !== same) same = null;
  const kind = transaction ? 'MULTI' : 'PIPELINE';
  const redacted = new Array<readonly Arg[]>(n);
  for (let i = 0; i < n; i++) redacted[i] = redact(commands[i]!);
  const context: BatchContext = {
    'db.operation.name': same !== null ? `${kind} ${same}` : kind,
    'db.operation.batch.size': size,
    transaction,
    commands: redacted,
    'server.address': target['server.address'],
    'server.port': target['server.port'],
    'db.namespace': target['db.namespace'],
    connectionId: 0,
    'network.peer.address': undefined,
    'network.peer.port': undefined,
  };
  batchChannel.start.publish(context);
  batchChannel.end.publish(context);
  return context;
}

/** Starts a batch's trace: the batch and each of its commands carry the context (the commands for the connection fields). */
export function traceBatch(
  batch: { trace: BatchContext | null },
  pendings: readonly { readonly name: string; trace: CommandContext | BatchContext | null }[],
  commands: readonly Command[],
  target: ServerTarget,
): void {
  const names = new Array<string>(pendings.length);
  for (let i = 0; i < pendings.length; i++) names[i] = pendings[i]!.name;
  const context = startBatch(commands, names, target);
  batch.trace = context;
  for (let i = 0; i < pendings.length; i++) pendings[i]!.trace = context;
}

/** Every reply of the batch is in: `asyncStart` and `asyncEnd` (a batch never rejects). */
export function finishBatch(context: BatchContext, results: unknown[]): void {
  let errors = 0;
  for (let i = 0; i < results.length; i++) {
    const value = results[i];
    if (value instanceof Error) {
      if (errors++ === 0) describeError(context, value);
    } else if (context.transaction && i === results.length - 1 && Array.isArray(value)) {
      // EXEC's reply holds the transaction's own errors in place.
      for (const inner of value) {
        if (inner instanceof Error && errors++ === 0) describeError(context, inner);
      }
    }
  }
  context.errorCount = errors;
  context.result = results;
  batchChannel.asyncStart.publish(context);
  batchChannel.asyncEnd.publish(context);
}

// ── connections ─────────────────────────────────────────────────────────────────────────

/** Publishes `start` and `end` for a connect attempt. */
export function startConnect(target: ServerTarget, connectionId: number, attempt: number, subscriber: boolean): ConnectContext {
  contextsBuilt++;
  const context: ConnectContext = {
    ...target,
    connectionId,
    attempt,
    subscriber,
    startedAt: performance.now(),
  };
  connectChannel.start.publish(context);
  connectChannel.end.publish(context);
  return context;
}

/** The handshake finished. */
export function connectSucceeded(
  context: ConnectContext, peerAddress: string | undefined, peerPort: number | undefined, protocol: 2 | 3, clientId: number,
): void {
  context['network.peer.address'] = peerAddress;
  context['network.peer.port'] = peerPort;
  context.protocol = protocol;
  context.clientId = clientId;
  context.duration = performance.now() - context.startedAt;
  connectChannel.asyncStart.publish(context);
  connectChannel.asyncEnd.publish(context);
}

/** The socket or the handshake failed (published as it happens, before any retry). */
export function connectFailed(context: ConnectContext, error: Error): void {
  context.error = error;
  describeError(context, error);
  context.duration = performance.now() - context.startedAt;
  connectChannel.error.publish(context);
  connectChannel.asyncStart.publish(context);
  connectChannel.asyncEnd.publish(context);
}

/** `respool:reconnect`. */
export function publishReconnect(
  target: ServerTarget, connectionId: number, delay: number, attempt: number, error: Error, subscriber: boolean,
): void {
  contextsBuilt++;
  const message: ReconnectMessage = {
    ...target, connectionId, delay, attempt, error, 'error.type': errorType(error), subscriber,
  };
  reconnectChannel.publish(message);
}

/** `respool:pool:wait`: a lease was had (or not) after `performance.now() - startedAt` ms. */
export function publishPoolWait(pool: { address: string; db: number }, startedAt: number, error: Error | undefined): void {
  contextsBuilt++;
  const message: PoolWaitMessage = {
    'db.client.connection.pool.name': poolName(pool),
    duration: performance.now() - startedAt,
    ...(error !== undefined ? { error } : {}),
  };
  poolWaitChannel.publish(message);
}

/** OpenTelemetry's `db.client.connection.pool.name`: `host:port/db` or `path/db`, never credentials. */
export function poolName(pool: { address: string; db: number }): string {
  return `${pool.address}/${pool.db}`;
}

/** `respool:cache:hit`. */
export function publishCacheHit(name: string, key: Arg | undefined): void {
  contextsBuilt++;
  cacheHitChannel.publish({ 'db.operation.name': name, key } satisfies CacheHitMessage);
}

/** `respool:cache:eviction`. */
export function publishCacheEviction(reason: CacheEvictionMessage['reason'], key: string | undefined, count: number): void {
  contextsBuilt++;
  const message: CacheEvictionMessage = key === undefined ? { reason, count } : { reason, key, count };
  cacheEvictionChannel.publish(message);
}

// ── errors ──────────────────────────────────────────────────────────────────────────────

/**
 * `error.type`: an error reply's prefix (also `db.response.status_code`), else the error's
 * class name (`TimeoutError`, `ConnectionError`...) or, for a raw socket error, its errno code.
 */
export function errorType(error: Error): string {
  if (error.name === 'ReplyError') return (error as Error & { code: string }).code;
  if (error.name === 'Error') {
    const code = (error as NodeJS.ErrnoException).code;
    if (typeof code === 'string') return code;
  }
  return error.name;
}

function describeError(context: { 'error.type'?: string; 'db.response.status_code'?: string }, error: Error): void {
  const type = errorType(error);
  context['error.type'] = type;
  if (error.name === 'ReplyError') context['db.response.status_code'] = type;
}
