/**
 * The Redis Cluster client: a pool of pipelined connections per node (lib/pool, every pool
 * option applies), a slot map kept current (topology.ts), and commands sent to the node that
 * serves their keys, following MOVED/ASK/TRYAGAIN/CLUSTERDOWN (sender.ts, redirect.ts).
 *
 * ```
 *   cluster.command(['GET', k]) ──> slot(k) ──> map ──> pool of 127.0.0.1:7001 ──> reply
 *   cluster.pipeline([...])     ──> grouped by node, one pipeline each ──> replies in input order
 *   cluster.use(fn)             ──> a handle bound to the node of its first keyed command
 * ```
 */
import { EventEmitter } from 'node:events';
import { inspect } from 'node:util';
import { PoolClosedError, RedisError } from '../errors.js';
import { runTransaction } from '../commands/transaction.js';
import { Script } from '../commands/script.js';
import type { ScanOptions } from '../commands/scan.js';
import { commandKind, commandName } from '../pool/command-kinds.js';
import type { CommandOptions } from '../pool/handle.js';
import type { Pool, PoolStats } from '../pool/pool.js';
import type { Command, Reply } from '../resp/types.js';
import { ClusterHandle } from './handle.js';
import { isReadOnly, splitPolicy } from './keys.js';
import { NodePools } from './nodes.js';
import { resolveClusterOptions, type ClusterOptions, type ResolvedClusterOptions } from './options.js';
import { commandSlot, CROSS_SLOT, crossSlotError, groupSlot } from './route.js';
import { scanCluster } from './scan.js';
import { Sender, type RedirectionEvent } from './sender.js';
import { sendSplit } from './split.js';
import { runPipeline } from './pipeline.js';
import { isCommandArg } from '../resp/encoder.js';
import { addressesOf, coveredSlots, type SlotMap } from './slot-map.js';
import { Topology, TopologyError } from './topology.js';
import { cacheScopes, changedScopes } from './cache-scope.js';
import type { ClientCacheStats } from '../cache/client-cache.js';
import { ClusterPubSub } from './pubsub.js';
import type { SubscribeOptions, Subscription } from '../pubsub/subscriber.js';
import {
  clusterRedirectionChannel, clusterTopologyChannel, type ClusterRedirectionMessage, type ClusterTopologyMessage,
} from '../diagnostics/channels.js';

/** One node in {@link Cluster.stats}. */
export interface ClusterNodeStats extends PoolStats {
  address: string;
  role: 'primary' | 'replica' | 'unknown';
  /** The node pool's client-side cache, with the `clientCache` option. */
  clientCache?: ClientCacheStats;
}

export interface ClusterStats {
  nodes: ClusterNodeStats[];
}

/** Commands that need a connection's state and so a `use` handle or `transaction`. */
function usageError(name: string): RedisError {
  return new RedisError(
    `${name} changes the connection's state and cannot run on a shared connection: ` +
      'use cluster.use(), cluster.transaction() or cluster.subscribe()',
    'EUSAGE',
  );
}

/**
 * A Redis Cluster client. Create it with {@link createCluster}.
 *
 * Events: `'ready'` (the first topology is known), `'topology'` `{ primaries, replicas }` (the
 * map changed), `'reconnecting'` `{ address, error }` (a node's connection was lost),
 * `'redirection'` {@link RedirectionEvent}, `'error'` (only when listened), `'end'`.
 *
 * `B` (types only): whether replies are Buffers, the cluster having been created with
 * `returnBuffers: true` (inferred by {@link createCluster} from its options).
 */
export class Cluster<B extends boolean = false> extends EventEmitter {
  readonly options: ResolvedClusterOptions;
  readonly #nodes: NodePools;
  readonly #topology: Topology;
  readonly #sender: Sender;
  #closing: Promise<void> | null = null;
  #ready = false;
  #pubsub: ClusterPubSub | null = null;
  /** Each node's role and slots in the last map, to drop its cache when they change. */
  #scopes = new Map<string, string>();

  constructor(options: ResolvedClusterOptions) {
    super();
    this.options = options;
    this.#nodes = new NodePools(options.pool, options.readFrom !== 'primary', {
      lost: (address, error) => {
        this.emit('reconnecting', { address, error });
        if (this.#closing === null) this.#topology.refresh().catch(ignore);
      },
      ready: () => {},
      error: (address, error) => this.#reportError(error, address),
    });
    this.#topology = new Topology({
      seeds: options.seeds,
      tls: options.pool.tls !== undefined,
      addressMap: options.addressMap,
      minRefreshInterval: options.minRefreshInterval,
      refreshInterval: options.refreshInterval,
      queryTimeout: Math.max(1000, Math.min(options.pool.connectTimeout || 10_000, 5000)),
    }, {
      pool: (address) => this.#nodes.get(address),
      updated: (map, changed) => this.#updated(map, changed),
      failed: (error) => this.#refreshFailed(error),
    });
    this.#sender = new Sender(this.#topology, this.#nodes, {
      readFrom: options.readFrom,
      maxRedirections: options.maxRedirections,
      retryBudget: options.pool.acquireTimeout,
      commandTimeout: options.pool.commandTimeout,
      failFast: options.failFast,
      addressMap: options.addressMap,
    }, (event) => this.#redirected(event));
    this.#topology.refresh().catch(ignore);
  }

  // ── the API ─────────────────────────────────────────────────────────────────────────

  /**
   * Sends one command to the node serving its keys' slot (keyless: any shard) and follows
   * redirections. MGET, MSET, DEL, UNLINK, EXISTS, TOUCH with keys in several slots are split
   * per slot and merged; other commands with keys in several slots reject with code CROSSSLOT
   * before anything is sent.
   */
  command(command: Command, options?: CommandOptions): Promise<Reply> {
    if (this.#closing !== null) return Promise.reject(new PoolClosedError('The cluster client is closed'));
    if (!Array.isArray(command) || command.length === 0) {
      return Promise.reject(new TypeError('a command is an array: [name, ...args], e.g. [\'GET\', \'key\']'));
    }
    const slot = commandSlot(command);
    const readOnly = this.options.readFrom !== 'primary' && isReadOnly(command);
    if (slot === CROSS_SLOT) {
      const policy = splitPolicy(command);
      if (policy === null) return Promise.reject(crossSlotError(commandName(command)));
      return sendSplit((c, o, s, r) => this.#sender.send(c, o, s, r), command, options, policy.response, readOnly);
    }
    const kind = commandKind(commandName(command), command);
    if (kind === 'session' || kind === 'poison') return Promise.reject(usageError(commandName(command)));
    return this.#sender.send(command, options, slot, readOnly);
  }

  /**
   * Sends commands in any slots: grouped per node, one pipeline per node, replies in input
   * order with errors in place. Commands redirected (MOVED, ASK...) are retried one by one.
   */
  async pipeline(commands: readonly Command[], options?: CommandOptions): Promise<unknown[]> {
    if (this.#closing !== null) throw new PoolClosedError('The cluster client is closed');
    if (!Array.isArray(commands)) throw new TypeError('a pipeline takes an array of commands');
    const slots = new Array<number>(commands.length);
    for (let i = 0; i < commands.length; i++) {
      const command = commands[i]!;
      if (!Array.isArray(command) || command.length === 0) {
        throw new TypeError(`command ${i} of the pipeline is not an array: [name, ...args]`);
      }
      // Checked here, before any node's pipeline is sent: a node's pool checks only its own.
      for (let j = 0; j < command.length; j++) {
        if (!isCommandArg(command[j])) {
          throw new TypeError(`argument ${j} of command ${i} of the pipeline is a ${typeof command[j]}, not a string, Buffer or finite number`);
        }
      }
      const kind = commandKind(commandName(command), command);
      if (kind === 'session' || kind === 'poison') throw usageError(commandName(command));
      slots[i] = commandSlot(command);
    }
    return runPipeline(this.#sender, commands, slots, (c) => this.#readsAt(c), options,
      Date.now() + this.options.pool.acquireTimeout, this.options.addressMap);
  }

  #readsAt(command: Command): boolean {
    return this.options.readFrom !== 'primary' && isReadOnly(command);
  }

  /**
   * Runs `fn` with a handle bound to the node serving the slot of its first keyed command (see
   * {@link ClusterHandle}); the handle is released whatever `fn` does.
   */
  async use<T>(fn: (handle: ClusterHandle<B>) => T | Promise<T>): Promise<T> {
    if (this.#closing !== null) throw new PoolClosedError('The cluster client is closed');
    const handle = new ClusterHandle<B>(this.#sender, this.options, this);
    try {
      return await fn(handle);
    } finally {
      await handle.release();
    }
  }

  /**
   * Runs `commands` in MULTI ... EXEC on the node serving their slot. Every key must be in one
   * slot (use a hash tag), else it rejects with code CROSSSLOT and nothing is sent. A
   * transaction refused because its slot moved (MOVED while queueing: nothing ran) is sent
   * again to the new owner.
   */
  async transaction(commands: readonly Command[], options?: CommandOptions): Promise<Reply[]> {
    if (this.#closing !== null) throw new PoolClosedError('The cluster client is closed');
    if (!Array.isArray(commands)) throw new TypeError('a transaction takes an array of commands');
    const slot = groupSlot(commands);
    if (slot === CROSS_SLOT) throw crossSlotError('this transaction');
    const result = await this.#sender.sendGroup(slot, (pool) =>
      runTransaction((c, o) => pool.pipeline(c, o), commands, options), options);
    return result as Reply[];
  }

  /** A Lua script: EVALSHA (EVAL on NOSCRIPT) on the node serving its keys. */
  script(source: string | Buffer): Script {
    return new Script(this, source);
  }

  /**
   * Iterates over every key of the cluster: SCAN on each primary, each key once. Nodes that
   * gained slots while the scan ran are scanned again, so keys moved by a resharding are not
   * missed.
   */
  scan(options: ScanOptions & { returnBuffers: true }): AsyncGenerator<Buffer>;
  scan(options?: ScanOptions): AsyncGenerator<string>;
  scan(options?: ScanOptions): AsyncGenerator<string | Buffer> {
    return scanCluster(
      () => this.#sender.map(Date.now() + this.options.pool.acquireTimeout),
      () => this.#topology.refresh(),
      (address) => this.#nodes.get(address),
      options ?? {},
    );
  }

  // ── pub/sub: see pubsub.ts for where subscriptions live and how they move ─────────────

  /**
   * Subscribes `listener` to channels (classic pub/sub: PUBLISH reaches every node) on one
   * node's subscriber connection; when that node is lost the subscription moves to another
   * ('lost', then 'restored'). Same shape as `pool.subscribe`.
   */
  subscribe(
    channels: string | readonly string[],
    listener: (message: string | Buffer, channel: string) => void,
    options?: SubscribeOptions,
  ): Promise<Subscription> {
    return this.#pubsubLayer().then((p) => p.subscribe('channel', channels, listener, options));
  }

  /** Subscribes `listener` to glob-style patterns; like {@link Cluster.subscribe}. */
  psubscribe(
    patterns: string | readonly string[],
    listener: (message: string | Buffer, channel: string, pattern: string) => void,
    options?: SubscribeOptions,
  ): Promise<Subscription> {
    return this.#pubsubLayer().then((p) => p.subscribe('pattern', patterns,
      listener as (m: string | Buffer, c: string, p?: string) => void, options));
  }

  /**
   * Sharded pub/sub: SSUBSCRIBE on the primary serving the channels' slot (they must share
   * one, else CROSSSLOT). Follows the slot when it moves or its primary fails over ('lost',
   * then 'restored'); messages sent with SPUBLISH.
   */
  ssubscribe(
    channels: string | readonly string[],
    listener: (message: string | Buffer, channel: string) => void,
    options?: SubscribeOptions,
  ): Promise<Subscription> {
    return this.#pubsubLayer().then((p) => p.subscribe('shard', channels, listener, options));
  }

  async #pubsubLayer(): Promise<ClusterPubSub> {
    if (this.#closing !== null) throw new PoolClosedError('The cluster client is closed');
    this.#pubsub ??= new ClusterPubSub({
      map: (deadline) => this.#sender.map(deadline),
      currentMap: () => this.#topology.map,
      refresh: () => void this.#topology.refresh().catch(ignore),
      nodes: this.#nodes,
      timeout: this.options.pool.acquireTimeout || 10_000,
    });
    return this.#pubsub;
  }

  /** The pools of the primaries (or replicas) in the current map, for per-node work (FLUSHALL, SCRIPT LOAD). */
  async nodes(role: 'primary' | 'replica' | 'all' = 'primary'): Promise<Pool[]> {
    const map = await this.#sender.map(Date.now() + this.options.pool.acquireTimeout);
    const { primaries, replicas } = addressesOf(map);
    const addresses = role === 'primary' ? primaries : role === 'replica' ? replicas : [...primaries, ...replicas];
    return addresses.map((a) => this.#nodes.get(a));
  }

  /** Forces a topology refresh now (within minRefreshInterval of the last, it is shared). */
  refresh(): Promise<SlotMap> {
    return this.#topology.refresh();
  }

  /** Every node with a pool, its role in the current map, and its pool's counts. */
  get stats(): ClusterStats {
    const map = this.#topology.map;
    const roles = map === null ? { primaries: [], replicas: [] } : addressesOf(map);
    return {
      nodes: this.#nodes.entries().map(([address, pool]) => ({
        address,
        role: roles.primaries.includes(address) ? 'primary' : roles.replicas.includes(address) ? 'replica' : 'unknown',
        ...pool.stats,
        ...(pool.clientCache.enabled ? { clientCache: pool.clientCache.stats } : {}),
      })),
    };
  }

  /** Closes every node's pool (see Pool.close). Idempotent. */
  close(): Promise<void> {
    if (this.#closing !== null) return this.#closing;
    this.#closing = (async () => {
      this.#topology.close();
      await this.#pubsub?.close();
      await this.#nodes.close();
      this.emit('end');
    })();
    return this.#closing;
  }

  [inspect.custom](): string {
    return `Cluster(${this.options.seeds.join(', ')}${this.#closing ? ', closed' : ''})`;
  }

  // ── what the parts report ───────────────────────────────────────────────────────────

  #updated(map: SlotMap, changed: boolean): void {
    const { primaries, replicas } = addressesOf(map);
    this.#nodes.retain(new Set([...primaries, ...replicas]));
    if (changed && this.options.pool.clientCache) this.#dropMovedCaches(map);
    if ((changed || !this.#ready) && clusterTopologyChannel.hasSubscribers) {
      clusterTopologyChannel.publish({
        reason: this.#ready ? 'changed' : 'initial', primaries, replicas, slotsCovered: coveredSlots(map),
      } satisfies ClusterTopologyMessage);
    }
    if (changed) this.emit('topology', { primaries, replicas });
    this.#pubsub?.updated(map);
    if (!this.#ready) {
      this.#ready = true;
      this.emit('ready', { primaries, replicas });
    }
  }

  /** A node that lost or changed what it serves: what its cache read came from the old owner. */
  #dropMovedCaches(map: SlotMap): void {
    const scopes = cacheScopes(map);
    for (const address of changedScopes(this.#scopes, scopes)) {
      const pool = this.#nodes.peek(address);
      if (pool?.clientCache.enabled) pool.clientCache.clear();
    }
    this.#scopes = scopes;
  }

  #redirected(event: RedirectionEvent): void {
    if (clusterRedirectionChannel.hasSubscribers) {
      const { kind, slot, from, to, command } = event;
      clusterRedirectionChannel.publish({ kind, slot, from, to, 'db.operation.name': command } satisfies ClusterRedirectionMessage);
    }
    if (this.listenerCount('redirection') > 0) this.emit('redirection', event);
  }

  /** A topology refresh failed on every node asked. */
  #refreshFailed(error: RedisError): void {
    if (clusterTopologyChannel.hasSubscribers && error instanceof TopologyError) {
      const errors = new Map(error.errors.map((e) => [e.address, e.error]));
      clusterTopologyChannel.publish({
        reason: 'failed', primaries: [], slotsCovered: 0, errors,
      } satisfies ClusterTopologyMessage);
    }
    this.#reportError(error);
  }

  #reportError(error: Error, address?: string): void {
    if (this.listenerCount('error') === 0) return;
    if (address !== undefined && !(error as { address?: string }).address) {
      Object.defineProperty(error, 'address', { value: address, enumerable: false, configurable: true });
    }
    this.emit('error', error);
  }
}

/**
 * Creates a cluster client. Returns at once; the topology is read in the background from the
 * seeds, and commands issued before it is known wait for it (within acquireTimeout).
 *
 * @throws TypeError / RangeError for bad options (unknown names, a db other than 0, no seeds)
 *
 * `returnBuffers: true` written in the options gives a `Cluster<true>`, whose typed methods
 * reply Buffers; a `boolean` known only at run time gives `Cluster<boolean>`.
 */
export function createCluster(options: ClusterOptions & { returnBuffers: true }): Cluster<true>;
export function createCluster(options: ClusterOptions & { returnBuffers: false }): Cluster;
export function createCluster(options: ClusterOptions & { returnBuffers: boolean }): Cluster<boolean>;
export function createCluster(options: ClusterOptions): Cluster;
export function createCluster(options: ClusterOptions): Cluster<boolean> {
  return new Cluster(resolveClusterOptions(options));
}

function ignore(): void {}
