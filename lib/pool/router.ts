import type { Pool as GenericPool } from 'generic-pool';
import {
  ConnectionError,
  PoolClosedError,
  QueueFullError,
  RedisError,
  TimeoutError,
} from '../errors.js';
import type { Connection } from '../connection/connection.js';
import { QueueWait, type Deadlines } from '../connection/deadlines.js';
import { Fifo } from '../connection/fifo.js';
import type { Pending } from '../connection/pending.js';
import { ReplyRates } from './reply-rates.js';

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
 * else to the least busy one; a pipeline goes, whole, to the one with the shortest expected
 * wait (commands in flight over its reply rate, see ReplyRates), or waits for the connection
 * being added (see dispatchAll).
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
 *   dispatchAll() ──> shortest expected wait of [c1 c2 c3] with outbox room (one connecting counts)
 *        │ it has GROW_AT in flight and one is being added, or it is connecting and full
 *        └──> batches (FIFO of whole pipelines) ──> placed when one joins, connects or is lost
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
  /** Pipelines waiting, each whole, for a connection being added or finishing its connect. */
  readonly #batches = new Fifo<Pending[]>();
  /** Commands in `#batches`. */
  #batchCommands = 0;
  readonly #rates: ReplyRates;
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

  /** @param rates reply rates on the real clock unless a test steps its own */
  constructor(gp: GenericPool<Connection>, config: RouterConfig, deadlines: Deadlines, rates = new ReplyRates()) {
    this.#gp = gp;
    this.#config = config;
    this.#deadlines = deadlines;
    this.#rates = rates;
  }

  get connections(): readonly Connection[] {
    return this.#active;
  }
  /** Commands waiting for a connection (single ones and those of waiting pipelines). */
  get waiting(): number {
    return this.#waiting.length + this.#batchCommands;
  }

  /** Sends one stateless command on a shared connection (see pick). */
  dispatch(pending: Pending): void {
    const connection = this.pick();
    if (connection !== null) connection.send(pending);
    else this.#wait(pending);
  }

  /**
   * Sends commands back to back on one connection, so nothing can come between them: the one
   * with the shortest expected wait (commands in flight, written or not, over the rate at which
   * it has been answering: ReplyRates) whose outbox can take them all, counting one still making
   * its first connect.
   * The pipeline waits instead, whole, in `#batches` (FIFO; later pipelines queue behind it):
   * - while that connection has GROW_AT in flight and another is being added: the new one takes
   *   it when it joins (#add);
   * - while that connection is still connecting and its outbox cannot take the whole pipeline
   *   (maxPending): the pipeline is placed once it is ready and writes ahead (connectionChanged),
   *   instead of overflowing its outbox, which would fail the commands past maxPending.
   *
   * Why (issue 14): 200 pipelines of 1000 issued in one tick used to land on the one connection
   * the rotation held then (200,000 commands on one socket, which Redis reads at about 1/8 of
   * its rate while it serves 7 others), so their callers waited seconds while later ones cycled
   * in milliseconds. Now each connection takes its share of the burst as it joins.
   *
   * A waiting pipeline is one caller waiting for a connection, against maxPending. (Counting
   * its commands instead, as a first attempt did, refused 189 of those 200 pipelines at once
   * with QueueFullError; callers retrying at once then never let the event loop run, so the new
   * sockets never connected: a livelock.)
   */
  dispatchAll(pendings: Pending[]): void {
    if (this.#batches.length === 0) {
      const connection = this.#forBatch(pendings.length, true);
      if (connection !== null) {
        // Queued until a connect finishes: one deadline for the lot, as in #waitBatch.
        if (connection.state !== 'ready') this.#watch(pendings);
        for (let i = 0; i < pendings.length; i++) connection.send(pendings[i]!);
        return;
      }
    }
    this.#waitBatch(pendings);
    // Normally a connection is on its way; if not (cannot grow, or the one busiest connecting
    // has freed up), place what waits now.
    if (!this.#acquiring) this.#placeBatches(true);
  }

  /**
   * The connection a pipeline of `n` commands goes to now, or null to wait (see dispatchAll).
   * @param mayGrow false after adding a connection failed: use what there is
   */
  #forBatch(n: number, mayGrow: boolean): Connection | null {
    const best = this.#leastBusyForBatch(n);
    if (best === null) {
      if (mayGrow) this.#grow();
      return null;
    }
    const inFlight = best.inFlight;
    if (inFlight >= GROW_AT && mayGrow) {
      this.#grow();
      if (this.#acquiring) return null;
    }
    // Nothing is written before the connect: a full outbox would refuse the commands past
    // maxPending, splitting the pipeline. Its 'ready' places it (connectionChanged).
    if (best.state === 'connecting' && inFlight + n > this.#config.maxPending) return null;
    return best;
  }

  /**
   * Shortest expected wait (commands in flight weighed by the connection's reply rate, see
   * ReplyRates) among those whose outbox can take all `n` commands (its commands past maxPending
   * would be refused), then among the others; one that lost its socket only if nothing else is.
   */
  #leastBusyForBatch(n: number): Connection | null {
    const maxPending = this.#config.maxPending;
    const active = this.#active;
    // Sub-millisecond (performance.now() outside tests): rates are estimated over windows of 20 ms.
    const now = this.#rates.now();
    let best: Connection | null = null;
    let bestLoad = Infinity;
    for (let i = 0; i < active.length; i++) {
      const connection = active[i]!;
      const state = connection.state;
      // A first connect is a millisecond away: a pipeline may queue there. A lost socket may
      // take the backoff's time.
      let tier = NOT_READY;
      if (state === 'ready' || state === 'connecting') tier = connection.queued + n > maxPending ? TIER : 0;
      const load = this.#rates.expectedWait(connection, now) + tier;
      if (load < bestLoad) {
        best = connection;
        bestLoad = load;
      }
    }
    return best;
  }

  /** Queues a pipeline, whole, for a connection; refused whole as a waiting command would be. */
  #waitBatch(pendings: Pending[]): void {
    const refusal = this.#refusal();
    if (refusal !== null) {
      for (let i = 0; i < pendings.length; i++) pendings[i]!.fail(refusal);
      return;
    }
    this.#watch(pendings);
    this.#batches.push(pendings);
    this.#batchCommands += pendings.length;
  }

  /**
   * A pipeline waiting whole is one caller: one queue deadline for it (a QueueWait), which
   * also covers its wait in the outbox of a connection still connecting, instead of one per
   * command. 200 pipelines of 1000 in a start-up burst were 200,000 entries of the deadline
   * list, each read on every tick (50 ms); they are 200. When it expires, each command still
   * unwritten fails with the TimeoutError it would have had on its own.
   */
  #watch(pendings: Pending[]): void {
    const timeout = this.#config.acquireTimeout;
    if (timeout > 0) this.#deadlines.addWait(new QueueWait(pendings, Date.now() + timeout));
  }

  /**
   * Places waiting pipelines in order, each on the connection #forBatch gives, until one must
   * wait. Each turn places one or returns: no loop without progress.
   */
  #placeBatches(mayGrow: boolean): void {
    for (let batch = this.#batches.peek(); batch !== undefined; batch = this.#batches.peek()) {
      const connection = this.#forBatch(batch.length, mayGrow);
      if (connection === null) return;
      this.#batches.shift();
      this.#sendBatch(connection, batch);
    }
  }

  #sendBatch(connection: Connection, pendings: Pending[]): void {
    this.#batchCommands -= pendings.length;
    for (let i = 0; i < pendings.length; i++) {
      const pending = pendings[i]!;
      // Timed out or aborted while waiting: never sent.
      if (!pending.settled) connection.send(pending);
    }
  }

  /**
   * A connection finished its first connect, or lost its socket: pipelines that waited for it
   * to be ready (its outbox was full) are placed, on the next tick. Called by the pool's
   * connection hooks, which run before a connection that just became ready writes its outbox:
   * placed at once, a pipeline found that outbox still full and had its commands refused with
   * QueueFullError (seen in a scratch run: 200 x 1000 commands, pool of 8).
   */
  connectionChanged(): void {
    if (this.#batches.length === 0 || this.#closed || this.#placeScheduled) return;
    this.#placeScheduled = true;
    process.nextTick(placeSoon, this);
  }
  #placeScheduled = false;

  /** @internal */
  placeSoon(): void {
    this.#placeScheduled = false;
    if (!this.#closed) this.#placeBatches(true);
  }

  /**
   * The least busy connection in rotation (ready ones first, heavy ones last), or null when
   * there is none yet, or when every one is busy with a large transfer and a new connection is
   * on its way (the command then waits for it: a PING should not queue behind 500 MB of GET
   * replies). Grows the rotation when everything is busy and the pool has room.
   */
  pick(): Connection | null {
    const first = this.#firstWithRoom();
    if (first !== null) return first;
    const best = this.#leastBusy(true);
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
        if (this.#acquiring && Date.now() >= this.#heavyUntil) return null;
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
    // Pipelines may have waited for it to finish connecting.
    else if (held) this.connectionChanged();
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
        this.#placeBatches(false);
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
    this.#placeBatches(true);
    this.#wake(null);
  }

  #wake(failure: RedisError | null): void {
    const resolvers = this.#onAdded;
    this.#onAdded = [];
    for (const resolve of resolvers) resolve(failure);
  }

  #wait(pending: Pending): void {
    const refusal = this.#refusal();
    if (refusal !== null) {
      pending.fail(refusal);
      return;
    }
    this.#armQueueDeadline(pending);
    this.#waiting.push(pending);
  }

  /**
   * Why a caller cannot wait for a connection now (fatal error, closed, maxPending callers
   * already waiting: single commands and whole pipelines), or null.
   */
  #refusal(): RedisError | null {
    if (this.#fatal !== null) {
      // Fail fast, and let one new connection try again once the backoff has passed.
      if (this.#mayRetry()) this.#grow();
      return this.#fatal;
    }
    if (this.#closed) return new PoolClosedError();
    const waiting = this.#waiting.length + this.#batches.length;
    if (waiting >= this.#config.maxPending) {
      return new QueueFullError(`${waiting} callers already wait for a connection (maxPending)`);
    }
    return null;
  }

  #armQueueDeadline(pending: Pending): void {
    if (this.#config.acquireTimeout > 0 && pending.queueDeadline === 0) {
      pending.queueDeadline = Date.now() + this.#config.acquireTimeout;
      if (pending.deadline === 0) this.#deadlines.add(pending);
    }
  }

  failWaiting(err: RedisError): void {
    for (let p = this.#waiting.shift(); p !== undefined; p = this.#waiting.shift()) p.fail(err);
    for (let b = this.#batches.shift(); b !== undefined; b = this.#batches.shift()) {
      this.#batchCommands -= b.length;
      for (let i = 0; i < b.length; i++) b[i]!.fail(err);
    }
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
    // Pipelines still waiting for a connection to finish connecting were issued before close():
    // they go where there is room, else to the least busy ready connection (which writes
    // ahead), and are answered before it closes.
    for (let b = this.#batches.peek(); b !== undefined; b = this.#batches.peek()) {
      const connection = this.#forBatch(b.length, false) ?? this.#leastBusy(false);
      if (connection === null) break;
      this.#batches.shift();
      this.#sendBatch(connection, b);
    }
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

function placeSoon(router: Router): void {
  router.placeSoon();
}
