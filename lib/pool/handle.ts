import { ConnectionError, RedisError } from '../errors.js';
import type { Connection } from '../connection/connection.js';
import { Batch, type Pending } from '../connection/pending.js';
import { batchChannel, commandChannel, type ServerTarget } from '../diagnostics/channels.js';
import { startCommand, traceBatch } from '../diagnostics/trace.js';
import type { Arg, Command, Reply } from '../resp/types.js';
import { runTransaction } from '../commands/transaction.js';
import { REPLICA_WAITS } from '../commands/curated.js';
import { mayReplicate } from '../commands/info.js';
import { commandKind, type CommandKind } from './command-kinds.js';
import type { Router } from './router.js';
import { checkCommandOptions, type CommandOptions } from './command-options.js';

export type { CommandOptions };


/** Server-side state a handle left on an exclusive connection, to undo before reuse. */
export interface SessionState {
  multi: boolean;
  watching: boolean;
  /** The db SELECTed last, or null when unchanged. */
  db: number | null;
  /** CLIENT SETNAME (or HELLO SETNAME) ran: put the pool's name back. */
  named: boolean;
  /** State that cannot be undone cheaply (SUBSCRIBE, CLIENT REPLY...): replace the connection. */
  poisoned: boolean;
}

/** What a handle needs from its pool. */
export interface PoolCore {
  readonly router: Router;
  /** The pool's RESP version (a HELLO that keeps it changes nothing). */
  readonly protocol: 2 | 3;
  /** Where commands go, for the diagnostics channels. */
  readonly target: ServerTarget;
  /** Encodes (throws TypeError on bad arguments) and wraps a command; nothing is sent. */
  prepare(command: Command, options: CommandOptions | undefined): Pending;
  /** Starts the command's clock and abort listener, once its promise or batch is attached. */
  arm(pending: Pending, options: CommandOptions | undefined): void;
  /** The same for a pipeline's commands, with one deadline for them all (see PipelineDeadline). */
  armPipeline(pendings: readonly Pending[], options: CommandOptions | undefined): void;
  /** A connection of the handle's own (an exclusive lease from generic-pool). */
  acquireExclusive(): Promise<Connection>;
  /** Gives an exclusive connection back, undoing `state` first. Never throws. */
  returnExclusive(connection: Connection, state: SessionState, lostAt: number): Promise<void>;
  /** A `use` callback ended and its handle is checked in (close() waits for them all). */
  usedOne(): void;
}

interface Queued {
  pending: Pending;
  kind: CommandKind;
  command: Command;
}

/** A {@link Handle}'s fields that most handles never set. */
class Rare {
  /** The exclusive connection, once upgraded; its lostCount then. */
  lease: Connection | null = null;
  lostAt = 0;
  /** Commands issued while the handle waits for a lease or a first connection, in order. */
  queue: Queued[] | null = null;
  drained: Promise<void> | null = null;
  /** Made with the lease: a handle that stays shared (the usual one) never needs it. */
  session: SessionState | null = null;
  /** This handle's own blocking WAIT on a shared connection: its next commands follow it there. */
  ownWait: Pending | null = null;
}

/**
 * Commands whose replies do not come back one per command (SUBSCRIBE answers once per channel
 * and then pushes messages, MONITOR streams, CLIENT REPLY OFF/SKIP silences replies), or that
 * hand the socket to another protocol (SYNC, PSYNC). Replies are matched to callers by
 * position, so on a command connection they would hang or shift every later reply onto the
 * wrong caller: refused on handles too. Pub/sub has its own connection: `pool.subscribe`.
 */
const OUT_OF_STEP = new Set([
  'SUBSCRIBE', 'PSUBSCRIBE', 'SSUBSCRIBE', 'UNSUBSCRIBE', 'PUNSUBSCRIBE', 'SUNSUBSCRIBE',
  'MONITOR', 'SYNC', 'PSYNC',
]);

/** The EUSAGE error for a command no handle can run, or null. */
function refusal(name: string, command: Command): RedisError | null {
  const clientReply = name === 'CLIENT' && typeof command[1] === 'string' && command[1].toUpperCase() === 'REPLY';
  if (!clientReply && !OUT_OF_STEP.has(name)) return null;
  const what = clientReply ? 'CLIENT REPLY' : name;
  return new RedisError(
    `${what} breaks the one-reply-per-command order a pooled connection relies on, so it is ` +
      'not sent' + (name.includes('SUBSCRIBE') ? ': use pool.subscribe() / pool.psubscribe()' : ''),
    'EUSAGE',
  );
}

/**
 * What `pool.use(fn)` hands to `fn`: the caller's own view of a connection.
 *
 * It starts **shared**: stateless commands ride a pipelined connection with other callers,
 * bound to one connection so they keep their order. The first command that needs the
 * connection to itself (MULTI, WATCH, SELECT, BLPOP, SUBSCRIBE...) **upgrades** it: the handle
 * waits for its own earlier commands to be answered, then takes an exclusive lease, and every
 * later command goes there. When `fn` ends the lease is reset (DISCARD, UNWATCH, SELECT) or,
 * if that cannot be done, the connection is replaced.
 *
 * While the handle waits for something (a lease, a first connection), later commands queue
 * behind it in order.
 *
 * **WAIT / WAITAOF** count the replicas that acknowledged the writes made *on their own
 * connection* (the server keeps one replication offset per client). So they run where the
 * handle's last write went: on its shared connection (held like any blocking command: the router
 * sends nothing new there and other handles bound to it move on), or on its lease. The handle
 * only ever moves to another connection once its earlier commands are answered, and the
 * replication offset only grows, so that one connection's offset covers every earlier write.
 *
 * `B` (types only): the pool's `returnBuffers`, for the typed methods' reply types.
 */
export class Handle<B extends boolean = false> {
  readonly #core: PoolCore;
  #bound: Connection | null = null;
  /** The last command sent on the shared connection: an upgrade waits for its reply. */
  #lastShared: Pending | null = null;
  #released = false;
  /**
   * The connection that carried the handle's last command that may replicate (a write), and its
   * lostCount then: WAIT/WAITAOF go there. Null until the handle writes.
   */
  #writer: Connection | null = null;
  #writerLost = 0;
  /**
   * What only some handles need (a lease, commands queued behind one, a WAIT of their own),
   * made on first use: a `use` callback that sends one command on a shared connection (the
   * usual one) carries six fields, not twelve, while 10,000 of them wait.
   */
  #rare: Rare | null = null;

  /**
   * Its fields are read through `this.#rare` itself, not through private getters: V8 calls a
   * private accessor through the runtime even from optimized code (Runtime_LoadPrivateGetter,
   * on every command and every release, in a perf profile of `use`).
   */
  #more(): Rare {
    return (this.#rare ??= new Rare());
  }

  constructor(core: PoolCore) {
    this.#core = core;
  }

  /** True once this handle holds a connection of its own. */
  get exclusive(): boolean {
    return this.#rare !== null && this.#rare.lease !== null;
  }

  /** Sends a command; resolves with its reply, rejects with ReplyError or another RedisError. */
  command(command: Command, options?: CommandOptions): Promise<Reply> {
    if (this.#released) return Promise.reject(usedAfterRelease());
    let pending: Pending;
    try {
      if (options !== undefined) checkCommandOptions(options);
      pending = this.#core.prepare(command, options);
    } catch (err) {
      return Promise.reject(err);
    }
    const kind = commandKind(pending.name, command, this.#core.protocol);
    if (kind === 'poison') {
      const refused = refusal(pending.name, command);
      if (refused !== null) return Promise.reject(refused);
    }
    const promise = pending.promise() as Promise<Reply>;
    if (commandChannel.hasSubscribers) pending.trace = startCommand(command, pending.name, this.#core.target);
    this.#core.arm(pending, options);
    this.#submit(pending, kind, command);
    return promise;
  }

  /**
   * Sends commands back to back, in order, on this handle's connection. Resolves to their
   * replies with errors (ReplyError, ConnectionError, TimeoutError) in place.
   */
  pipeline(commands: readonly Command[], options?: CommandOptions): Promise<unknown[]> {
    if (this.#released) return Promise.reject(usedAfterRelease());
    if (commands.length === 0) return Promise.resolve([]);
    let pendings: Pending[];
    try {
      if (options !== undefined) checkCommandOptions(options);
      pendings = commands.map((command) => this.#core.prepare(command, options));
    } catch (err) {
      return Promise.reject(err);
    }
    const kinds = new Array<CommandKind>(pendings.length);
    for (let i = 0; i < pendings.length; i++) {
      const kind = (kinds[i] = commandKind(pendings[i]!.name, commands[i]!, this.#core.protocol));
      const refused = kind === 'poison' ? refusal(pendings[i]!.name, commands[i]!) : null;
      if (refused !== null) return Promise.reject(refused);
    }
    let batch!: Batch;
    const promise = new Promise<unknown[]>((resolve) => (batch = new Batch(pendings.length, resolve)));
    if (batchChannel.hasSubscribers) traceBatch(batch, pendings, commands, this.#core.target);
    for (let i = 0; i < pendings.length; i++) pendings[i]!.joinBatch(batch, i);
    this.#core.armPipeline(pendings, options);
    for (let i = 0; i < pendings.length; i++) this.#submit(pendings[i]!, kinds[i]!, commands[i]!);
    return promise;
  }

  /** @param kind the command's {@link commandKind}, worked out by the caller */
  #submit(pending: Pending, kind: CommandKind, command: Command): void {
    const rare = this.#rare;
    if (rare !== null && rare.queue !== null) {
      rare.queue.push({ pending, kind, command });
      return;
    }
    const step = this.#route(pending, kind, command);
    if (step !== null) {
      const more = this.#more();
      more.queue = [{ pending, kind, command }];
      more.drained = this.#drainQueue(step);
    }
  }

  /** Sends now, or returns what must happen first (a lease, a first connection). */
  #route(pending: Pending, kind: CommandKind, command: Command): Promise<void> | null {
    const lease = this.#rare === null ? null : this.#rare.lease;
    const writer = this.#writer;
    if (kind === 'blocking' && writer !== null && writer !== lease && REPLICA_WAITS.has(pending.name)) {
      this.#waitOn(writer, pending);
      return null;
    }
    if (lease !== null) {
      this.#sendExclusive(lease, pending, kind, command);
      return null;
    }
    if (kind !== 'shared') return this.#upgrade();
    let bound = this.#bound;
    // Someone else's WAIT holds it: replies there wait for replicas, so move (in order).
    if (bound !== null && bound.blockingInFlight > 0) {
      const ownWait = this.#rare === null ? null : this.#rare.ownWait;
      if (ownWait === null || ownWait.settled) return this.#unbindShared();
    }
    if (bound === null) bound = this.#bound = this.#core.router.bind();
    if (bound === null) return this.#core.router.whenAvailable();
    bound.send(pending);
    this.#lastShared = pending;
    if (mayReplicate(command)) this.#wrote(bound);
    return null;
  }

  #wrote(connection: Connection): void {
    this.#writer = connection;
    this.#writerLost = connection.lostCount;
  }

  /**
   * WAIT/WAITAOF on the shared connection that carried the handle's writes: a blocking command
   * there (the router avoids the connection while it is in flight), never moved to a new socket.
   */
  #waitOn(writer: Connection, pending: Pending): void {
    if (writer.lostCount !== this.#writerLost || writer.state === 'closed') {
      pending.fail(new ConnectionError(
        `the connection to ${writer.address} that carried this handle's writes was lost, so ` +
          `${pending.name} could not tell whether they reached the replicas; it was not sent`,
        { unsent: true },
      ));
      return;
    }
    if (writer !== this.#bound && !this.#core.router.holds(writer)) {
      pending.fail(new RedisError(
        `the connection that carried this handle's writes went to another borrower, so ${pending.name} ` +
          'cannot count their replication; it was not sent (write and WAIT with no state-changing command between)',
        'EWAITSCOPE',
      ));
      return;
    }
    pending.pinned = true;
    pending.blocking = true;
    this.#more().ownWait = pending;
    if (writer === this.#bound) this.#lastShared = pending;
    writer.send(pending);
    // Written now, so the router and bound handles see it blocking before they add behind it.
    writer.flush();
  }

  /** Leaves the shared connection once the handle's last command there is answered. */
  async #unbindShared(): Promise<void> {
    const last = this.#lastShared;
    if (last !== null && !last.settled) await settledOf(last);
    this.#lastShared = null;
    if (this.#bound !== null) {
      this.#core.router.unbind(this.#bound);
      this.#bound = null;
    }
  }

  async #drainQueue(first: Promise<void>): Promise<void> {
    const rare = this.#rare!;
    const queue = rare.queue!;
    let step: Promise<void> | null = first;
    for (let i = 0; i < queue.length; i++) {
      const { pending, kind, command } = queue[i]!;
      if (i > 0) step = this.#route(pending, kind, command);
      while (step !== null) {
        try {
          await step;
        } catch (err) {
          pending.fail(err as Error);
          break;
        }
        step = this.#route(pending, kind, command);
      }
    }
    rare.queue = null;
  }

  async #upgrade(): Promise<void> {
    // Earlier commands went to the shared connection; the lease may be another connection,
    // so wait for their replies first or the order the caller issued could be lost. Wait for
    // the last *command*, not for the promise it belongs to: a pipeline's one promise settles
    // only when its later commands, the ones waiting for this upgrade, are answered too.
    const last = this.#lastShared;
    if (last !== null) {
      this.#lastShared = null;
      if (!last.settled) await settledOf(last);
    }
    if (this.#bound !== null) {
      this.#core.router.unbind(this.#bound);
      this.#bound = null;
    }
    const connection = await this.#core.acquireExclusive();
    const rare = this.#more();
    rare.lease = connection;
    rare.lostAt = connection.lostCount;
    rare.session = { multi: false, watching: false, db: null, named: false, poisoned: false };
  }

  #sendExclusive(connection: Connection, pending: Pending, kind: CommandKind, command: Command): void {
    const rare = this.#rare!;
    if (connection.lostCount !== rare.lostAt || connection.state === 'closed') {
      pending.fail(new ConnectionError(
        `the connection of this use() handle to ${connection.address} was lost; ` +
          'its session (MULTI, WATCH, SELECT) is gone and the command was not sent',
      ));
      return;
    }
    pending.pinned = true;
    if (kind === 'blocking') pending.blocking = true;
    else if (kind === 'session') this.#track(pending.name, command);
    else if (kind === 'poison') rare.session!.poisoned = true;
    connection.send(pending);
    if (mayReplicate(command)) this.#wrote(connection);
  }

  #track(name: string, command: Command): void {
    const session = this.#rare!.session!;
    switch (name) {
      case 'MULTI':
        session.multi = true;
        break;
      case 'EXEC':
      case 'DISCARD':
        session.multi = false;
        session.watching = false;
        break;
      case 'WATCH':
        session.watching = true;
        break;
      case 'UNWATCH':
        session.watching = false;
        break;
      case 'SELECT':
        session.db = Number(command[1]);
        break;
      case 'CLIENT':
      case 'HELLO':
        session.named = true;
        break;
    }
  }

  // ── features ──────────────────────────────────────────────────────────────────────────

  /**
   * WATCHes keys for the next {@link Handle.transaction}: if another client changes one of them
   * before EXEC, the transaction does not run and resolves null. Takes a connection of the
   * handle's own; the watch is dropped (UNWATCH) when the handle is released.
   */
  watch(...keys: Arg[]): Promise<Reply> {
    if (keys.length === 0) return Promise.reject(new TypeError('watch needs at least one key'));
    return this.command(['WATCH', ...keys]);
  }

  /** Forgets every WATCHed key. */
  unwatch(): Promise<Reply> {
    return this.command(['UNWATCH']);
  }

  /**
   * Runs `commands` inside MULTI ... EXEC on this handle's connection. Resolves to EXEC's
   * results (errors in place), or null when a key WATCHed before it changed; rejects with the
   * EXECABORT ReplyError when a command was refused while queueing.
   */
  transaction(commands: readonly Command[], options?: CommandOptions): Promise<Reply[] | null> {
    return runTransaction((c, o) => this.pipeline(c, o), commands, options);
  }

  /**
   * @internal Called by `pool.use` when `fn` has ended: releases the handle, then tells the pool
   * it is checked in (`usedOne`). Never rejects. Returns null when that is done at once (a handle
   * that stayed shared and queued nothing, the usual case), so `use` spends no promise and no
   * microtask on it.
   */
  release(): Promise<void> | null {
    if (this.#released) return null;
    this.#released = true;
    const rare = this.#rare;
    if (rare !== null && (rare.drained !== null || rare.lease !== null)) {
      return this.#releaseLater(rare).then(this.#core.usedOne);
    }
    this.#unbind();
    this.#core.usedOne();
    return null;
  }

  async #releaseLater(rare: Rare): Promise<void> {
    if (rare.drained !== null) await rare.drained;
    this.#unbind();
    const lease = rare.lease;
    if (lease !== null) {
      rare.lease = null;
      await this.#core.returnExclusive(lease, rare.session!, rare.lostAt);
    }
  }

  #unbind(): void {
    if (this.#bound !== null) {
      this.#core.router.unbind(this.#bound);
      this.#bound = null;
    }
  }
}

function usedAfterRelease(): RedisError {
  return new RedisError('this handle was used after its use() callback returned', 'EUSAGE');
}

/** Resolves when `pending` settles, however (reply, error, timeout, abort). */
function settledOf(pending: Pending): Promise<void> {
  return new Promise((resolve) => {
    const previous = pending.onSettle;
    pending.onSettle = previous === null ? resolve as () => void : () => {
      previous();
      resolve();
    };
  });
}
