import type { Connection, ConnectionHooks } from '../connection/connection.js';
import { ConnectionError, PoolClosedError, TimeoutError } from '../errors.js';
import type { Reply } from '../resp/types.js';
import { Registry, type Entry, type SubscriptionKind } from './registry.js';
import { SubscriptionHandle, type Subscription, type SubscriptionOwner } from './subscription.js';

export type { Subscription } from './subscription.js';

/** Receives one message: `pattern` is set for psubscribe listeners. */
export type MessageListener = (message: string | Buffer, channel: string, pattern?: string) => void;

export interface SubscribeOptions {
  /** Deliver messages as Buffers. */
  returnBuffers?: boolean;
  /**
   * ms to wait for the server to confirm the subscription (the subscriber connection may be
   * connecting or reconnecting) before rejecting with TimeoutError; 0 = wait for ever.
   * Default 10000, the default `acquireTimeout`.
   */
  timeout?: number;
}

/** What the pub/sub layer needs from the pool. */
export interface PubSubHost {
  /** A new connection in subscriber mode (pub/sub frames routed to hooks.push), Buffers on. */
  connect(hooks: ConnectionHooks): Connection;
  /** Rejects with PoolClosedError once the pool is closing. */
  checkOpen(): void;
}

const DEFAULT_TIMEOUT = 10_000;
/** Channels per SUBSCRIBE when re-subscribing everything: keeps each command a sane size. */
const RESUBSCRIBE_CHUNK = 1000;
const COMMANDS = {
  channel: { subscribe: 'SUBSCRIBE', unsubscribe: 'UNSUBSCRIBE' },
  pattern: { subscribe: 'PSUBSCRIBE', unsubscribe: 'PUNSUBSCRIBE' },
  shard: { subscribe: 'SSUBSCRIBE', unsubscribe: 'SUNSUBSCRIBE' },
} as const;
/** The kind a confirmation or unsubscribe frame is about. */
const FRAME_KINDS: Record<string, SubscriptionKind> = {
  subscribe: 'channel', psubscribe: 'pattern', ssubscribe: 'shard',
  unsubscribe: 'channel', punsubscribe: 'pattern', sunsubscribe: 'shard',
};

/**
 * Pub/sub on one connection of its own, opened on the first subscribe() and kept while the
 * pool lives. SUBSCRIBE and its kin get no reply in the queue's sense: they are written with
 * `sendNoReply` and their confirmations come back as frames (RESP2 arrays or RESP3 pushes)
 * through `hooks.push`, like the messages.
 *
 * ```
 *  subscribe() ──> registry ──(first listener of a channel)──> SUBSCRIBE ch
 *  frames: ['subscribe', ch, n] ──> that subscription's confirmation
 *          ['message', ch, payload] ──> every entry under ch
 *  reconnect ('ready' again) ──> SUBSCRIBE every channel of the registry ──> 'restored'
 * ```
 */
export class PubSub implements SubscriptionOwner {
  readonly #host: PubSubHost;
  readonly #registry = new Registry();
  /** UNSUBSCRIBE confirmations awaited, by "kind name". */
  readonly #unsubscribing = new Map<string, (() => void)[]>();
  #connection: Connection | null = null;
  #closing: Promise<void> | null = null;

  constructor(host: PubSubHost) {
    this.#host = host;
  }

  /** Subscribes `listener` to channels or patterns; resolves once the server confirmed them. */
  async subscribe(
    kind: SubscriptionKind,
    channels: string | readonly string[],
    listener: MessageListener,
    options?: SubscribeOptions,
  ): Promise<Subscription> {
    this.#host.checkOpen();
    if (this.#closing !== null) throw new PoolClosedError();
    const names = channelList(channels);
    if (typeof listener !== 'function') throw new TypeError('subscribe needs a listener function');
    const subscription = new SubscriptionHandle(this, kind, names);
    const entry: Entry = { listener, buffers: options?.returnBuffers === true, subscription };
    this.#registry.add(kind, names, entry);
    subscription.expectAll();
    const connection = this.#connect();
    // Sent even for channels already subscribed: the server confirms again, which is this
    // subscription's own proof that messages flow. Not ready: the 'ready' hook sends it.
    connection.sendNoReply([COMMANDS[kind].subscribe, ...names]);
    const timeout = options?.timeout ?? DEFAULT_TIMEOUT;
    try {
      await withTimeout(subscription.confirmed, timeout, () =>
        new TimeoutError(`the server did not confirm ${COMMANDS[kind].subscribe} within ${timeout} ms` +
          `${connection.lastError !== null ? ` (last error: ${connection.lastError.message})` : ''}`));
    } catch (err) {
      await this.#drop(subscription, entry, err as Error);
      throw err;
    }
    return subscription;
  }

  /** @internal Subscription.unsubscribe() */
  unsubscribe(subscription: SubscriptionHandle): Promise<void> {
    const entry = this.#entryOf(subscription);
    return entry === undefined ? Promise.resolve() : this.#drop(subscription, entry);
  }

  /** Closes the subscriber connection; subscriptions end without events. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    const closed = new PoolClosedError();
    for (const subscription of this.#registry.subscriptions()) subscription.close(closed);
    this.#registry.clear();
    this.#settleUnsubscribes();
    const connection = this.#connection;
    this.#connection = null;
    await connection?.close();
  }

  // ── bookkeeping ─────────────────────────────────────────────────────────────────────

  #connect(): Connection {
    this.#connection ??= this.#host.connect(this.#hooks());
    return this.#connection;
  }

  #entryOf(subscription: SubscriptionHandle): Entry | undefined {
    const entries = this.#registry.get(subscription.kind, subscription.channels[0]!);
    if (entries === undefined) return undefined;
    for (const entry of entries) if (entry.subscription === subscription) return entry;
    return undefined;
  }

  /** Takes a subscription out; unsubscribes, on the server, the channels nobody else wants. */
  async #drop(subscription: SubscriptionHandle, entry: Entry, err?: Error): Promise<void> {
    subscription.close(err);
    const { kind } = subscription;
    const orphaned = this.#registry.remove(kind, subscription.channels, entry);
    const connection = this.#connection;
    if (orphaned.length === 0 || connection === null) return;
    const confirmations = orphaned.map((name) => this.#awaitUnsubscribe(kind, name));
    if (!connection.sendNoReply([COMMANDS[kind].unsubscribe, ...orphaned])) {
      // Not connected: the server holds no subscription, and the next 'ready' will not ask.
      this.#settleUnsubscribes();
      return;
    }
    await Promise.all(confirmations);
  }

  #awaitUnsubscribe(kind: SubscriptionKind, name: string): Promise<void> {
    const key = `${kind} ${name}`;
    return new Promise((resolve) => {
      const waiting = this.#unsubscribing.get(key);
      if (waiting === undefined) this.#unsubscribing.set(key, [resolve]);
      else waiting.push(resolve);
    });
  }

  /** Releases every unsubscribe() waiting for a confirmation (or only those for `key`). */
  #settleUnsubscribes(key?: string): void {
    const keys = key === undefined ? [...this.#unsubscribing.keys()] : [key];
    for (const k of keys) {
      const waiting = this.#unsubscribing.get(k);
      this.#unsubscribing.delete(k);
      if (waiting !== undefined) for (const resolve of waiting) resolve();
    }
  }

  // ── what the connection reports ─────────────────────────────────────────────────────

  #hooks(): ConnectionHooks {
    return {
      ready: (connection) => this.#resubscribe(connection),
      reconnecting: (_connection, _delay, _attempt, cause) => this.#lost(cause),
      end: (connection, cause) => this.#ended(connection, cause),
      push: (_connection, frame) => this.#frame(frame),
      // A subscriber connection never runs blocking commands.
      unblock: () => undefined,
    };
  }

  /** (Re)connected: the server knows nothing of us, so subscribe to everything again. */
  #resubscribe(connection: Connection): void {
    for (const subscription of this.#registry.subscriptions()) subscription.expectAll();
    for (const kind of ['channel', 'pattern'] as const) {
      const names = this.#registry.names(kind);
      for (let i = 0; i < names.length; i += RESUBSCRIBE_CHUNK) {
        connection.sendNoReply([COMMANDS[kind].subscribe, ...names.slice(i, i + RESUBSCRIBE_CHUNK)]);
      }
    }
    // Shard channels of one SSUBSCRIBE must share a slot: each subscription's own (one slot,
    // as the server accepted them) go together.
    const sent = new Set<string>();
    for (const subscription of this.#registry.subscriptions()) {
      if (subscription.kind !== 'shard') continue;
      const names = subscription.channels.filter((name) => !sent.has(name));
      for (const name of names) sent.add(name);
      if (names.length > 0) connection.sendNoReply([COMMANDS.shard.subscribe, ...names]);
    }
  }

  #lost(cause: Error): void {
    // The old socket's subscriptions died with it: nothing is left to unsubscribe.
    this.#settleUnsubscribes();
    for (const subscription of this.#registry.subscriptions()) subscription.lost(cause);
  }

  /** The connection ended for good: subscribing waits fail; a later subscribe() reconnects. */
  #ended(connection: Connection, cause: Error | null): void {
    if (connection !== this.#connection) return;
    this.#connection = null;
    this.#settleUnsubscribes();
    if (cause === null) return;
    // Live subscriptions stay registered: the next subscribe() opens a connection that
    // restores them. Those not yet confirmed reject; their subscribe() drops them.
    for (const subscription of this.#registry.subscriptions()) {
      subscription.lost(cause);
      subscription.failPending(cause);
    }
  }

  #frame(frame: Reply[]): void {
    const type = text(frame[0]);
    switch (type) {
      case 'message':
        this.#deliver(this.#registry.get('channel', text(frame[1])), text(frame[1]), frame[2]);
        return;
      case 'pmessage':
        this.#deliver(this.#registry.get('pattern', text(frame[1])), text(frame[2]), frame[3], text(frame[1]));
        return;
      case 'smessage':
        this.#deliver(this.#registry.get('shard', text(frame[1])), text(frame[1]), frame[2]);
        return;
      case 'subscribe':
      case 'psubscribe':
      case 'ssubscribe': {
        const name = text(frame[1]);
        const entries = this.#registry.get(FRAME_KINDS[type]!, name);
        if (entries !== undefined) for (const entry of entries) entry.subscription.confirm(name);
        return;
      }
      case 'unsubscribe':
      case 'punsubscribe':
      case 'sunsubscribe':
        this.#unsubscribed(FRAME_KINDS[type]!, text(frame[1]));
        return;
      case 'error':
        this.#refused(frame[1] as Error);
        return;
    }
  }

  /**
   * An unsubscribe confirmation, or (nobody asked) the server ending a subscription by itself:
   * Redis Cluster does so for shard channels whose slot moved away (SUNSUBSCRIBE frames).
   */
  #unsubscribed(kind: SubscriptionKind, name: string): void {
    const key = `${kind} ${name}`;
    if (this.#unsubscribing.has(key)) {
      this.#settleUnsubscribes(key);
      return;
    }
    const entries = this.#registry.get(kind, name);
    if (entries === undefined) return;
    const cause = new ConnectionError(`the server ended the subscription to '${name}' (its slot moved)`);
    for (const entry of entries) entry.subscription.ended(cause);
  }

  /**
   * The server refused a SUBSCRIBE kin (MOVED for an SSUBSCRIBE sent to a node that no longer
   * serves the slot). The frame does not say which: every subscription awaiting a confirmation
   * fails (a first subscribe rejects; a live one is told it was lost), and unsubscribes
   * awaiting one stop waiting.
   */
  #refused(error: Error): void {
    // An UNSUBSCRIBE kin refused (SUNSUBSCRIBE of a slot this node lost) will not be confirmed.
    this.#settleUnsubscribes();
    for (const subscription of this.#registry.subscriptions()) {
      if (!subscription.awaiting) continue;
      subscription.failPending(error);
      subscription.ended(error);
    }
  }

  /** Hands one message to each listener, converting the payload once per wanted form. */
  #deliver(entries: Set<Entry> | undefined, channel: string, payload: Reply | undefined, pattern?: string): void {
    if (entries === undefined) return;
    let asText: string | undefined;
    let asBuffer: Buffer | undefined;
    for (const entry of entries) {
      const message = entry.buffers ? (asBuffer ??= buffer(payload)) : (asText ??= text(payload));
      try {
        entry.listener(message, channel, pattern);
      } catch (err) {
        entry.subscription.listenerFailed(err);
      }
    }
  }
}

function channelList(channels: string | readonly string[]): string[] {
  const names = typeof channels === 'string' ? [channels] : [...channels];
  if (names.length === 0 || names.some((name) => typeof name !== 'string')) {
    throw new TypeError('subscribe needs a channel name or a non-empty array of them');
  }
  return [...new Set(names)];
}

function text(value: Reply | undefined): string {
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  return value === null || value === undefined ? '' : String(value);
}

function buffer(value: Reply | undefined): Buffer {
  return Buffer.isBuffer(value) ? value : Buffer.from(text(value), 'utf8');
}

/** Resolves or rejects as `promise` does, or rejects with `onTimeout()` after `ms` (0: never). */
async function withTimeout<T>(promise: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  if (ms <= 0) return promise;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}
