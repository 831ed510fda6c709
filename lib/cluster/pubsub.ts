/**
 * Pub/sub on a cluster, on the node pools' own subscriber connections (lib/pubsub), with the
 * one thing a single pool cannot do: move a subscription to another node.
 *
 * - **Classic** (`subscribe`, `psubscribe`): PUBLISH reaches every node, so one node's
 *   subscriber connection hears everything. All classic subscriptions share one node; when it
 *   is lost they move to another node that is up.
 * - **Sharded** (`ssubscribe`): SSUBSCRIBE on the primary serving the channel's slot. When the
 *   map says another node serves it (a migration, a failover), or the server ends it (SUNSUBSCRIBE
 *   after its slot moved), or refuses it (MOVED), the subscription moves there.
 *
 * ```
 *   user Subscription (ClusterSubscription) ──> inner Subscription on node A's pool
 *        lost / topology says B ──> unsubscribe on A ──> subscribe on B ──> 'restored'
 * ```
 *
 * A move is: 'lost' (messages published until 'restored' are missed), unsubscribe on the old
 * node, subscribe on the new one, 'restored'. Nothing is delivered twice: only the current
 * inner subscription's messages reach the listener.
 */
import { EventEmitter } from 'node:events';
import { PoolClosedError, RedisError } from '../errors.js';
import type { Pool } from '../pool/pool.js';
import type { MessageListener, SubscribeOptions, Subscription } from '../pubsub/subscriber.js';
import type { SubscriptionKind } from '../pubsub/registry.js';
import type { NodePools } from './nodes.js';
import { retryDelay } from './redirect.js';
import { keySlot } from './slot.js';
import { addressesOf, type SlotMap } from './slot-map.js';

/** ms one attempt of a move may wait for the server's confirmation. */
const MOVE_ATTEMPT_MS = 2000;
/** ms after a loss when the topology is read once more (gossip may lag the first read). */
const SETTLE_MS = 1000;

export interface ClusterPubSubHost {
  /** The map, waiting for the first one (within the deadline). */
  map(deadline: number): Promise<SlotMap>;
  /** The current map, or null. */
  currentMap(): SlotMap | null;
  /** Asks for a topology refresh (shared, rate-limited). */
  refresh(): void;
  nodes: NodePools;
  /** ms a subscribe may wait (acquireTimeout). */
  timeout: number;
}

/** What `cluster.subscribe`, `psubscribe` and `ssubscribe` resolve to; see lib/pubsub/subscription.ts. */
export class ClusterSubscription extends EventEmitter implements Subscription {
  readonly kind: SubscriptionKind;
  readonly channels: readonly string[];
  /** @internal the slot of a shard subscription, else -1 */
  readonly slot: number;
  /** @internal */
  readonly listener: MessageListener;
  /** @internal */
  readonly options: SubscribeOptions | undefined;
  /** @internal the node it is subscribed on, and that subscription */
  address: string | null = null;
  inner: Subscription | null = null;
  /** @internal bumped per inner subscription: only the current one delivers */
  generation = 0;
  /** @internal a move is under way */
  moving = false;
  /** @internal the inner subscription was lost or ended and not restored */
  down = false;
  closed = false;
  readonly #owner: ClusterPubSub;

  constructor(owner: ClusterPubSub, kind: SubscriptionKind, channels: readonly string[], listener: MessageListener,
    options: SubscribeOptions | undefined) {
    super();
    this.#owner = owner;
    this.kind = kind;
    this.channels = channels;
    this.slot = kind === 'shard' ? keySlot(channels[0]!) : -1;
    this.listener = listener;
    this.options = options;
  }

  /** Stops the listener at once; unsubscribes on the node. Idempotent. */
  unsubscribe(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return this.#owner.unsubscribe(this);
  }
}

export class ClusterPubSub {
  readonly #host: ClusterPubSubHost;
  readonly #subscriptions = new Set<ClusterSubscription>();
  /** The node classic subscriptions live on. */
  #classic: string | null = null;
  #closed = false;

  constructor(host: ClusterPubSubHost) {
    this.#host = host;
  }

  async subscribe(kind: SubscriptionKind, channels: string | readonly string[], listener: MessageListener,
    options?: SubscribeOptions): Promise<Subscription> {
    if (this.#closed) throw new PoolClosedError('The cluster client is closed');
    const names = typeof channels === 'string' ? [channels] : [...channels];
    if (names.length === 0 || names.some((n) => typeof n !== 'string')) {
      throw new TypeError('subscribe needs a channel name or a non-empty array of them');
    }
    if (typeof listener !== 'function') throw new TypeError('subscribe needs a listener function');
    if (kind === 'shard' && names.some((n) => keySlot(n) !== keySlot(names[0]!))) {
      throw new RedisError(
        'ssubscribe channels must share a hash slot (as SSUBSCRIBE requires): use a hash tag ' +
          '({room1}a, {room1}b) or one ssubscribe per channel', 'CROSSSLOT');
    }
    const sub = new ClusterSubscription(this, kind, [...new Set(names)], listener, options);
    const deadline = Date.now() + (options?.timeout ?? this.#host.timeout);
    for (let attempt = 0; ; attempt++) {
      try {
        await this.#place(sub, await this.#host.map(deadline), deadline);
        break;
      } catch (err) {
        // A refusal that proves the node does not serve the slot (MOVED) or a node that could
        // not be reached: ask again where it lives, within the caller's timeout.
        const delay = retryDelay(attempt);
        if (this.#closed || !retriable(err) || Date.now() + delay >= deadline) throw err;
        this.#host.refresh();
        await new Promise((r) => setTimeout(r, delay));
      }
    }
    this.#subscriptions.add(sub);
    return sub;
  }

  /** @internal ClusterSubscription.unsubscribe */
  async unsubscribe(sub: ClusterSubscription): Promise<void> {
    sub.closed = true;
    sub.generation++;
    this.#subscriptions.delete(sub);
    const inner = sub.inner;
    sub.inner = null;
    // The listener stopped above; the node's confirmation is waited for within the timeout
    // (a frozen node would never send it).
    if (inner !== null) await within(inner.unsubscribe(), this.#host.timeout);
  }

  /**
   * The map was read (changed or not): subscriptions whose node no longer fits move. Classic
   * ones when their node is down or gone; shard ones when their slot's primary is another node
   * or the server ended them.
   */
  updated(map: SlotMap): void {
    for (const sub of this.#subscriptions) {
      if (sub.moving || sub.closed) continue;
      const want = this.#target(sub, map);
      if (want !== null && (want !== sub.address || (sub.down && sub.kind === 'shard'))) void this.#move(sub);
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const sub of this.#subscriptions) {
      sub.closed = true;
      sub.generation++;
    }
    this.#subscriptions.clear();
  }

  /** Where `sub` should live per `map`, or null when no node fits now. */
  #target(sub: ClusterSubscription, map: SlotMap): string | null {
    if (sub.kind === 'shard') {
      const index = map.slots[sub.slot]!;
      return index < 0 ? null : map.shards[index]!.primary;
    }
    const { primaries, replicas } = addressesOf(map);
    const nodes = this.#host.nodes;
    // A node this subscription was lost on is not reused: it may be gone for good (a client
    // that only subscribes has no command connection there to tell).
    const usable = (a: string) => !nodes.isDown(a) && !(sub.down && a === sub.address) &&
      (primaries.includes(a) || replicas.includes(a));
    if (this.#classic !== null && usable(this.#classic)) return this.#classic;
    // Another node that is up, primaries first; a random one, so many clients spread out.
    let candidates = primaries.filter(usable);
    if (candidates.length === 0) candidates = replicas.filter(usable);
    const pick = candidates.length > 0 ? candidates[Math.floor(Math.random() * candidates.length)]! : null;
    this.#classic = pick;
    return pick;
  }

  /** Subscribes `sub` on the node `map` names for it (first time or a move). */
  async #place(sub: ClusterSubscription, map: SlotMap, deadline: number): Promise<void> {
    const address = this.#target(sub, map);
    if (address === null) throw new RedisError(`no node serves slot ${sub.slot}`, 'CLUSTERDOWN');
    if (this.#host.nodes.isDown(address)) throw new RedisError(`${address} is down`, 'ECONNECTION');
    const pool = this.#host.nodes.get(address);
    const generation = ++sub.generation;
    const deliver: MessageListener = (message, channel, pattern) => {
      if (sub.generation === generation) sub.listener(message, channel, pattern);
    };
    const options = { ...sub.options, timeout: Math.max(1, deadline - Date.now()) };
    const inner = await subscribeOn(pool, sub.kind, sub.channels, deliver, options);
    if (sub.closed || sub.generation !== generation) {
      await inner.unsubscribe();
      return;
    }
    sub.inner = inner;
    sub.address = address;
    inner.on('lost', (cause: Error) => this.#lost(sub, inner, cause));
    inner.on('ended', () => this.#host.refresh());
    inner.on('restored', () => {
      if (sub.inner !== inner || !sub.down) return;
      sub.down = false;
      sub.emit('restored');
    });
    inner.on('error', (err: unknown) => {
      if (sub.listenerCount('error') > 0) sub.emit('error', err);
      else process.nextTick(() => { throw err; });
    });
  }

  #lost(sub: ClusterSubscription, inner: Subscription, cause: Error): void {
    if (sub.inner !== inner || sub.closed) return;
    if (!sub.down) {
      sub.down = true;
      sub.emit('lost', cause);
    }
    // The node may be gone for good: a refresh says where to go (updated() moves it). The
    // nodes learn of a failover or a slot's new owner by gossip, so the first refresh may
    // still see the old view: one more a little later.
    this.#host.refresh();
    setTimeout(() => {
      if (!sub.closed && !this.#closed) this.#host.refresh();
    }, SETTLE_MS).unref();
  }

  /** Moves `sub` to the node the map names now; retries with backoff until it is placed or closed. */
  async #move(sub: ClusterSubscription): Promise<void> {
    sub.moving = true;
    if (!sub.down) {
      sub.down = true;
      sub.emit('lost', new RedisError(`the subscription moves from ${sub.address} (topology changed)`, 'EMOVED'));
    }
    const old = sub.inner;
    sub.inner = null;
    sub.generation++;
    // Bounded: the old node may be dead or frozen, and its confirmation never come.
    if (old !== null) await within(old.unsubscribe(), MOVE_ATTEMPT_MS);
    try {
      for (let attempt = 0; !sub.closed && !this.#closed; attempt++) {
        try {
          const map = this.#host.currentMap();
          if (map === null) throw new RedisError('no topology yet', 'CLUSTERDOWN');
          // A short wait per attempt: the map may name a node that just died (before its
          // replica is promoted); the next refresh will name another.
          await this.#place(sub, map, Date.now() + Math.min(this.#host.timeout, MOVE_ATTEMPT_MS));
          if (sub.closed) return;
          sub.down = false;
          sub.emit('restored');
          return;
        } catch {
          this.#host.refresh();
          await new Promise((r) => setTimeout(r, retryDelay(attempt)));
        }
      }
    } finally {
      sub.moving = false;
    }
  }
}

function subscribeOn(pool: Pool, kind: SubscriptionKind, channels: readonly string[], listener: MessageListener,
  options: SubscribeOptions): Promise<Subscription> {
  switch (kind) {
    case 'channel': return pool.subscribe(channels, listener, options);
    case 'pattern': return pool.psubscribe(channels, listener as (m: string | Buffer, c: string, p: string) => void, options);
    case 'shard': return pool.ssubscribe(channels, listener, options);
  }
}

/** Failures after which asking the topology again may help. */
function retriable(err: unknown): boolean {
  if (!(err instanceof RedisError)) return false;
  return err.code === 'MOVED' || err.code === 'ASK' || err.code === 'CLUSTERDOWN' || err.code === 'ECONNECTION' ||
    err.code === 'ETIMEDOUT' || err.code === 'TRYAGAIN';
}

/** Waits for `promise` at most `ms`; never rejects. */
async function within(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    promise.catch(() => undefined),
    new Promise<void>((resolve) => (timer = setTimeout(resolve, ms))),
  ]);
  clearTimeout(timer);
}
