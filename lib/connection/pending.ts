import { ReplyError } from '../errors.js';
import type { BatchContext, CommandContext } from '../diagnostics/channels.js';
import { finishBatch, finishCommand } from '../diagnostics/trace.js';
import type { Reply } from '../resp/types.js';

/**
 * Collects the replies of a pipeline into one array and settles one promise when the last
 * arrives, so a 1000-command pipeline costs one promise, not a thousand.
 */
export class Batch {
  readonly results: unknown[];
  /** Set only while someone subscribes to respool:batch. */
  trace: BatchContext | null = null;
  #remaining: number;
  #resolve: (results: unknown[]) => void;

  constructor(size: number, resolve: (results: unknown[]) => void) {
    this.results = new Array(size);
    this.#remaining = size;
    this.#resolve = resolve;
  }

  set(index: number, value: unknown): void {
    this.results[index] = value;
    if (--this.#remaining === 0) {
      if (this.trace !== null) finishBatch(this.trace, this.results);
      this.#resolve(this.results);
    }
  }
}

let capturedResolve: ((value: unknown) => void) | undefined;
let capturedReject: ((err: Error) => void) | undefined;
/** A module-level executor: creating a promise allocates no closure of ours. */
function capture(resolve: (value: unknown) => void, reject: (err: Error) => void): void {
  capturedResolve = resolve;
  capturedReject = reject;
}

/** Bits of {@link Pending}'s flags: one number instead of six boolean fields per command. */
const WANTS_BUFFERS = 1;
const SETTLED = 2;
const WRITTEN = 4;
const PINNED = 8;
const BLOCKING = 16;
const QUEUE_WATCHED = 32;

/**
 * What only some commands carry (a timeout, an abort listener, a blocking command's connection),
 * kept apart so a plain command's record stays small: with 10,000 callers waiting, every field
 * of a Pending is 80 KB of heap that survives into the old generation.
 */
class Extras {
  /** See {@link Pending.trace}. */
  trace: CommandContext | BatchContext | null = null;
  deadline = 0;
  timeout = 0;
  queueDeadline = 0;
  owner: { unblock(): void } | null = null;
  onSettle: (() => void) | null = null;
}

/**
 * One command on its way: encoded, waiting to be written (in a connection's outbox), then
 * waiting for its reply (in the reply queue).
 *
 * `settled` means the caller has its answer. A command that timed out or was aborted is settled
 * but keeps its slot in the reply queue until its late reply is read and dropped: replies are
 * matched by position, so removing the slot would hand every later reply to the wrong caller.
 *
 * Six fields: the booleans share one number, the promise's reject function and a batch
 * command's index share one slot (a command has one or the other), and the rarely set fields
 * (trace included) live in a separate {@link Extras} made on first use (accessors keep the
 * field names). No private methods either: a class with one gives each instance a hidden brand
 * field. 72 bytes a command instead of 96, measured in a heap snapshot.
 */
export class Pending {
  /** The encoded command; dropped once written. */
  payload: string | Buffer | null;
  /** The command name, upper-case, for error messages (never its arguments: they may be secret). */
  readonly name: string;
  #flags: number;
  /** The promise's resolve function, or the batch this command reports into. */
  #sink: ((value: unknown) => void) | Batch | null = null;
  /** With a promise: its reject function. In a batch: this command's index. */
  #aux: ((err: Error) => void) | number = 0;
  #extras: Extras | null = null;

  constructor(payload: string | Buffer, name: string, wantsBuffers: boolean) {
    this.payload = payload;
    this.name = name;
    this.#flags = wantsBuffers ? WANTS_BUFFERS : 0;
  }

  /**
   * Set only while someone subscribes to respool:command (its context) or respool:batch (the
   * batch's context, for the connection fields): otherwise null and never looked at again.
   */
  get trace(): CommandContext | BatchContext | null {
    return this.#extras === null ? null : this.#extras.trace;
  }
  set trace(value: CommandContext | BatchContext | null) {
    if (value !== null || this.#extras !== null) Pending.#more(this).trace = value;
  }

  get wantsBuffers(): boolean {
    return (this.#flags & WANTS_BUFFERS) !== 0;
  }
  set wantsBuffers(value: boolean) {
    this.#flags = value ? this.#flags | WANTS_BUFFERS : this.#flags & ~WANTS_BUFFERS;
  }
  get settled(): boolean {
    return (this.#flags & SETTLED) !== 0;
  }
  /** Handed to the socket: from now on it may have run, so it is never re-sent. */
  get written(): boolean {
    return (this.#flags & WRITTEN) !== 0;
  }
  set written(value: boolean) {
    this.#flags = value ? this.#flags | WRITTEN : this.#flags & ~WRITTEN;
  }
  /** Belongs to an exclusive lease: fails rather than move to a new socket after a drop. */
  get pinned(): boolean {
    return (this.#flags & PINNED) !== 0;
  }
  set pinned(value: boolean) {
    this.#flags = value ? this.#flags | PINNED : this.#flags & ~PINNED;
  }
  /** A blocking command (BLPOP, ...): while it is in flight the connection may be silent. */
  get blocking(): boolean {
    return (this.#flags & BLOCKING) !== 0;
  }
  set blocking(value: boolean) {
    this.#flags = value ? this.#flags | BLOCKING : this.#flags & ~BLOCKING;
  }

  /**
   * Its wait for a connection is bounded by its pipeline's one deadline (a QueueWait), not a
   * `queueDeadline` of its own: a connection not yet ready arms none for it.
   */
  get queueWatched(): boolean {
    return (this.#flags & QUEUE_WATCHED) !== 0;
  }
  set queueWatched(value: boolean) {
    this.#flags = value ? this.#flags | QUEUE_WATCHED : this.#flags & ~QUEUE_WATCHED;
  }

  /** Static, not an instance private method: see the class comment. */
  static #more(pending: Pending): Extras {
    return (pending.#extras ??= new Extras());
  }
  /** When the whole command expires (0: never). Counted from the call, not from the write. */
  get deadline(): number {
    return this.#extras === null ? 0 : this.#extras.deadline;
  }
  set deadline(value: number) {
    Pending.#more(this).deadline = value;
  }
  /** The timeout that set `deadline`, in ms, for the error message. */
  get timeout(): number {
    return this.#extras === null ? 0 : this.#extras.timeout;
  }
  set timeout(value: number) {
    Pending.#more(this).timeout = value;
  }
  /** When waiting for a connection expires (0: never). Replaced by `deadline` once written. */
  get queueDeadline(): number {
    return this.#extras === null ? 0 : this.#extras.queueDeadline;
  }
  set queueDeadline(value: number) {
    Pending.#more(this).queueDeadline = value;
  }
  /** The connection it was written to; set for blocking commands only (to unblock on timeout). */
  get owner(): { unblock(): void } | null {
    return this.#extras === null ? null : this.#extras.owner;
  }
  set owner(value: { unblock(): void } | null) {
    if (value !== null || this.#extras !== null) Pending.#more(this).owner = value;
  }
  /** Called once when the command settles, whichever way (aborting: remove a listener). */
  get onSettle(): (() => void) | null {
    return this.#extras === null ? null : this.#extras.onSettle;
  }
  set onSettle(value: (() => void) | null) {
    if (value !== null || this.#extras !== null) Pending.#more(this).onSettle = value;
  }

  /** A promise that settles with this command's reply. Call at most once. */
  promise(): Promise<unknown> {
    const promise = new Promise(capture);
    this.#sink = capturedResolve!;
    this.#aux = capturedReject!;
    return promise;
  }

  /** Reports into `batch[index]` instead of a promise; errors are stored in place. */
  joinBatch(batch: Batch, index: number): void {
    this.#sink = batch;
    this.#aux = index;
  }

  /** The reply arrived. A top-level error reply rejects (or lands in place in a batch). */
  reply(value: Reply): void {
    const flags = this.#flags;
    if ((flags & SETTLED) !== 0) return;
    if (value instanceof ReplyError) {
      value.command = this.name;
      this.fail(value);
      return;
    }
    this.#flags = flags | SETTLED;
    const extras = this.#extras;
    if (extras !== null && extras.onSettle !== null) extras.onSettle();
    const sink = this.#sink!;
    if (typeof sink !== 'function') sink.set(this.#aux as number, value);
    else {
      if (extras !== null && extras.trace !== null) finishCommand(extras.trace as CommandContext, value, null);
      sink(value);
    }
  }

  fail(err: Error): void {
    if ((this.#flags & SETTLED) !== 0) return;
    this.#flags |= SETTLED;
    this.payload = null;
    const extras = this.#extras;
    if (extras !== null && extras.onSettle !== null) extras.onSettle();
    const sink = this.#sink!;
    if (typeof sink !== 'function') sink.set(this.#aux as number, err);
    else {
      if (extras !== null && extras.trace !== null) finishCommand(extras.trace as CommandContext, undefined, err);
      (this.#aux as (err: Error) => void)(err);
    }
  }
}
