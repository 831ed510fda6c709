import type net from 'node:net';
import {
  ConnectionError, PoolClosedError, ProtocolError, QueueFullError, ReplyError, type RedisError,
} from '../errors.js';
import { wroteTo } from '../diagnostics/trace.js';
import { Decoder } from '../resp/decoder.js';
import { encodeCommand } from '../resp/encoder.js';
import type { Arg, DecoderSink, Reply } from '../resp/types.js';
import { Attempts } from './attempts.js';
import type { Deadlines } from './deadlines.js';
import { Fifo } from './fifo.js';
import { lostError, notConnectedError, unsentError } from './failures.js';
import { handshake, isFatal, tlsVerificationError } from './handshake.js';
import { flushSoon, listen, type OwnedSocket } from './listeners.js';
import { HealthCheck } from './health.js';
import { Pending } from './pending.js';
import { isPubSubFrame } from './pubsub-frame.js';
import { readyEvent } from './socket.js';
import type { ConnectionConfig, ConnectionHooks, ConnectionState, Target } from './types.js';

export type { ConnectionConfig, ConnectionHooks, ConnectionState, Target } from './types.js';

/** Flush a write at this many UTF-16 units, so one huge batch does not sit in a string. */
const WRITE_CHUNK = 64 * 1024;
/**
 * Bytes the socket may buffer before we stop writing and wait for 'drain'. Node's own
 * highWaterMark (16 KiB) would stop a single 1000-command pipeline; this still bounds memory
 * when the server stops reading, together with maxPending on the outbox.
 */
const SOCKET_BUFFER_LIMIT = 4 * 1024 * 1024;
/** Write at once, without waiting for the tick to end, once this many commands wait. */
const EAGER_FLUSH = 4096;
/** Scan the outbox for timed-out entries at most this often when it is full. */
const COMPACT_EVERY_MS = 50;
/**
 * A connection is "heavy" (see {@link Connection.heavy}) while this many bytes arrived without
 * completing a reply, or wait in the socket to be written: a small command sent there would
 * queue behind the transfer. 256 KiB is a few milliseconds of loopback traffic, and far above
 * what any batch of small replies leaves unanswered (one chunk is at most 64 KiB).
 */
const HEAVY_BYTES = 256 * 1024;
/**
 * ...or while commands wait and nothing at all arrived for this long: the server is still
 * building a large reply (ten 50 MB GETs take it a second before the first byte), or runs a
 * slow command. Far above the gaps between batches of small replies, so a busy connection of
 * small commands never looks stalled.
 */
const STALL_MS = 50;

let nextId = 1;

/**
 * One socket to Redis and the callers waiting on it. Commands are appended to the outbox,
 * written in one batch per tick while the socket accepts data, and then wait in the reply
 * queue; replies are matched to callers strictly in order.
 *
 * ```
 *  send() ──> outbox ──flush (ready, no pending drain)──> socket ──> server
 *                                 │
 *                                 └──> replies (FIFO) <── decoder <── socket
 * ```
 *
 * Invariant: `replies` holds exactly the commands written to the current socket and not yet
 * answered, in write order. A reply with an empty queue is a ProtocolError.
 */
export class Connection implements DecoderSink {
  readonly id = nextId++;
  /** Sockets lost so far; a lease compares it to know its server-side state is gone. */
  lostCount = 0;
  /** The server's CLIENT ID on the current socket (0 before the handshake). */
  clientId = 0;
  /** RESP version in force after the handshake. */
  protocol: 2 | 3 = 2;
  /** Why the last socket failed, for error messages. */
  lastError: Error | null = null;
  /** Where the current socket actually goes (remote IP and port, or the socket path). */
  peerAddress: string | undefined = undefined;
  peerPort: number | undefined = undefined;
  /**
   * `use` handles bound to this connection: kept by the pool's router, which alone reads it (a
   * field, not a Map entry, as every `use` binds and unbinds).
   */
  boundHandles = 0;

  readonly #config: ConnectionConfig;
  readonly #hooks: ConnectionHooks;
  readonly #deadlines: Deadlines;
  #state: ConnectionState = 'connecting';
  #socket: OwnedSocket | null = null;
  #decoder: Decoder;
  readonly #outbox = new Fifo<Pending>();
  readonly #replies = new Fifo<Pending>();
  #flushScheduled = false;
  #needDrain = false;
  readonly #attempts: Attempts;
  #blockingInFlight = 0;
  readonly #health: HealthCheck;
  #closed: Promise<void> | null = null;
  #quitSent = false;
  #nextCompact = 0;
  #onClosed: (() => void) | null = null;
  /** Replies delivered on this connection so far (all sockets). */
  #answered = 0;
  /** Bytes received since the last reply completed: the size of the reply being read, so far. */
  #unansweredBytes = 0;
  /** After a large reply: heavy until the reply numbered this has arrived (see `heavy`). */
  #heavyUntil = 0;
  /** When bytes last arrived, or the connection last went from idle to busy (Date.now()). */
  #lastHeard = 0;

  constructor(config: ConnectionConfig, hooks: ConnectionHooks, deadlines: Deadlines) {
    this.#config = config;
    this.#hooks = hooks;
    this.#deadlines = deadlines;
    this.#decoder = new Decoder(this);
    this.#attempts = new Attempts(this, config);
    this.#health = new HealthCheck(this, config);
    this.#connect();
  }

  get state(): ConnectionState {
    return this.#state;
  }
  get address(): string {
    return this.#attempts.where.address;
  }
  /** Commands written and awaiting replies, plus those waiting to be written. */
  get inFlight(): number {
    return this.#replies.length + this.#outbox.length;
  }
  /** Commands waiting to be written (the outbox, bounded by maxPending). */
  get queued(): number {
    return this.#outbox.length;
  }
  /** Replies delivered on this connection so far, all sockets (the router's rate estimate). */
  get answered(): number {
    return this.#answered;
  }
  get blockingInFlight(): number {
    return this.#blockingInFlight;
  }
  /** Where the current socket goes, or the next attempt will. */
  get where(): Target {
    return this.#attempts.where;
  }
  /** When bytes last arrived, or the connection last went from idle to busy (Date.now()). */
  get lastHeard(): number {
    return this.#lastHeard;
  }

  /**
   * True while a command sent now would wait behind a large transfer: a reply of HEAVY_BYTES
   * or more is being read, or that much waits to be written, or a large reply arrived and the
   * commands in flight with it are not all answered yet (large replies come in groups: ten
   * concurrent 50 MB GETs), or commands wait and nothing arrived for STALL_MS, or a blocking
   * command is in flight (a handle's WAIT, see lib/pool/handle.ts). The router
   * sends small commands elsewhere while it is true. Only meaningful with commands in flight.
   * @param now Date.now(), which the router reads once per tick
   */
  heavy(now: number): boolean {
    // A WAIT of a `use` handle rides a shared connection and holds it until replicas answer.
    if (this.#blockingInFlight > 0) return true;
    if (this.#unansweredBytes >= HEAVY_BYTES || this.#answered < this.#heavyUntil) return true;
    if (now - this.#lastHeard >= STALL_MS) return true;
    const socket = this.#socket;
    return socket !== null && socket.writableLength >= HEAVY_BYTES;
  }

  // ── sending ───────────────────────────────────────────────────────────────────────────

  /** Queues a command. Never throws: every refusal settles `pending` with an error. */
  send(pending: Pending): void {
    const state = this.#state;
    if (state === 'closing' || state === 'closed') {
      pending.fail(new PoolClosedError(`connection to ${this.address} is closed`));
      return;
    }
    if (this.#outbox.length >= this.#config.maxPending && this.#stillFull()) {
      pending.fail(new QueueFullError(
        `${this.#outbox.length} commands already wait to be written to ${this.address} (maxPending)`,
      ));
      return;
    }
    if (state !== 'ready') {
      // Only once a socket was lost or an attempt failed: the first connect of a new pool is
      // not a failure, and failing there would make every pool's first commands reject.
      if (this.#config.failFast && state === 'reconnecting') {
        pending.fail(notConnectedError(this.address, this.lastError));
        return;
      }
      if (this.#config.queueTimeout > 0 && pending.queueDeadline === 0 && !pending.queueWatched) {
        pending.queueDeadline = Date.now() + this.#config.queueTimeout;
        if (pending.deadline === 0) this.#deadlines.add(pending);
      }
    }
    // Idle to busy: the stall clock (see `heavy`) starts now, not at the last reply.
    if (this.#replies.length === 0 && this.#outbox.length === 0) this.#lastHeard = Date.now();
    this.#outbox.push(pending);
    if (state === 'ready' && !this.#needDrain) {
      if (this.#outbox.length >= EAGER_FLUSH) this.flush();
      else if (!this.#flushScheduled) {
        this.#flushScheduled = true;
        process.nextTick(flushSoon, this);
      }
    }
  }

  /** Writes the outbox in one batch: consecutive string payloads become one `write`. */
  flush(): void {
    this.#flushScheduled = false;
    const socket = this.#socket;
    const state = this.#state;
    if ((state !== 'ready' && state !== 'closing') || this.#needDrain || socket === null) return;
    // Dropped (relocate, recycle) but its 'close' has not come yet: what waits was never sent,
    // so it stays queued for the next socket instead of failing as "may have run".
    if (socket.destroyed) return;
    let text = '';
    let accepted = true;
    while (accepted && this.#outbox.length > 0) {
      const pending = this.#outbox.shift()!;
      // Timed out or aborted while waiting: it never ran, so it is simply not sent.
      if (pending.settled) continue;
      const payload = pending.payload!;
      pending.payload = null;
      pending.written = true;
      if (pending.blocking) {
        this.#blockingInFlight++;
        pending.owner = this;
      }
      this.#replies.push(pending);
      if (pending.trace !== null) wroteTo(pending.trace, this.id, this.peerAddress, this.peerPort);
      if (typeof payload === 'string') {
        text += payload;
        if (text.length >= WRITE_CHUNK) {
          accepted = this.#write(socket, text);
          text = '';
        }
      } else {
        if (text.length > 0) this.#write(socket, text);
        text = '';
        accepted = this.#write(socket, payload);
      }
    }
    if (text.length > 0) accepted = this.#write(socket, text);
    // The socket's buffer is full: stop here and wait for 'drain' (the server reads slowly or
    // not at all). The outbox is bounded by maxPending, so memory stays bounded too.
    if (!accepted) this.#needDrain = true;
  }

  /** Node says "buffer full" at 16 KiB; we go on up to SOCKET_BUFFER_LIMIT. */
  #write(socket: net.Socket, data: string | Buffer): boolean {
    // String payloads are pure ASCII (see encodeCommand): latin1 is a plain byte copy.
    if (typeof data === 'string') socket.write(data, 'latin1');
    else socket.write(data);
    return socket.writableLength < SOCKET_BUFFER_LIMIT;
  }

  /** @internal socket 'drain' */
  drained(): void {
    this.#needDrain = false;
    this.flush();
  }

  /**
   * The outbox is full; drops commands that settled (timed out) while waiting to be written,
   * at most every COMPACT_EVERY_MS so a flood of refused sends stays O(1) each.
   * @returns true when the outbox is still full
   */
  #stillFull(): boolean {
    const now = Date.now();
    if (now >= this.#nextCompact) {
      this.#nextCompact = now + COMPACT_EVERY_MS;
      this.#failOutbox((p) => p.settled, new ConnectionError('unreachable'));
    }
    return this.#outbox.length >= this.#config.maxPending;
  }

  /**
   * Writes a command that takes no slot in the reply queue: SUBSCRIBE and its kin in
   * subscriber mode, whose confirmations arrive as pub/sub frames routed to `hooks.push`.
   * Written at once, ahead of the outbox (a subscriber connection does not use the outbox).
   * @returns false when the connection is not ready and nothing was written: the owner sends
   *   again from its `ready` hook.
   */
  sendNoReply(args: Arg[]): boolean {
    if (this.#state !== 'ready' || this.#socket === null) return false;
    this.#socket.write(encodeCommand(args));
    return true;
  }

  /** Sends a command of our own (handshake, PING, QUIT) ahead of the outbox. */
  #sendInternal(args: Arg[]): Promise<Reply> {
    if (this.#socket === null) return Promise.reject(notConnectedError(this.address, this.lastError));
    const pending = new Pending(encodeCommand(args), String(args[0]), false);
    const promise = pending.promise() as Promise<Reply>;
    pending.written = true;
    const payload = pending.payload!;
    pending.payload = null;
    this.#replies.push(pending);
    this.#write(this.#socket, payload);
    return promise;
  }

  // ── receiving (DecoderSink) ───────────────────────────────────────────────────────────

  wantsBuffers(): boolean {
    // A subscriber decodes everything as Buffers: a message may arrive while a PING waits.
    if (this.#config.subscriber === true) return this.#config.pushBuffers === true;
    const head = this.#replies.peek();
    return head !== undefined ? head.wantsBuffers : this.#config.pushBuffers === true;
  }

  onReply(value: Reply): void {
    if (this.#config.subscriber === true && isPubSubFrame(value)) {
      this.#hooks.push(this, value as Reply[]);
      return;
    }
    const pending = this.#replies.shift();
    if (pending === undefined) {
      // A subscriber's SUBSCRIBE kin get no queue slot; a refusal of one (MOVED for an
      // SSUBSCRIBE whose slot moved) is the pub/sub layer's to handle, not a broken stream.
      if (this.#config.subscriber === true && value instanceof ReplyError) {
        this.#hooks.push(this, ['error', value]);
        return;
      }
      throw new ProtocolError(`a reply arrived from ${this.address} with no command waiting for it`);
    }
    if (pending.blocking) {
      this.#blockingInFlight--;
      pending.owner = null;
    }
    if (this.#config.expectRole !== undefined && value instanceof ReplyError) this.#checkPlace(value);
    this.#answered++;
    pending.reply(value);
    if (this.#state === 'closing' && this.#replies.length === 0) this.#maybeQuit();
  }

  /** READONLY: a primary turned replica under us; LOADING: a restarted node. Tell the owner. */
  #checkPlace(reply: ReplyError): void {
    if (reply.code === 'READONLY' || reply.code === 'LOADING') this.#hooks.misplaced?.(this, reply);
  }

  onPush(frame: Reply[]): void {
    this.#hooks.push(this, frame);
  }

  /** @internal socket 'data' */
  received(chunk: Buffer): void {
    this.#health.heard = true;
    this.#lastHeard = Date.now();
    const answered = this.#answered;
    try {
      this.#decoder.feed(chunk);
    } catch (err) {
      const error = err instanceof ProtocolError ? err : new ProtocolError(String(err));
      this.#dropSocket(error);
      return;
    }
    if (this.#answered === answered) {
      this.#unansweredBytes += chunk.length;
      return;
    }
    // A reply completed in this chunk. If it was large, stay heavy until everything in flight
    // with it is answered (the bytes after it in this chunk are not counted: at most 64 KiB).
    if (this.#unansweredBytes + chunk.length >= HEAVY_BYTES) {
      this.#heavyUntil = this.#answered + this.#replies.length;
    }
    this.#unansweredBytes = 0;
  }

  // ── connecting ────────────────────────────────────────────────────────────────────────

  #connect(): void {
    this.#health.attemptStarted();
    const socket = this.#attempts.open();
    if (socket === null) {
      this.lastError = new ConnectionError(`no address known for ${this.address}`);
      return;
    }
    this.#socket = listen(socket, this, readyEvent(this.#config));
  }

  /** @internal the socket is open: run the handshake before anyone else's command. */
  async opened(socket: OwnedSocket): Promise<void> {
    try {
      const result = await handshake((args) => this.#sendInternal(args), this.#config);
      if (socket !== this.#socket) return;
      this.protocol = result.protocol;
      this.clientId = result.clientId;
      this.peerAddress = socket.remoteAddress ?? this.#config.path;
      this.peerPort = socket.remotePort;
      this.#attempts.succeeded(this.peerAddress, this.peerPort, this.protocol, this.clientId);
    } catch (err) {
      if (socket !== this.#socket) return;
      if (isFatal(err)) this.#end(err as Error);
      else this.#dropSocket(err as Error);
      return;
    }
    this.lastError = null;
    if (this.#state === 'closing') {
      this.#maybeQuit();
      return;
    }
    this.#state = 'ready';
    this.#hooks.ready(this);
    this.flush();
  }

  /** @internal connectTimeout fired before the handshake finished. */
  connectTimedOut(ms: number): void {
    this.#dropSocket(new ConnectionError(
      `could not connect to ${this.address} within ${ms} ms`,
      { code: 'ETIMEDOUT' },
    ));
  }

  // ── losing the socket ─────────────────────────────────────────────────────────────────

  /** Tears the socket down; `closed()` then decides between reconnecting and ending. */
  #dropSocket(cause: Error): void {
    this.lastError = cause;
    this.#socket?.destroy();
  }

  /** Drops the socket and reconnects, e.g. when it stopped answering. */
  recycle(cause: Error): void {
    if (this.#socket !== null && (this.#state === 'ready' || this.#state === 'connecting')) this.#dropSocket(cause);
  }

  /**
   * The node moved (a failover): drop the socket, failing what is in flight with `cause` (it may
   * have run), and connect again at once, asking `locate` where. Waiting commands stay queued.
   */
  relocate(cause: Error): void {
    if (this.#state === 'closing' || this.#state === 'closed') return;
    this.#attempts.count = 0;
    if (this.#socket !== null) {
      // Ready, or an attempt under way (possibly stuck on a frozen node): drop it.
      this.#attempts.relocating();
      this.#dropSocket(cause);
    } else if (this.#state === 'reconnecting') {
      this.#attempts.cancelRetry();
      this.#connect();
    }
  }

  /** Asks the owner to unblock a blocking command that timed out (see Pending.owner). */
  unblock(): void {
    this.#hooks.unblock(this);
  }

  /** @internal socket 'error': remember why; 'close' always follows. */
  errored(err: Error): void {
    if (this.lastError === null) this.lastError = err;
  }

  /** @internal socket 'close', or `null` when `locate` knew no address */
  closed(socket: OwnedSocket | null): void {
    if (socket !== this.#socket) return;
    this.#socket = null;
    this.#health.socketGone();
    this.#needDrain = false;
    this.#decoder.reset();
    this.#unansweredBytes = 0;
    this.#heavyUntil = 0;
    const cause = this.lastError ?? new ConnectionError(`${this.address} closed the connection`);
    this.lastError = cause;
    this.#attempts.failed(cause);
    this.#failReplies(lostError(this.address, cause));
    if (this.#state === 'ready' || this.#state === 'closing') this.lostCount++;
    this.#blockingInFlight = 0;
    if (this.#state === 'closing' || this.#state === 'closed') {
      // Never written (closed while connecting): say they were not sent, and why.
      this.#failOutbox(() => true, new PoolClosedError(
        `closed while waiting for the connection to ${this.address} (${cause.message}); the command was not sent`,
      ));
      this.#end(null);
      return;
    }
    const refused = tlsVerificationError(cause, this.address);
    if (refused !== null) {
      this.#end(refused);
      return;
    }
    this.#failOutbox((p) => p.pinned || this.#config.failFast, unsentError(this.address, cause));
    // A relocation is not a failure of the new node: go there at once.
    const delay = this.#attempts.nextDelay();
    if (delay === null) {
      this.#end(new ConnectionError(
        `gave up on ${this.address} after ${this.#attempts.count - 1} reconnection attempts: ${cause.message}`,
        { cause },
      ));
      return;
    }
    this.#state = 'reconnecting';
    this.#attempts.retryIn(delay, cause);
    this.#hooks.reconnecting(this, delay, this.#attempts.count, cause);
  }

  /** @internal */
  reconnectNow(): void {
    if (this.#state === 'reconnecting') this.#connect();
  }

  /** True when commands wait in the outbox that have not timed out or been aborted. */
  #waitsToSend(): boolean {
    this.#failOutbox((p) => p.settled, new ConnectionError('unreachable'));
    return this.#outbox.length > 0;
  }

  #failReplies(err: RedisError): void {
    for (let p = this.#replies.shift(); p !== undefined; p = this.#replies.shift()) {
      p.owner = null;
      p.fail(err);
    }
  }

  #failOutbox(which: (p: Pending) => boolean, err: RedisError): void {
    const keep: Pending[] = [];
    for (let p = this.#outbox.shift(); p !== undefined; p = this.#outbox.shift()) {
      if (which(p)) p.fail(err);
      else keep.push(p);
    }
    for (const p of keep) this.#outbox.push(p);
  }

  // ── health (see health.ts) ───────────────────────────────────────────────────────────

  /** @internal runs the health check now (its interval timer does so on its own) */
  checkHealth(): void {
    this.#health.check();
  }

  /** @internal the health check's PING for an idle connection */
  ping(): void {
    this.#sendInternal(['PING']).catch(ignore);
  }

  // ── closing ───────────────────────────────────────────────────────────────────────────

  /**
   * Closes gracefully: what was already sent is answered, what waits is sent, then QUIT.
   * Resolves when the socket is gone. Idempotent.
   */
  close(): Promise<void> {
    this.#health.socketGone();
    if (this.#closed !== null) return this.#closed;
    this.#closed = new Promise((resolve) => (this.#onClosed = resolve));
    if (this.#state === 'ready') {
      this.#state = 'closing';
      this.#maybeQuit();
    } else if (this.#socket !== null && this.#waitsToSend()) {
      // Commands issued before close() wait for the connect attempt under way: they are sent
      // once its handshake succeeds (then QUIT), and fail if it fails (see closed()). No new
      // attempt is started for them: closing stays prompt while the server is down.
      this.#state = 'closing';
    } else {
      this.#state = 'closing';
      this.#failOutbox(() => true, new PoolClosedError(`connection to ${this.address} was closed`));
      if (this.#socket === null) this.#end(null);
      else this.#socket.destroy();
    }
    return this.#closed;
  }

  /** Closes at once: everything waiting fails with `cause`. */
  destroy(cause: Error = new PoolClosedError(`connection to ${this.address} was destroyed`)): void {
    if (this.#state === 'closed') return;
    this.close().catch(ignore);
    this.#failOutbox(() => true, cause as RedisError);
    this.lastError = cause;
    this.#socket?.destroy();
  }

  /** Once nothing is left to write or answer while closing, say goodbye. */
  #maybeQuit(): void {
    if (this.#state !== 'closing' || this.#socket === null || this.#quitSent) return;
    this.flush();
    if (this.#replies.length > 0 || this.#outbox.length > 0) return;
    this.#quitSent = true;
    const socket = this.#socket;
    this.#sendInternal(['QUIT']).catch(ignore).finally(() => socket.end());
  }

  /** Final state: nothing will be sent again. */
  #end(cause: Error | null): void {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    this.#attempts.stop();
    this.#health.stop();
    const err = cause ?? new PoolClosedError(`connection to ${this.address} was closed`);
    this.#failReplies(err as RedisError);
    this.#failOutbox(() => true, err as RedisError);
    if (cause !== null) this.lastError = cause;
    this.#attempts.failed(cause ?? err);
    this.#socket?.destroy();
    this.#socket = null;
    this.#hooks.end(this, cause);
    if (this.#closed === null) this.#closed = Promise.resolve();
    this.#onClosed?.();
  }
}

function ignore(): void {}
