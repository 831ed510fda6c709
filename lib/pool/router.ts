import type { Pool as GenericPool } from 'generic-pool';
import {
  ConnectionError,
  PoolClosedError,
  QueueFullError,
  RedisError,
  TimeoutError,
} from '../errors.js';
import type { Connection } from '../connection/connection.js';
import type { Deadlines } from '../connection/deadlines.js';
import { Fifo } from '../connection/fifo.js';
import type { Pending } from '../connection/pending.js';

/**
 * Add a connection to the rotation once every one has this many commands in flight.
 * Two forces set it. Fewer, fuller sockets mean fewer syscalls per command (10 callers spread
 * over 8 sockets made one `write` per command: 49k ops/s where one socket gave 161k). But on
 * one socket the client and Redis take turns: Redis answers the whole batch, the client
 * handles every reply and writes the next batch while Redis waits, so neither is ever busy
 * more than part of the time (200 callers on one socket: the client's process used 0.6 of a
 * core). With two or more sockets busy one batch is served while the client handles another.
 * Scratch runs on 2 vCPUs, 200 callers, GET/SET 64 B, alternating (2026-12-07): growing at 256
 * gave 250-290k ops/s at 0.6 of a core, at 64 430-520k at 1.0; at 10 callers both stay on one
 * socket. On another day's host 256 (~0.7M, 1 socket) beat 16 (~0.5M, 8 sockets): 64 sits
 * between, keeping batches of tens of commands while two or more sockets alternate.
 */
const GROW_AT = 64;
const TIER = 1e12;
const CONNECTING = TIER;
const HEAVY = 2 * TIER;
const NOT_READY = 3 * TIER;
/** After a failed attempt to add a connection, heavy ones are used as they are for this long. */
const HEAVY_RETRY_MS = 1000;

export interface RouterConfig {
  size: number;
  maxPending: number;
  acquireTimeout: number;
}

/**
 * Routes stateless commands over a set of shared, pipelined connections: each command goes to
 * the first connection in rotation with room (fewer than GROW_AT in flight, no large transfer),
 * else to the least busy one; a pipeline goes to the least busy one.
 *
 * The router is a long-lived borrower of the generic pool: it acquires connections to put in
 * its rotation, growing up to `size` as load rises, and gives one back when an exclusive
 * borrower (a `use` handle in MULTI, a BLPOP) is waiting and the pool is exhausted. It keeps
 * at least one connection while `size` > 1, so shared traffic never waits behind leases.
 *
 * ```
 *   dispatch() ──> first with room of [c1 c2 c3], else least busy  (sticky for a `use` handle: bind())
 *        │ none yet, or only heavy ones while another is being added
 *        └──> waiting (FIFO) ──> next connection acquired
 *
 *   exclusive waiter + pool exhausted ──> retire(c3): out of rotation, no new binds;
 *        once no handle is bound to c3 ──> generic-pool release ──> the waiter gets c3
 * ```
 */
export class Router {
  readonly #gp: GenericPool<Connection>;
  readonly #config: RouterConfig;
  readonly #deadlines: Deadlines;
  /** Connections in rotation. Small (<= size): linear scans beat any structure. */
  #active: Connection[] = [];
  #retiring: Connection | null = null;
  readonly #waiting = new Fifo<Pending>();
  #acquiring = false;
  #closed = false;
  /**
   * Set when a connection ended with an error retrying cannot fix (a refused password): while
   * no connection is up, new commands fail fast with it instead of waiting out a timeout.
   */
  #fatal: RedisError | null = null;
  /** When the next connection attempt is allowed after a fatal error (the fix may be deployed). */
  #retryAt = 0;
  /** Until then, a heavy connection is used rather than waited out (adding one just failed). */
  #heavyUntil = 0;

  constructor(gp: GenericPool<Connection>, config: RouterConfig, deadlines: Deadlines) {
    this.#gp = gp;
    this.#config = config;
    this.#deadlines = deadlines;
  }

  get connections(): readonly Connection[] {
    return this.#active;
  }
  get waiting(): number {
    return this.#waiting.length;
  }

  /** Sends one stateless command on a shared connection (see pick). */
  dispatch(pending: Pending): void {
    const connection = this.pick();
    if (connection !== null) connection.send(pending);
    else this.#wait(pending);
  }

  /** Sends commands back to back on one connection, so nothing can come between them. */
  dispatchAll(pendings: Pending[]): void {
    // A pipeline is a large transfer itself: it never waits for a fresh connection.
    const connection = this.pick(false);
    for (const pending of pendings) {
      if (connection !== null) connection.send(pending);
      else this.#wait(pending);
    }
  }

  /**
   * The least busy connection in rotation (ready ones first, heavy ones last), or null when
   * there is none yet, or when every one is busy with a large transfer and a new connection is
   * on its way (the command then waits for it: a PING should not queue behind 500 MB of GET
   * replies). Grows the rotation when everything is busy and the pool has room.
   */
  pick(avoidHeavy = true): Connection | null {
    if (avoidHeavy) {
      const first = this.#firstWithRoom();
      if (first !== null) return first;
    }
    const best = this.#leastBusy(avoidHeavy);
    if (best === null) {
      this.#grow();
      return null;
    }
    const inFlight = best.inFlight;
    const state = best.state;
    if (state === 'ready') {
      if (inFlight < GROW_AT) {
        if (inFlight === 0 || !best.heavy(this.#clock())) return best;
        this.#grow();
        // Every connection is in a large transfer: wait for the one being added, unless adding
        // one just failed.
        if (avoidHeavy && this.#acquiring && Date.now() >= this.#heavyUntil) return null;
        return best;
      }
    } else if (state === 'connecting' && inFlight < GROW_AT) {
      // A first connect finishes soon: no reason to open another yet.
      return best;
    }
    this.#grow();
    return best;
  }

  /**
   * First fit: the first ready connection with fewer than GROW_AT commands in flight that is
   * not in a large transfer. Commands concentrate on as few sockets as the load needs, so each
   * write and each read carries many of them. Least-busy spreading looked fair but, once the
   * rotation had grown (a burst, or a 50 ms stall on a loaded machine), it split 10 callers
   * over 8 sockets: one command per write syscall, 49k ops/s where one socket gave 161k.
   */
  #firstWithRoom(): Connection | null {
    const active = this.#active;
    for (let i = 0; i < active.length; i++) {
      const connection = active[i]!;
      const inFlight = connection.inFlight;
      if (inFlight >= GROW_AT || connection.state !== 'ready') continue;
      if (inFlight === 0 || !connection.heavy(this.#clock())) return connection;
    }
    return null;
  }

  #leastBusy(avoidHeavy: boolean): Connection | null {
    const active = this.#active;
    let best: Connection | null = null;
    let bestLoad = Infinity;
    for (let i = 0; i < active.length; i++) {
      const connection = active[i]!;
      const load = this.#load(connection, avoidHeavy);
      if (load < bestLoad) {
        best = connection;
        bestLoad = load;
      }
    }
    return best;
  }

  #load(connection: Connection, avoidHeavy: boolean): number {
    const inFlight = connection.inFlight;
    const state = connection.state;
    // A connection that is not ready only holds commands: prefer any ready one.
    if (state !== 'ready') return inFlight + (state === 'connecting' ? CONNECTING : NOT_READY);
    return avoidHeavy && inFlight > 0 && connection.heavy(this.#clock()) ? inFlight + HEAVY : inFlight;
  }

  /** Date.now(), read once per tick: a router picks for hundreds of commands in one tick. */
  #clock(): number {
    if (this.#now === 0) {
      this.#now = Date.now();
      process.nextTick(resetClock, this);
    }
    return this.#now;
  }
  #now = 0;

  /** @internal */
  resetClock(): void {
    this.#now = 0;
  }

  /** Binds a `use` handle to one connection so its commands keep their order. */
  bind(): Connection | null {
    const connection = this.pick();
    if (connection !== null) connection.boundHandles++;
    return connection;
  }

  /** True while `connection` is in rotation or retiring (not yet back in the generic pool). */
  holds(connection: Connection): boolean {
    return connection === this.#retiring || this.#active.includes(connection);
  }

  unbind(connection: Connection): void {
    const count = --connection.boundHandles;
    if (count === 0 && connection === this.#retiring) this.#handBack(connection);
  }

  /**
   * Resolves once the rotation has a connection (for a handle that must bind before it can
   * send), or once the connection being added for a handle that found only heavy ones is
   * there; rejects when none can come (closed, fatal error, acquire timeout).
   */
  async whenAvailable(): Promise<void> {
    while (this.#active.length === 0 || this.#acquiring) {
      if (this.#closed) throw new PoolClosedError();
      if (this.#active.length === 0) {
        if (this.#fatal !== null && !this.#mayRetry()) throw this.#fatal;
        this.#grow();
      }
      const failure = await new Promise<RedisError | null>((resolve) => this.#onAdded.push(resolve));
      if (failure !== null && this.#active.length === 0) throw failure;
    }
  }
  #onAdded: ((failure: RedisError | null) => void)[] = [];

  /**
   * An exclusive borrower waits and the pool is exhausted: take one connection out of rotation
   * and give it back to the pool as soon as no handle is bound to it.
   */
  makeRoomForLease(): void {
    const gp = this.#gp;
    if (this.#retiring !== null || gp.available > 0 || gp.size < gp.max) return;
    if (this.#active.length === 0 || (this.#active.length === 1 && this.#config.size > 1)) return;
    let victim = this.#active[0]!;
    for (const connection of this.#active) {
      if (connection.boundHandles < victim.boundHandles) victim = connection;
    }
    this.#active = this.#active.filter((c) => c !== victim);
    this.#retiring = victim;
    if (victim.boundHandles === 0) this.#handBack(victim);
  }

  #handBack(connection: Connection): void {
    this.#retiring = null;
    this.#gp.release(connection).catch(() => undefined);
  }

  /** A connection ended for good: drop it everywhere and let the pool replace it. */
  remove(connection: Connection): void {
    const held = this.#active.includes(connection) || this.#retiring === connection;
    this.#active = this.#active.filter((c) => c !== connection);
    if (this.#retiring === connection) this.#retiring = null;
    if (held && this.#gp.isBorrowedResource(connection)) {
      this.#gp.destroy(connection).catch(() => undefined);
    }
    if (this.#active.length === 0 && this.#fatal !== null) this.failWaiting(this.#fatal);
  }

  /** A connection ended with an unretryable error; the next attempt waits `retryDelay` ms. */
  setFatal(err: RedisError, retryDelay: number): void {
    this.#fatal = err;
    this.#retryAt = Date.now() + retryDelay;
  }

  /** A connection is up: the fatal error is over. */
  clearFatal(): void {
    this.#fatal = null;
  }

  /** True once per backoff period: the caller makes one connection attempt. */
  #mayRetry(): boolean {
    if (Date.now() < this.#retryAt) return false;
    this.#retryAt = Infinity; // until that attempt ends (setFatal or clearFatal)
    return true;
  }

  #grow(): void {
    const gp = this.#gp;
    if (this.#acquiring || this.#closed) return;
    if (this.#active.length >= this.#config.size) return;
    // Others wait for a lease: growing would take the connection they are waiting for.
    if (this.#active.length > 0 && (gp.pending > 0 || (gp.available === 0 && gp.size >= gp.max))) {
      return;
    }
    this.#acquiring = true;
    gp.acquire().then(
      (connection) => this.#add(connection),
      (err: Error) => {
        this.#acquiring = false;
        if (this.#active.length === 0) {
          this.failWaiting(this.#acquireError(err));
          return;
        }
        // Commands that waited to avoid a heavy connection: use what there is.
        this.#heavyUntil = Date.now() + HEAVY_RETRY_MS;
        const best = this.#leastBusy(false)!;
        for (let p = this.#waiting.shift(); p !== undefined; p = this.#waiting.shift()) {
          if (!p.settled) best.send(p);
        }
        this.#wake(null);
      },
    );
  }

  /** generic-pool's own errors, as ours. */
  #acquireError(err: Error): RedisError {
    if (err instanceof RedisError) return err;
    if (err.name === 'TimeoutError') {
      return new TimeoutError(`no connection became free within ${this.#config.acquireTimeout} ms`, { cause: err });
    }
    if (this.#closed || /draining/.test(err.message)) return new PoolClosedError();
    return new ConnectionError(err.message, { cause: err });
  }

  #add(connection: Connection): void {
    this.#acquiring = false;
    if (this.#closed) {
      this.#gp.release(connection).catch(() => undefined);
      return;
    }
    this.#active.push(connection);
    connection.boundHandles = 0;
    for (let p = this.#waiting.shift(); p !== undefined; p = this.#waiting.shift()) {
      if (!p.settled) connection.send(p);
    }
    this.#wake(null);
  }

  #wake(failure: RedisError | null): void {
    const resolvers = this.#onAdded;
    this.#onAdded = [];
    for (const resolve of resolvers) resolve(failure);
  }

  #wait(pending: Pending): void {
    if (this.#fatal !== null) {
      // Fail fast, and let one new connection try again once the backoff has passed.
      if (this.#mayRetry()) this.#grow();
      pending.fail(this.#fatal);
      return;
    }
    if (this.#closed) {
      pending.fail(new PoolClosedError());
      return;
    }
    if (this.#waiting.length >= this.#config.maxPending) {
      pending.fail(new QueueFullError(`${this.#waiting.length} commands already wait for a connection (maxPending)`));
      return;
    }
    if (this.#config.acquireTimeout > 0 && pending.queueDeadline === 0) {
      pending.queueDeadline = Date.now() + this.#config.acquireTimeout;
      if (pending.deadline === 0) this.#deadlines.add(pending);
    }
    this.#waiting.push(pending);
  }

  failWaiting(err: RedisError): void {
    for (let p = this.#waiting.shift(); p !== undefined; p = this.#waiting.shift()) p.fail(err);
    this.#wake(err);
  }

  /** The pool is closing: a `use` handle's WAIT on a shared connection stops waiting. */
  endBlocked(): void {
    for (const connection of this.#active) {
      if (connection.blockingInFlight > 0) {
        connection.destroy(new PoolClosedError('The pool was closed while a blocking command waited'));
      }
    }
  }

  /** Stops routing and returns every held connection to the pool (they finish in flight). */
  close(): void {
    this.#closed = true;
    this.failWaiting(new PoolClosedError());
    const held = this.#retiring !== null ? [...this.#active, this.#retiring] : this.#active;
    this.#active = [];
    this.#retiring = null;
    for (const connection of held) this.#gp.release(connection).catch(() => undefined);
  }
}

function resetClock(router: Router): void {
  router.resetClock();
}
