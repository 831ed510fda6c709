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
 *
 * The backend is a Pool or a Cluster (commands routed by key, as `cluster.command` does), on
 * RESP2 or RESP3: RESP3 replies are reshaped as RESP2 gives them (./resp2.ts), and every
 * command asks for text or Buffers itself, whatever the backend's own `returnBuffers`.
 */
import { Cluster } from '../cluster/cluster.js';
import { AbortError, PoolClosedError, ReplyError } from '../errors.js';
import { isBlocking } from '../commands/info.js';
import type { ResolvedOptions } from '../options.js';
import type { Pool } from '../pool/pool.js';
import type { CommandOptions } from '../pool/handle.js';
import type { Command, Reply } from '../resp/types.js';
import { doubleTextFor, shortestText, type DoubleText } from './doubles.js';
import { hasDoubles, toResp2 } from './resp2.js';

/** What a compat client runs on: any Pool or Cluster (whatever its `returnBuffers`). */
export type Backend = Pool<boolean> | Cluster<boolean>;

/** The options of the backend's connections (a cluster's node pools share one set). */
export function connectionOptions(backend: Backend): ResolvedOptions {
  return backend instanceof Cluster ? backend.options.pool : backend.options;
}

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
const TEXT: CommandOptions = Object.freeze({ returnBuffers: false });

/**
 * Per backend, how its server prints a double on RESP2 (./doubles.ts), or the HELLO asking it:
 * learnt once, when a RESP3 reply first holds a score, and shared by every view of the backend.
 */
const DOUBLE_TEXT = new WeakMap<Backend, DoubleText | Promise<DoubleText>>();

export class Link {
  readonly backend: Backend;
  /** The backend is a Cluster: batches go through its own pipeline/transaction, scans over every primary. */
  readonly cluster: boolean;
  /** Replies come as RESP3 and are reshaped as RESP2 (./resp2.ts). */
  readonly resp3: boolean;
  readonly #reconnectDelay: number;
  #listener: LinkListener;
  #state: LinkState = 'wait';
  /** Aborts this view's blocking commands when it closes; replaced when it opens again. */
  #aborter = new AbortController();
  #opening: Promise<void> | null = null;
  #retry: NodeJS.Timeout | null = null;
  #inFlight = 0;
  #drained: (() => void) | null = null;
  /** The backend's {@link DOUBLE_TEXT}, once known. */
  #doubles: DoubleText | null = null;

  constructor(backend: Backend, listener: LinkListener) {
    if (!(backend instanceof Cluster) && (typeof backend !== 'object' || backend === null || typeof backend.command !== 'function')) {
      throw new TypeError('respool/compat takes a respool Pool (createPool) or Cluster (createCluster)');
    }
    const options = connectionOptions(backend);
    this.backend = backend;
    this.cluster = backend instanceof Cluster;
    this.resp3 = options.protocol === 3;
    this.#reconnectDelay = options.reconnectMaxDelay;
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
    this.backend.command(['PING']).then(() => {
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
      this.#retry = setTimeout(() => this.#ping(resolve, reject), this.#reconnectDelay);
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
    // A pool runs CLIENT SETNAME on a lease and puts the name back after: OK with no lasting
    // effect. A cluster refuses it (EUSAGE); the view answers the same OK without sending it.
    if (this.cluster && isSetName(command)) return Promise.resolve('OK');
    const options = isBlocking(command)
      ? { returnBuffers, signal: this.#aborter.signal }
      : returnBuffers ? BUFFERS : TEXT;
    const sent = this.track(this.backend.command(command, options));
    return this.resp3 ? sent.then((reply) => this.#toResp2(reply, command, returnBuffers)) : sent;
  }

  #toResp2(reply: Reply, command: Command, buffers: boolean): Reply | Promise<Reply> {
    if (!hasDoubles(command)) return toResp2(reply, command, shortestText);
    if (this.#doubles !== null) return toResp2(reply, command, printer(this.#doubles, buffers));
    return this.#doubleText().then((double) => toResp2(reply, command, printer(double, buffers)));
  }

  /**
   * A batch's replies (errors in place) as RESP2 gives them (`buffers`: the batch asked for
   * Buffers); as they are on RESP2.
   */
  reshape(replies: unknown[], commands: readonly Command[], buffers = false): unknown[] | Promise<unknown[]> {
    if (!this.resp3) return replies;
    if (this.#doubles === null && commands.some(hasDoubles)) {
      return this.#doubleText().then((double) => reshapeAll(replies, commands, printer(double, buffers)));
    }
    return reshapeAll(replies, commands, printer(this.#doubles ?? shortestText, buffers));
  }

  /**
   * How the server prints doubles on RESP2, from HELLO's `version` (HELLO without arguments
   * changes nothing). If HELLO is refused (an ACL), the shortest form, kept; if it fails
   * otherwise (the connection dropped), the shortest form for this reply, and HELLO again next time.
   */
  #doubleText(): Promise<DoubleText> {
    const backend = this.backend;
    let known = DOUBLE_TEXT.get(backend);
    if (known === undefined) {
      const asking = backend.command(['HELLO'], TEXT).then((hello) => {
        const double = doubleTextFor(versionOf(hello));
        DOUBLE_TEXT.set(backend, double);
        return double;
      }, (err: unknown) => {
        if (err instanceof ReplyError) DOUBLE_TEXT.set(backend, shortestText);
        else DOUBLE_TEXT.delete(backend);
        return shortestText;
      });
      DOUBLE_TEXT.set(backend, asking);
      known = asking;
    }
    if (typeof known === 'function') {
      this.#doubles = known;
      return Promise.resolve(known);
    }
    return known.then((double) => {
      if (DOUBLE_TEXT.get(backend) === double) this.#doubles = double;
      return double;
    });
  }

  /** Options for a batch: text or Buffers, whatever the backend's own returnBuffers. */
  static batchOptions(buffers: boolean): CommandOptions {
    return buffers ? BUFFERS : TEXT;
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

/** Where RESP2 would send a Buffer (a `...Buffer` method), the text as a Buffer. */
function printer(double: DoubleText, buffers: boolean): (x: number) => Reply {
  return buffers ? (x) => Buffer.from(double(x), 'latin1') : double;
}

function reshapeAll(replies: unknown[], commands: readonly Command[], double: (x: number) => Reply): unknown[] {
  for (let i = 0; i < replies.length; i++) {
    const reply = replies[i];
    if (!(reply instanceof Error)) replies[i] = toResp2(reply as Reply, commands[i]!, double);
  }
  return replies;
}

/** HELLO's `version` (a Map on RESP3, flat pairs on RESP2); '' when absent. */
function versionOf(hello: Reply): string {
  if (hello instanceof Map) return String(hello.get('version') ?? '');
  if (Array.isArray(hello)) {
    for (let i = 0; i + 1 < hello.length; i += 2) if (String(hello[i]) === 'version') return String(hello[i + 1]);
  }
  return '';
}

function isSetName(command: Command): boolean {
  return command.length === 3 && String(command[0]).toUpperCase() === 'CLIENT' && String(command[1]).toUpperCase() === 'SETNAME';
}
