import type { Connection } from '../connection/connection.js';
import type { ServerTarget } from '../diagnostics/channels.js';
import { serverTarget } from '../diagnostics/trace.js';
import { ConnectionError, RedisError } from '../errors.js';
import type { Locator, LocatorEvents } from './locator.js';
import type { Router } from './router.js';

/** What the follower needs from its pool. */
export interface FollowerHost {
  readonly router: Router;
  /** Every connection open or opening: pooled, leased, subscriber. */
  readonly connections: ReadonlySet<Connection>;
  /** The pool's trace target, updated in place to name the node found. */
  readonly target: ServerTarget;
  readonly db: number;
  emit(event: string, payload: unknown): void;
  reportError(error: Error): void;
}

/**
 * The pool's side of a {@link Locator}: turns what the locator reports into pool actions and
 * events. A move relocates every connection the locator no longer accepts (shared rotation,
 * exclusive leases, the subscriber): commands in flight there fail with ConnectionError (they
 * may have run), commands not yet written follow to the new node.
 */
export class Follower implements LocatorEvents {
  readonly #locator: Locator;
  readonly #host: FollowerHost;
  #found = false;

  constructor(locator: Locator, host: FollowerHost) {
    this.#locator = locator;
    this.#host = host;
  }

  found(address: string): void {
    this.#found = true;
    this.#traceAt(address);
    this.#host.router.clearFatal();
    this.#host.emit('discovered', { address });
  }

  recovered(address: string): void {
    this.#host.emit('discovered', { address });
  }

  moved(from: string, to: string): void {
    this.#traceAt(to);
    this.#relocate(`the primary moved from ${from} to ${to}`);
    this.#host.emit('failover', { from, to });
  }

  changed(): void {
    this.#relocate('the node left the set of usable nodes');
  }

  failed(error: Error, attempt: number, delay: number): void {
    // Before any answer nobody can be served: waiting commands fail with the reason now, later
    // ones fail fast until a round succeeds. After that the last known node is kept and
    // connections retry it with backoff (commands wait, bounded by acquireTimeout).
    if (!this.#found && error instanceof RedisError) {
      this.#host.router.setFatal(error, delay);
      this.#host.router.failWaiting(error);
    }
    this.#host.emit('discoveryError', { error, attempt, delay });
    this.#host.reportError(error);
  }

  #relocate(why: string): void {
    for (const connection of this.#host.connections) {
      if (!this.#locator.accepts(connection.address)) connection.relocate(new ConnectionError(why));
    }
  }

  /** Traces name the node found (their network.peer.* fields name the node a command used). */
  #traceAt(address: string): void {
    const colon = address.lastIndexOf(':');
    const host = address.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
    Object.assign(this.#host.target, serverTarget({ host, port: Number(address.slice(colon + 1)), db: this.#host.db }));
  }
}
