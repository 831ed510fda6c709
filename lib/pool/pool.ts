import { EventEmitter } from 'node:events';
import { inspect } from 'node:util';
import genericPool, { type Pool as GenericPool } from 'generic-pool';
import {
  AbortError,
  ConnectionError,
  PoolClosedError,
  RedisError,
  TimeoutError,
} from '../errors.js';
import { Connection, type ConnectionConfig, type ConnectionHooks } from '../connection/connection.js';
import { Deadlines, PipelineDeadline } from '../connection/deadlines.js';
import { isFatal } from '../connection/handshake.js';
import { Batch, Pending } from '../connection/pending.js';
import {
  batchChannel, commandChannel, poolCloseChannel, poolCreateChannel, type ServerTarget,
} from '../diagnostics/channels.js';
import { poolName, serverTarget, startCommand, traceBatch } from '../diagnostics/trace.js';
import '../diagnostics/debug.js';
import type { ResolvedOptions } from '../options.js';
import { encodeCommand } from '../resp/encoder.js';
import type { Command, Reply } from '../resp/types.js';
import { commandKind, commandName, sharable } from './command-kinds.js';
import { setsName } from './connection-state.js';
import { connectionConfig } from './connection-config.js';
import { connectionFactory, CreateGate } from './factory.js';
import { Handle, type CommandOptions, type PoolCore } from './handle.js';
import { checkCommandOptions } from './command-options.js';
import { Router } from './router.js';
import { Leases } from './leases.js';
import type { Locator } from './locator.js';
import { Follower } from './follower.js';
import { PubSub, type MessageListener, type SubscribeOptions, type Subscription } from '../pubsub/subscriber.js';
import { runTransaction } from '../commands/transaction.js';
import { Script } from '../commands/script.js';
import { scanHash, scanKeys, scanSet, scanSortedSet, type ScanOptions } from '../commands/scan.js';
import type { Arg } from '../resp/types.js';
import { ClientCache } from '../cache/client-cache.js';
import { resolveCacheConfig } from '../cache/config.js';

/** A snapshot of what the pool holds. */
export interface PoolStats {
  /** Connections open or opening. */
  size: number;
  /** Connections idle in generic-pool (neither shared nor leased). */
  idle: number;
  /** Connections borrowed: shared ones held by the router plus exclusive leases. */
  borrowed: number;
  /** Callers waiting for an exclusive lease. */
  waiting: number;
  /** Connections in the shared rotation. */
  shared: number;
  /** Exclusive leases out (use() handles in MULTI, blocking commands). */
  exclusive: number;
  /** Commands written or waiting to be, across all connections and the router. */
  inFlight: number;
}

/**
 * The pool of pipelined connections. Create it with {@link createPool}.
 *
 * Events (an `'error'` without a listener is never emitted, so it cannot crash the process):
 * - `'ready'` `{ id, address }`: a connection finished its handshake (first time or again).
 * - `'reconnecting'` `{ id, address, delay, attempt, error }`: a connection was lost or could
 *   not connect; it retries after `delay` ms.
 * - `'error'` `Error`: a connection failed (the same error `'reconnecting'` carries, or the
 *   unretryable one that ended it).
 * - `'push'` `frame`: a RESP3 push on a command connection (e.g. client-side caching).
 * - `'end'`: the pool is closed and every connection is gone.
 *
 * With a {@link Locator} (Sentinel), also:
 * - `'failover'` `{ from, to }`: the primary moved; every connection follows.
 * - `'discoveryError'` `{ error, attempt, delay }`: no sentinel gave a usable answer; retried
 *   after `delay` ms.
 * - `'discovered'` `{ address }`: the first answer, and the first after discovery errors.
 *
 * `B` (types only): whether replies are Buffers, the pool having been created with
 * `returnBuffers: true` (`createPool` infers it from its options; lib/create-pool.ts).
 */
export class Pool<B extends boolean = false> extends EventEmitter {
  readonly options: ResolvedOptions;
  /** Client-side cache of reads (`enabled` only with the `clientCache` option): stats, clear(). */
  readonly clientCache: ClientCache;
  readonly #gp: GenericPool<Connection>;
  readonly #router: Router;
  readonly #deadlines: Deadlines;
  readonly #gate: CreateGate;
  readonly #core: PoolCore;
  readonly #leases: Leases;
  #activeUses = 0;
  /** Set while close() waits for running use() callbacks. */
  #usesDone: (() => void) | null = null;
  #closing: Promise<void> | null = null;
  #lastError: Error | null = null;
  #pubsub: PubSub | null = null;
  readonly #config: ConnectionConfig;
  /** Where commands go, for the diagnostics channels' context objects. */
  readonly #target: ServerTarget;
  readonly #locator: Locator | null;
  /** Every connection open or opening (pooled, leased, subscriber): a failover moves them all. */
  readonly #connections = new Set<Connection>();

  /**
   * @param locator where to connect when that can change (Sentinel); see lib/pool/locator.ts
   * @param internal hooks for layers built on pools, not user options: `readOnly` sends
   *   READONLY on every connection (the cluster client's pools when reading from replicas).
   */
  constructor(options: ResolvedOptions, locator?: Locator, internal?: { readOnly?: boolean }) {
    super();
    this.options = options;
    this.#target = serverTarget(options);
    this.#locator = locator ?? null;
    this.#deadlines = new Deadlines((pending) => this.#expire(pending));
    const config = connectionConfig(options, this.#locator);
    const cache = resolveCacheConfig(options.clientCache, options.protocol);
    // Every command connection tracks the keys it reads, from its handshake on.
    if (cache !== null) config.setup = [cache.tracking];
    this.clientCache = new ClientCache(cache, (c, o) => this.#send(c, o), options.returnBuffers);
    // READONLY on every (re)connect: a cluster replica then serves reads.
    if (internal?.readOnly === true) config.setup = [...(config.setup ?? []), ['READONLY']];
    this.#config = config;
    const hooks = this.#hooks();
    this.#gate = new CreateGate(config);
    const make = () => this.#track(new Connection(config, hooks, this.#deadlines));
    this.#gp = genericPool.createPool(
      connectionFactory(make, this.#gate, Math.max(options.connectTimeout, 1000),
        this.#locator !== null ? () => this.#locator!.ready() : undefined),
      {
        max: options.size,
        min: options.minIdle,
        testOnBorrow: true,
        acquireTimeoutMillis: options.acquireTimeout > 0 ? options.acquireTimeout : undefined,
        maxWaitingClients: options.maxPending,
        autostart: true,
      },
    );
    this.#router = new Router(this.#gp, options, this.#deadlines);
    this.#leases = new Leases(this.#gp, this.#router, this.#deadlines, options);
    this.#core = {
      router: this.#router,
      protocol: options.protocol,
      target: this.#target,
      prepare: (command, opts) => this.#prepare(command, opts),
      arm: (pending, opts) => this.#arm(pending, opts),
      armPipeline: (pendings, opts) => this.#armPipeline(pendings, opts),
      acquireExclusive: () => {
        if (this.#closing !== null && this.#activeUses === 0) return Promise.reject(new PoolClosedError());
        return this.#leases.acquire();
      },
      returnExclusive: (connection, state, lostAt) => this.#leases.release(connection, state, lostAt),
      usedOne: () => {
        if (--this.#activeUses === 0 && this.#usesDone !== null) this.#usesDone();
      },
    };
    if (poolCreateChannel.hasSubscribers) {
      poolCreateChannel.publish({ pool: this, 'db.client.connection.pool.name': poolName(options) });
    }
    this.#locator?.start(new Follower(this.#locator, {
      router: this.#router,
      connections: this.#connections,
      target: this.#target,
      db: options.db,
      emit: (event, payload) => this.emit(event, payload),
      reportError: (error) => this.#reportError(error),
    }));
  }

  // ── the API ─────────────────────────────────────────────────────────────────────────

  /**
   * Sends one command on a shared pipelined connection and resolves with its reply.
   * Blocking commands (BLPOP, XREAD BLOCK, WAIT...) get a connection of their own for the call.
   * (a WAIT sent here covers none of the caller's writes: send it in their `use` or pipeline).
   * Commands that change connection state (MULTI, WATCH, SELECT, SUBSCRIBE) are refused: use
   * {@link Pool.use} (or `transaction` / `subscribe`).
   */
  command(command: Command, options?: CommandOptions): Promise<Reply> {
    if (this.#closing !== null) return Promise.reject(new PoolClosedError());
    if (this.clientCache.enabled) return this.#cachedCommand(command, options);
    return this.#send(command, options);
  }

  /** A cacheable read from the cache; anything else sent, then what it wrote dropped from it. */
  #cachedCommand(command: Command, options: CommandOptions | undefined): Promise<Reply> {
    const cache = this.clientCache;
    const read = cache.read(command, options);
    if (read !== null) return read;
    return this.#send(command, options).then(
      (reply) => {
        cache.written(command);
        return reply;
      },
      (err: unknown) => {
        cache.written(command); // it may have run
        throw err;
      },
    );
  }

  #send(command: Command, options: CommandOptions | undefined): Promise<Reply> {
    let pending: Pending;
    try {
      if (options !== undefined) checkCommandOptions(options);
      pending = this.#prepare(command, options);
    } catch (err) {
      return Promise.reject(err);
    }
    const kind = commandKind(pending.name, command, this.options.protocol);
    if (kind !== 'shared') {
      // A name set through the pool has no lasting effect: the lease is renamed back on return.
      if (kind === 'blocking' || (kind === 'session' && setsName(pending.name, command))) {
        return this.use((c) => c.command(command, options));
      }
      return Promise.reject(new RedisError(
        `${pending.name} changes the connection's state and cannot run on a shared connection: ` +
          'use pool.use(), pool.transaction() or pool.subscribe()',
        'EUSAGE',
      ));
    }
    const promise = pending.promise() as Promise<Reply>;
    if (commandChannel.hasSubscribers) pending.trace = startCommand(command, pending.name, this.#target);
    this.#arm(pending, options);
    this.#router.dispatch(pending);
    return promise;
  }

  /**
   * Sends commands back to back on one connection, in one write, and resolves to their replies
   * in order, with errors (ReplyError, ConnectionError, TimeoutError) in place. Arguments are
   * all checked before anything is sent. A MULTI...EXEC inside stays contiguous; pipelines with
   * blocking or state-changing commands run on a connection of their own.
   */
  pipeline(commands: readonly Command[], options?: CommandOptions): Promise<unknown[]> {
    const promise = this.#pipeline(commands, options);
    if (!this.clientCache.enabled) return promise;
    // Pipelines never read from the cache; what they wrote is dropped from it once answered.
    const cache = this.clientCache;
    const dropWritten = () => {
      for (const command of commands) if (Array.isArray(command)) cache.written(command);
    };
    return promise.then((results) => {
      dropWritten();
      return results;
    }, (err: unknown) => {
      dropWritten();
      throw err;
    });
  }

  #pipeline(commands: readonly Command[], options?: CommandOptions): Promise<unknown[]> {
    if (this.#closing !== null) return Promise.reject(new PoolClosedError());
    if (commands.length === 0) return Promise.resolve([]);
    const pendings = new Array<Pending>(commands.length);
    try {
      if (options !== undefined) checkCommandOptions(options);
      for (let i = 0; i < commands.length; i++) pendings[i] = this.#prepare(commands[i]!, options);
    } catch (err) {
      return Promise.reject(err);
    }
    if (!sharable(pendings, commands, this.options.protocol)) return this.use((c) => c.pipeline(commands, options));
    let batch!: Batch;
    const promise = new Promise<unknown[]>((resolve) => (batch = new Batch(pendings.length, resolve)));
    if (batchChannel.hasSubscribers) traceBatch(batch, pendings, commands, this.#target);
    for (let i = 0; i < pendings.length; i++) pendings[i]!.joinBatch(batch, i);
    this.#armPipeline(pendings, options);
    this.#router.dispatchAll(pendings);
    return promise;
  }

  /**
   * Checks a handle out, runs `fn` with it, and checks it back in whatever `fn` does (returns,
   * throws, rejects). See {@link Handle} for how the handle shares or owns a connection.
   */
  use<T>(fn: (handle: Handle<B>) => T | Promise<T>): Promise<T> {
    if (this.#closing !== null) return Promise.reject(new PoolClosedError());
    const handle = new Handle<B>(this.#core);
    this.#activeUses++;
    let result: T | Promise<T>;
    try {
      result = fn(handle);
    } catch (err) {
      result = Promise.reject(err);
    }
    // Not an async function: with 10,000 callers waiting, its suspended frame (generator,
    // registers, await closures) was the largest part of a waiting `use` after the handle.
    // The two endings close over the handle alone (the handle tells the pool it is checked in).
    // Functions bound to the handle instead were tried: +518 B per waiting caller.
    return Promise.resolve(result).then(
      (value) => {
        const ending = handle.release();
        return ending === null ? value : ending.then(() => value);
      },
      (err: unknown) => {
        const ending = handle.release();
        if (ending === null) throw err;
        return ending.then(() => {
          throw err;
        });
      },
    );
  }

  // ── features ──────────────────────────────────────────────────────────────────────────
  // Thin delegations to lib/commands/.

  /**
   * Runs `commands` inside MULTI ... EXEC, sent as one pipeline on a shared connection.
   * Resolves to EXEC's results with a failed command's ReplyError in its place; rejects with
   * the EXECABORT ReplyError when a command was refused while queueing (nothing ran).
   * To WATCH keys first, use `pool.use(c => ... c.watch(key) ... c.transaction(commands))`.
   */
  async transaction(commands: readonly Command[], options?: CommandOptions): Promise<Reply[]> {
    // Without WATCH, EXEC cannot be refused, so the result is never null.
    return (await runTransaction((c, o) => this.pipeline(c, o), commands, options)) as Reply[];
  }

  /** A Lua script run with EVALSHA, falling back to EVAL when the server lacks it. */
  script(source: string | Buffer): Script {
    return new Script(this, source);
  }

  /** Iterates over the keyspace with SCAN, each key once; leaving the loop stops the scan. */
  scan(options: ScanOptions & { returnBuffers: true }): AsyncGenerator<Buffer>;
  scan(options?: ScanOptions): AsyncGenerator<string>;
  scan(options?: ScanOptions): AsyncGenerator<string | Buffer> {
    return scanKeys((c, o) => this.command(c, o), options);
  }

  /** Iterates over a hash's `[field, value]` pairs with HSCAN. */
  hscan(key: Arg, options: ScanOptions & { returnBuffers: true }): AsyncGenerator<[Buffer, Buffer]>;
  hscan(key: Arg, options?: ScanOptions): AsyncGenerator<[string, string]>;
  hscan(key: Arg, options?: ScanOptions): AsyncGenerator<[string | Buffer, string | Buffer]> {
    return scanHash((c, o) => this.command(c, o), key, options);
  }

  /** Iterates over a set's members with SSCAN. */
  sscan(key: Arg, options: ScanOptions & { returnBuffers: true }): AsyncGenerator<Buffer>;
  sscan(key: Arg, options?: ScanOptions): AsyncGenerator<string>;
  sscan(key: Arg, options?: ScanOptions): AsyncGenerator<string | Buffer> {
    return scanSet((c, o) => this.command(c, o), key, options);
  }

  /** Iterates over a sorted set's `[member, score]` pairs with ZSCAN. */
  zscan(key: Arg, options: ScanOptions & { returnBuffers: true }): AsyncGenerator<[Buffer, number]>;
  zscan(key: Arg, options?: ScanOptions): AsyncGenerator<[string, number]>;
  zscan(key: Arg, options?: ScanOptions): AsyncGenerator<[string | Buffer, number]> {
    return scanSortedSet((c, o) => this.command(c, o), key, options);
  }

  // ── pub/sub: its own connection(s), never a pooled command connection ───────────────

  /** Subscribes `listener` to channels; see lib/pubsub/subscriber.ts. */
  subscribe(
    channels: string | readonly string[],
    listener: (message: string | Buffer, channel: string) => void,
    options?: SubscribeOptions,
  ): Promise<Subscription> {
    return this.#pubsubLayer().subscribe('channel', channels, listener as MessageListener, options);
  }

  /** Subscribes `listener` to glob-style patterns; it also receives the matching pattern. */
  psubscribe(
    patterns: string | readonly string[],
    listener: (message: string | Buffer, channel: string, pattern: string) => void,
    options?: SubscribeOptions,
  ): Promise<Subscription> {
    return this.#pubsubLayer().subscribe('pattern', patterns, listener as MessageListener, options);
  }

  /**
   * Sharded pub/sub (SSUBSCRIBE, Redis 7 Cluster) on this pool's node: its channels must share
   * a slot that this node serves. Across a cluster, use `cluster.ssubscribe`, which follows
   * the slot when it moves.
   */
  ssubscribe(
    channels: string | readonly string[],
    listener: (message: string | Buffer, channel: string) => void,
    options?: SubscribeOptions,
  ): Promise<Subscription> {
    return this.#pubsubLayer().subscribe('shard', channels, listener as MessageListener, options);
  }

  #pubsubLayer(): PubSub {
    this.#pubsub ??= new PubSub({
      connect: (hooks) =>
        this.#track(new Connection({ ...this.#config, subscriber: true, pushBuffers: true, setup: undefined }, {
          ...hooks,
          // The pool's events cover the subscriber connection too.
          ready: (connection) => {
            hooks.ready(connection);
            this.emit('ready', { id: connection.id, address: connection.address, subscriber: true });
          },
          reconnecting: (connection, delay, attempt, error) => {
            hooks.reconnecting(connection, delay, attempt, error);
            this.#reportReconnecting(connection, delay, attempt, error, true);
          },
          end: (connection, cause) => {
            this.#connections.delete(connection);
            hooks.end(connection, cause);
          },
        }, this.#deadlines)),
      checkOpen: () => {
        if (this.#closing !== null) throw new PoolClosedError();
      },
    });
    return this.#pubsub;
  }

  /** Counts, from generic-pool and the router. Built when asked for, never on the hot path. */
  get stats(): PoolStats {
    let inFlight = this.#router.waiting;
    for (const connection of this.#router.connections) inFlight += connection.inFlight;
    return {
      size: this.#gp.size,
      idle: this.#gp.available,
      borrowed: this.#gp.borrowed,
      waiting: this.#gp.pending,
      shared: this.#router.connections.length,
      exclusive: this.#leases.count,
      inFlight,
    };
  }

  /**
   * Closes the pool: new commands reject with PoolClosedError at once; commands already issued
   * are answered, even those waiting for a connect attempt under way (bounded by
   * connectTimeout and acquireTimeout); running `use` callbacks finish; then every connection
   * says QUIT.
   * Idempotent.
   */
  close(): Promise<void> {
    if (this.#closing !== null) return this.#closing;
    this.#closing = this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    // A blocking command could wait forever (on a lease, or a handle's WAIT): closing ends it.
    this.#leases.close();
    this.#router.endBlocked();
    // Running use() callbacks may still send (even their first command): let them finish.
    if (this.#activeUses > 0) await new Promise<void>((resolve) => (this.#usesDone = resolve));
    // Commands issued before close() that still wait for a first connection are answered, not
    // dropped: wait until one is in the rotation (generic-pool hands one over at once, as it
    // connects in the background); it writes them once connected, before its QUIT.
    if (this.#router.waiting > 0) await this.#router.whenAvailable().catch(ignore);
    this.#router.close();
    this.#gate.open();
    // Lets a connection creation that waits for a first address go on (and fail at once).
    await this.#locator?.close();
    await this.#pubsub?.close();
    await this.#gp.drain();
    await this.#gp.clear();
    this.#deadlines.stop();
    if (poolCloseChannel.hasSubscribers) {
      poolCloseChannel.publish({ pool: this, 'db.client.connection.pool.name': poolName(this.options) });
    }
    this.emit('end');
  }

  [inspect.custom](): string {
    return `Pool(${this.options.address}, size ${this.options.size}${this.#closing ? ', closed' : ''})`;
  }

  // ── commands ────────────────────────────────────────────────────────────────────────

  #prepare(command: Command, options: CommandOptions | undefined): Pending {
    if (!Array.isArray(command)) {
      throw new TypeError('a command is an array: [name, ...args], e.g. [\'GET\', \'key\']');
    }
    const payload = encodeCommand(command);
    const buffers = options?.returnBuffers ?? this.options.returnBuffers;
    return new Pending(payload, commandName(command), buffers);
  }

  #arm(pending: Pending, options: CommandOptions | undefined): void {
    const timeout = options?.timeout ?? this.options.commandTimeout;
    if (timeout > 0) {
      pending.deadline = Date.now() + timeout;
      pending.timeout = timeout;
      this.#deadlines.add(pending);
    }
    const signal = options?.signal;
    if (signal !== undefined) watchSignal(pending, signal);
  }

  /**
   * {@link Pool.#arm} for a pipeline's commands (shared, or a `use` handle's): the signal watched
   * per command, and one deadline for the lot (issue 14), not one per command: see PipelineDeadline.
   */
  #armPipeline(pendings: readonly Pending[], options: CommandOptions | undefined): void {
    const signal = options?.signal;
    if (signal !== undefined) for (let i = 0; i < pendings.length; i++) watchSignal(pendings[i]!, signal);
    const timeout = options?.timeout ?? this.options.commandTimeout;
    if (timeout > 0) this.#deadlines.addPipeline(new PipelineDeadline(pendings, Date.now() + timeout, timeout));
  }

  #expire(pending: Pending): void {
    if (!pending.written) {
      const why = this.#lastError !== null ? ` (last error: ${this.#lastError.message})` : '';
      pending.fail(new TimeoutError(
        `${pending.name} timed out waiting for a connection to ${this.options.address}${why}`,
      ));
      return;
    }
    pending.fail(new TimeoutError(
      `${pending.name} timed out after ${pending.timeout} ms; its late reply will be discarded`,
    ));
    // A blocked command holds its connection server-side: ask the server to let go of it.
    if (pending.blocking && pending.owner !== null) pending.owner.unblock();
  }

  // ── what connections report ─────────────────────────────────────────────────────────

  #hooks(): ConnectionHooks {
    return {
      ready: (connection) => {
        this.#gate.succeeded();
        this.#router.clearFatal();
        // Pipelines that waited for it to be ready (see Router.dispatchAll) go now.
        this.#router.connectionChanged();
        this.emit('ready', { id: connection.id, address: connection.address });
      },
      reconnecting: (connection, delay, attempt, error) => {
        // Before anything else: the server no longer tracks what this connection read.
        if (this.clientCache.enabled) this.clientCache.connectionLost();
        this.#lastError = error;
        // Pipelines that waited for its first connect go where they can (see Router.dispatchAll).
        this.#router.connectionChanged();
        this.#reportReconnecting(connection, delay, attempt, error, false);
      },
      end: (connection, cause) => {
        this.#connections.delete(connection);
        if (this.clientCache.enabled) this.clientCache.connectionLost();
        if (cause !== null && this.#closing === null) {
          this.#lastError = cause;
          if (isFatal(cause)) {
            this.#router.setFatal(cause as RedisError, this.#gate.failed());
          }
          this.#reportError(asConnectionError(cause, connection.address));
        }
        this.#router.remove(connection);
      },
      push: (_connection, frame) => {
        if (this.clientCache.enabled) this.clientCache.push(frame);
        this.emit('push', frame);
      },
      unblock: (connection) => this.#unblock(connection),
      misplaced: (connection, reply) => this.#locator?.suspect(connection.address, reply),
    };
  }

  // ── following a Locator (Sentinel) ──────────────────────────────────────────────────

  #track(connection: Connection): Connection {
    this.#connections.add(connection);
    return connection;
  }

  /** The 'reconnecting' event, and 'error' for those who listen (command or subscriber connection). */
  #reportReconnecting(connection: Connection, delay: number, attempt: number, cause: Error, subscriber: boolean): void {
    this.#locator?.suspect(connection.address, cause);
    const error = asConnectionError(cause, connection.address);
    const base = { id: connection.id, address: connection.address, delay, attempt, error };
    this.emit('reconnecting', subscriber ? { ...base, subscriber } : base);
    this.#reportError(error);
  }

  /** 'error' only when someone listens: an unheard 'error' event would crash the process. */
  #reportError(error: Error): void {
    if (this.listenerCount('error') > 0) this.emit('error', error);
  }

  /** CLIENT UNBLOCK from a shared connection; if even that fails, replace the blocked one. */
  #unblock(connection: Connection): void {
    const id = connection.clientId;
    const recycle = () =>
      connection.recycle(new ConnectionError('a blocking command timed out and could not be unblocked'));
    if (id === 0 || this.#closing !== null) {
      recycle();
      return;
    }
    this.command(['CLIENT', 'UNBLOCK', id], { timeout: Math.max(this.options.connectTimeout, 1000) })
      .then((unblocked) => {
        if (unblocked !== 1 && connection.blockingInFlight > 0) recycle();
      }, recycle);
  }
}

function ignore(): void {}

/**
 * Events carry our errors: a socket's own error (`read ECONNRESET`, `connect ECONNREFUSED`)
 * becomes a ConnectionError naming the address, with the Node error (and its `code`) as `cause`.
 */
function asConnectionError(error: Error, address: string): RedisError {
  if (error instanceof RedisError) return error;
  return new ConnectionError(`connection to ${address} failed: ${error.message}`, { cause: error });
}

function watchSignal(pending: Pending, signal: AbortSignal): void {
  if (signal.aborted) {
    pending.fail(new AbortError(undefined, { cause: signal.reason }));
    return;
  }
  const onAbort = () => {
    pending.fail(new AbortError(undefined, { cause: signal.reason }));
    // As for a timeout: a blocked command holds its connection server-side until unblocked
    // (else its lease is replaced only after a 10 s graceful close, and pool.close() waits).
    if (pending.blocking && pending.owner !== null) pending.owner.unblock();
  };
  signal.addEventListener('abort', onAbort, { once: true });
  pending.onSettle = () => signal.removeEventListener('abort', onAbort);
}
