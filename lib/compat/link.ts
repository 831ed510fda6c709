/**
 * The life of a compat client. A compat client is a view on a respool Pool: it owns no socket,
 * so "connecting" means "the pool answered a PING", and "closing" means "this view refuses new
 * commands and lets go of its blocking ones". The pool's lifetime stays the caller's: no view,
 * however closed, closes the pool (libraries quit the clients they duplicated, and a duplicate
 * shares its pool with the client it came from).
 *
 *   wait ──open()──> connecting ──PING answered──> ready
 *                       │  PING failed: 'error' (if listened), PING again after reconnectMaxDelay
 *   end <── close() ────┴──────────────────────────┘   (also: the pool was closed)
 *    └──open()──> connecting                           (a closed view may be opened again)
 *
 * Blocking commands (BZPOPMIN, XREAD BLOCK...) run on a connection of their own in the pool
 * (see lib/pool/command-kinds.ts). Closing the view aborts them, and they reject with the
 * error ioredis gives (`Connection is closed.`), which bullmq's close() waits for; the pool then
 * replaces the connection they held, so nothing is left blocked on the server.
 */
import { AbortError, PoolClosedError } from '../errors.js';
import { isBlocking } from '../commands/info.js';
import type { Pool } from '../pool/pool.js';
import type { CommandOptions } from '../pool/handle.js';
import type { Command, Reply } from '../resp/types.js';

export type LinkState = 'wait' | 'connecting' | 'ready' | 'end';

/** What a link tells the client shape it serves, which names it in its own events. */
export interface LinkListener {
  connecting(): void;
  ready(): void;
  /** A readiness PING failed; the link tries again by itself. */
  failed(err: Error): void;
  closed(): void;
}

/** The message ioredis gives commands of a closed client; libraries compare it (bullmq does). */
export const CLOSED_MESSAGE = 'Connection is closed.';

const BUFFERS: CommandOptions = Object.freeze({ returnBuffers: true });

export class Link {
  readonly pool: Pool;
  #listener: LinkListener;
  #state: LinkState = 'wait';
  /** Aborts this view's blocking commands when it closes; replaced when it opens again. */
  #aborter = new AbortController();
  #opening: Promise<void> | null = null;
  #retry: NodeJS.Timeout | null = null;
  #inFlight = 0;
  #drained: (() => void) | null = null;

  constructor(pool: Pool, listener: LinkListener) {
    if (pool.options.protocol !== 2) {
      throw new TypeError(
        'respool/compat needs a pool with protocol: 2 (the default): the client shapes it imitates ' +
          'reply with RESP2 shapes (arrays, string scores), and the libraries built on them expect those',
      );
    }
    this.pool = pool;
    this.#listener = listener;
  }

  get state(): LinkState {
    return this.#state;
  }

  /** Resolves once the pool answers; rejects only if the view is closed before it does. */
  open(): Promise<void> {
    if (this.#state === 'ready') return Promise.resolve();
    if (this.#opening !== null) return this.#opening;
    this.#state = 'connecting';
    if (this.#aborter.signal.aborted) this.#aborter = new AbortController();
    this.#listener.connecting();
    const opening = new Promise<void>((resolve, reject) => this.#ping(resolve, reject));
    this.#opening = opening;
    const clear = () => {
      if (this.#opening === opening) this.#opening = null;
    };
    opening.then(clear, clear);
    return opening;
  }

  #ping(resolve: () => void, reject: (err: Error) => void): void {
    this.#retry = null;
    this.pool.command(['PING']).then(() => {
      if (this.#state !== 'connecting') return reject(new PoolClosedError(CLOSED_MESSAGE));
      this.#state = 'ready';
      this.#listener.ready();
      resolve();
    }, (err: Error) => {
      if (this.#state !== 'connecting') return reject(new PoolClosedError(CLOSED_MESSAGE));
      if (err instanceof PoolClosedError) {
        this.#end();
        return reject(err);
      }
      this.#listener.failed(err);
      this.#retry = setTimeout(() => this.#ping(resolve, reject), this.pool.options.reconnectMaxDelay);
    });
  }

  /**
   * Closes the view: new commands reject with `Connection is closed.`, blocking ones are
   * aborted at once; with `drain`, waits for the other commands already sent to be answered.
   */
  async close(drain: boolean): Promise<void> {
    if (this.#state === 'end') return;
    this.#end();
    if (drain && this.#inFlight > 0) await new Promise<void>((resolve) => (this.#drained = resolve));
  }

  #end(): void {
    if (this.#state === 'end') return;
    this.#state = 'end';
    if (this.#retry !== null) clearTimeout(this.#retry);
    this.#retry = null;
    this.#aborter.abort();
    this.#listener.closed();
  }

  /** One command through the pool; blocking ones can be aborted by closing the view. */
  send(command: Command, returnBuffers = false): Promise<Reply> {
    if (this.#state === 'end') return Promise.reject(new PoolClosedError(CLOSED_MESSAGE));
    const options = isBlocking(command)
      ? { returnBuffers, signal: this.#aborter.signal }
      : returnBuffers ? BUFFERS : undefined;
    return this.track(this.pool.command(command, options));
  }

  /** Counts `promise` as in flight (close(true) waits for it) and names its closed-view errors. */
  track<T>(promise: Promise<T>): Promise<T> {
    this.#inFlight++;
    return promise.then((value) => {
      this.#settled();
      return value;
    }, (err: unknown) => {
      this.#settled();
      if (err instanceof PoolClosedError) this.#end();
      // Our own abort on close: say what ioredis says.
      if (err instanceof AbortError && this.#state === 'end') throw new PoolClosedError(CLOSED_MESSAGE);
      throw err;
    });
  }

  /** Rejects at once when the view is closed (for batches, before they are built into commands). */
  checkOpen(): void {
    if (this.#state === 'end') throw new PoolClosedError(CLOSED_MESSAGE);
  }

  #settled(): void {
    if (--this.#inFlight === 0 && this.#drained !== null) {
      const drained = this.#drained;
      this.#drained = null;
      drained();
    }
  }
}
