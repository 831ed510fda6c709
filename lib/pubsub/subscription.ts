import { EventEmitter } from 'node:events';
import type { SubscriptionKind } from './registry.js';

/**
 * What `pool.subscribe()` and `pool.psubscribe()` resolve to: one call's channels (or patterns)
 * and listener, live until {@link Subscription.unsubscribe}.
 *
 * Events:
 * - `'lost'` `(cause: Error)`: the subscriber connection dropped; messages published until
 *   `'restored'` are missed.
 * - `'restored'`: after a reconnect, the server confirmed every channel of this subscription
 *   again (respool re-subscribes by itself).
 * - `'error'` `(err: Error)`: the listener threw. Without an `'error'` listener the exception
 *   is rethrown on the next tick (an uncaught exception, as from any event listener), so a
 *   throwing listener can never corrupt the connection that delivered the message.
 */
export interface Subscription extends EventEmitter {
  readonly kind: SubscriptionKind;
  readonly channels: readonly string[];
  /**
   * Stops this listener at once; channels no other subscription listens to are unsubscribed
   * on the server, and the promise resolves when the server confirmed it. Idempotent.
   */
  unsubscribe(): Promise<void>;
}

/** What a subscription needs from the pub/sub layer that made it. */
export interface SubscriptionOwner {
  unsubscribe(subscription: SubscriptionHandle): Promise<void>;
}

/**
 * The implementation of {@link Subscription}, with the confirmation bookkeeping: a subscription
 * is live once the server confirmed each of its channels, and restored after a reconnect once
 * it confirmed them all again.
 */
export class SubscriptionHandle extends EventEmitter implements Subscription {
  readonly kind: SubscriptionKind;
  readonly channels: readonly string[];
  readonly #owner: SubscriptionOwner;
  /** Channels whose confirmation is awaited, or null when none is. */
  #awaiting: Set<string> | null = null;
  #live = false;
  /** Lost and not yet restored: 'lost' is told once per outage. */
  #down = false;
  #closed = false;
  #settle: { resolve: () => void; reject: (err: Error) => void } | null = null;
  /** Settles when the server first confirmed every channel (or the attempt failed). */
  readonly confirmed: Promise<void>;

  constructor(owner: SubscriptionOwner, kind: SubscriptionKind, channels: readonly string[]) {
    super();
    this.#owner = owner;
    this.kind = kind;
    this.channels = channels;
    this.confirmed = new Promise((resolve, reject) => (this.#settle = { resolve, reject }));
  }

  get closed(): boolean {
    return this.#closed;
  }

  unsubscribe(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return this.#owner.unsubscribe(this);
  }

  /** @internal a SUBSCRIBE for every channel was just sent (first time or after a reconnect) */
  expectAll(): void {
    if (!this.#closed) this.#awaiting = new Set(this.channels);
  }

  /** @internal the server confirmed `name` */
  confirm(name: string): void {
    const awaiting = this.#awaiting;
    if (awaiting === null || !awaiting.delete(name) || awaiting.size > 0) return;
    this.#awaiting = null;
    if (this.#live) {
      this.#down = false;
      this.emit('restored');
      return;
    }
    this.#live = true;
    this.#settle?.resolve();
    this.#settle = null;
  }

  /** @internal the connection dropped: confirmations in flight will never come */
  lost(cause: Error): void {
    this.#awaiting = null;
    if (!this.#live || this.#closed || this.#down) return;
    this.#down = true;
    this.emit('lost', cause);
  }

  /** @internal true while a confirmation is awaited */
  get awaiting(): boolean {
    return this.#awaiting !== null;
  }

  /**
   * @internal the server ended (or refused) this subscription on a connection that stays up:
   * 'lost', and an `'ended'` event for an owner that can subscribe elsewhere (the cluster).
   */
  ended(cause: Error): void {
    this.lost(cause);
    if (!this.#closed) this.emit('ended', cause);
  }

  /** @internal the connection ended for good: a subscribe() still waiting rejects */
  failPending(err: Error): void {
    if (this.#live || this.#settle === null) return;
    this.#settle.reject(err);
    this.#settle = null;
  }

  /** @internal taken out of the registry: no more messages, no more events */
  close(err?: Error): void {
    this.#closed = true;
    this.#awaiting = null;
    if (this.#settle !== null && err !== undefined) this.#settle.reject(err);
    this.#settle = null;
  }

  /** @internal the listener threw */
  listenerFailed(err: unknown): void {
    if (this.listenerCount('error') > 0) this.emit('error', err);
    else process.nextTick(rethrow, err);
  }
}

function rethrow(err: unknown): never {
  throw err;
}
