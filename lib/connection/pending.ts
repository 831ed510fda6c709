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

/**
 * One command on its way: encoded, waiting to be written (in a connection's outbox), then
 * waiting for its reply (in the reply queue).
 *
 * `settled` means the caller has its answer. A command that timed out or was aborted is settled
 * but keeps its slot in the reply queue until its late reply is read and dropped: replies are
 * matched by position, so removing the slot would hand every later reply to the wrong caller.
 */
export class Pending {
  /** The encoded command; dropped once written. */
  payload: string | Buffer | null;
  /** The command name, upper-case, for error messages (never its arguments: they may be secret). */
  readonly name: string;
  wantsBuffers: boolean;
  settled = false;
  /** Handed to the socket: from now on it may have run, so it is never re-sent. */
  written = false;
  /** Belongs to an exclusive lease: fails rather than move to a new socket after a drop. */
  pinned = false;
  /** A blocking command (BLPOP, ...): while it is in flight the connection may be silent. */
  blocking = false;
  /** When the whole command expires (0: never). Counted from the call, not from the write. */
  deadline = 0;
  /** The timeout that set `deadline`, in ms, for the error message. */
  timeout = 0;
  /** When waiting for a connection expires (0: never). Replaced by `deadline` once written. */
  queueDeadline = 0;
  /** The connection it was written to; set for blocking commands only (to unblock on timeout). */
  owner: { unblock(): void } | null = null;

  #resolve: ((value: unknown) => void) | null = null;
  #reject: ((err: Error) => void) | null = null;
  #batch: Batch | null = null;
  #index = 0;
  /** Called once when the command settles, whichever way (aborting: remove a listener). */
  onSettle: (() => void) | null = null;
  /**
   * Set only while someone subscribes to respool:command (its context) or respool:batch (the
   * batch's context, for the connection fields): otherwise null and never looked at again.
   */
  trace: CommandContext | BatchContext | null = null;

  constructor(payload: string | Buffer, name: string, wantsBuffers: boolean) {
    this.payload = payload;
    this.name = name;
    this.wantsBuffers = wantsBuffers;
  }

  /** A promise that settles with this command's reply. Call at most once. */
  promise(): Promise<unknown> {
    const promise = new Promise(capture);
    this.#resolve = capturedResolve!;
    this.#reject = capturedReject!;
    return promise;
  }

  /** Reports into `batch[index]` instead of a promise; errors are stored in place. */
  joinBatch(batch: Batch, index: number): void {
    this.#batch = batch;
    this.#index = index;
  }

  /** The reply arrived. A top-level error reply rejects (or lands in place in a batch). */
  reply(value: Reply): void {
    if (this.settled) return;
    if (value instanceof ReplyError) {
      value.command = this.name;
      this.fail(value);
      return;
    }
    this.settled = true;
    if (this.onSettle !== null) this.onSettle();
    if (this.#batch !== null) this.#batch.set(this.#index, value);
    else {
      if (this.trace !== null) finishCommand(this.trace as CommandContext, value, null);
      this.#resolve!(value);
    }
  }

  fail(err: Error): void {
    if (this.settled) return;
    this.settled = true;
    this.payload = null;
    if (this.onSettle !== null) this.onSettle();
    if (this.#batch !== null) this.#batch.set(this.#index, err);
    else {
      if (this.trace !== null) finishCommand(this.trace as CommandContext, undefined, err);
      this.#reject!(err);
    }
  }
}
