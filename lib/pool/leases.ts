import type { Pool as GenericPool } from 'generic-pool';
import { ConnectionError, PoolClosedError, RedisError, TimeoutError } from '../errors.js';
import type { Connection } from '../connection/connection.js';
import type { Deadlines } from '../connection/deadlines.js';
import { Pending } from '../connection/pending.js';
import { poolWaitChannel } from '../diagnostics/channels.js';
import { publishPoolWait } from '../diagnostics/trace.js';
import { encodeCommand } from '../resp/encoder.js';
import type { Command } from '../resp/types.js';
import { commandName } from './command-kinds.js';
import type { SessionState } from './handle.js';
import type { Router } from './router.js';
import { Waitlist } from './waitlist.js';

export interface LeaseConfig {
  size: number;
  db: number;
  address: string;
  acquireTimeout: number;
  connectTimeout: number;
  maxPending: number;
  name?: string;
}

/**
 * Exclusive leases: connections a `use` handle (MULTI, WATCH, SELECT) or a blocking command has
 * to itself, borrowed from generic-pool and given back clean.
 *
 * At most `size - 1` leases are out at once (when size > 1): the last connection always stays
 * in the router's shared rotation, so blocking commands and transactions can never starve
 * everyone else's commands. Callers past that wait in a {@link Waitlist}.
 *
 * ```
 *  acquire() ──slot──> generic-pool acquire ──(pool full: router hands one back)──> lease
 *  release(state) ──> DISCARD / UNWATCH / SELECT db ──> generic-pool release
 *                 └─> poisoned, still blocked, closed ──> generic-pool destroy (replaced)
 * ```
 */
export class Leases {
  readonly #gp: GenericPool<Connection>;
  readonly #router: Router;
  readonly #deadlines: Deadlines;
  readonly #config: LeaseConfig;
  readonly #max: number;
  readonly #slots: Waitlist;
  /** Leases out, plus slots handed to a waiter that has not acquired yet. */
  #count = 0;
  /** Connections out on lease (to end blocked commands when the pool closes). */
  readonly #leased = new Set<Connection>();

  constructor(gp: GenericPool<Connection>, router: Router, deadlines: Deadlines, config: LeaseConfig) {
    this.#gp = gp;
    this.#router = router;
    this.#deadlines = deadlines;
    this.#config = config;
    this.#max = config.size > 1 ? config.size - 1 : 1;
    this.#slots = new Waitlist(config.acquireTimeout, config.maxPending, () =>
      new TimeoutError(`no connection of its own became free within ${config.acquireTimeout} ms`));
  }

  get count(): number {
    return this.#count;
  }

  /** A connection of the caller's own; the wait is published on respool:pool:wait when someone listens. */
  async acquire(): Promise<Connection> {
    if (!poolWaitChannel.hasSubscribers) return this.#acquire();
    const startedAt = performance.now();
    try {
      const connection = await this.#acquire();
      publishPoolWait(this.#config, startedAt, undefined);
      return connection;
    } catch (err) {
      publishPoolWait(this.#config, startedAt, err as Error);
      throw err;
    }
  }

  async #acquire(): Promise<Connection> {
    // A slot handed over by take() is already counted.
    if (this.#count >= this.#max) await this.#slots.take();
    else this.#count++;
    const acquired = this.#gp.acquire();
    this.#router.makeRoomForLease();
    let connection: Connection;
    try {
      connection = await acquired;
    } catch (err) {
      this.#ended();
      throw this.#acquireFailed(err as Error);
    }
    this.#leased.add(connection);
    return connection;
  }

  /** Undoes what a handle left on its connection, or replaces the connection. Never throws. */
  async release(connection: Connection, state: SessionState, lostAt: number): Promise<void> {
    this.#leased.delete(connection);
    this.#ended();
    const usable =
      connection.state !== 'closed' && !state.poisoned && connection.blockingInFlight === 0;
    if (!usable) {
      await this.#gp.destroy(connection).catch(ignore);
      return;
    }
    // A socket lost during the lease took its session with it: nothing to undo.
    if (connection.lostCount === lostAt) {
      const reset: Command[] = [];
      if (state.multi) reset.push(['DISCARD']);
      else if (state.watching) reset.push(['UNWATCH']);
      if (state.db !== null && state.db !== this.#config.db) reset.push(['SELECT', this.#config.db]);
      if (state.named) reset.push(['CLIENT', 'SETNAME', this.#config.name ?? '']);
      if (reset.length > 0 && !(await this.#reset(connection, reset))) {
        await this.#gp.destroy(connection).catch(ignore);
        return;
      }
    }
    await this.#gp.release(connection).catch(ignore);
  }

  /** The pool is closing: blocked commands stop waiting, waiters for a slot are refused. */
  close(): void {
    for (const connection of this.#leased) {
      if (connection.blockingInFlight > 0) {
        connection.destroy(new PoolClosedError('The pool was closed while a blocking command waited'));
      }
    }
    this.#slots.failAll(new PoolClosedError());
  }

  #ended(): void {
    if (!this.#slots.give()) this.#count--;
  }

  #acquireFailed(err: Error): RedisError {
    if (err instanceof RedisError) return err;
    if (err.name === 'TimeoutError') {
      return new TimeoutError(
        `no connection to ${this.#config.address} became free within ${this.#config.acquireTimeout} ms`,
        { cause: err },
      );
    }
    if (/draining/.test(err.message)) return new PoolClosedError();
    return new ConnectionError(err.message, { cause: err });
  }

  /** @returns false when the connection could not be reset and must be replaced */
  async #reset(connection: Connection, commands: Command[]): Promise<boolean> {
    const results = await Promise.all(commands.map((command) => {
      const pending = new Pending(encodeCommand(command), commandName(command), false);
      const promise = pending.promise();
      pending.pinned = true;
      pending.timeout = Math.max(this.#config.connectTimeout, 1000);
      pending.deadline = Date.now() + pending.timeout;
      this.#deadlines.add(pending);
      connection.send(pending);
      // "DISCARD without MULTI" is fine: the transaction is over either way.
      return promise.then(() => true, (err: Error) => err.name === 'ReplyError');
    }));
    return results.every(Boolean);
  }
}

function ignore(): void {}
