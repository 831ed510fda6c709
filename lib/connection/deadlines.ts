import type { Pending } from './pending.js';

/** Longest a tick may wait: the worst lateness of a timeout added while a tick is scheduled. */
const MAX_TICK_MS = 50;

/**
 * A pipeline watched as one entry of the deadline list, whatever it waits for (QueueWait,
 * PipelineDeadline): the tick asks whether it still needs watching, and at its deadline has it
 * expire, in order, each command that still needs it.
 */
interface GroupDeadline {
  readonly deadline: number;
  /** True while a command still needs watching; steps `next` past those that do not. */
  live(): boolean;
  /** At the deadline: each command from `next` on that still needs it goes to `expire`. */
  expireWith(expire: (pending: Pending) => void): void;
}

/**
 * One deadline for a whole pipeline waiting for a connection (in the router, or in the outbox of
 * a connection not yet ready): the pipeline is one caller waiting, so it costs one entry, not
 * one per command. Its commands carry `queueWatched` instead of a `queueDeadline` of their own
 * (a connection then arms none for them). It lasts until every command is written or settled;
 * at `deadline` every command still unwritten expires, each as a single waiting command would.
 *
 * ```
 *   pendings: [ written | written | settled | waiting | waiting ... ]
 *                                             ^ next: everything before it is done with waiting
 * ```
 * A pipeline is written in order, so `next` only moves forward and each tick reads on from it.
 */
export class QueueWait implements GroupDeadline {
  readonly pendings: readonly Pending[];
  readonly deadline: number;
  next = 0;

  constructor(pendings: readonly Pending[], deadline: number) {
    this.pendings = pendings;
    this.deadline = deadline;
    for (let i = 0; i < pendings.length; i++) pendings[i]!.queueWatched = true;
  }

  /** True while a command of the pipeline still waits to be written. */
  live(): boolean {
    const pendings = this.pendings;
    let i = this.next;
    while (i < pendings.length && (pendings[i]!.settled || pendings[i]!.written)) i++;
    this.next = i;
    return i < pendings.length;
  }

  /** Each command still unwritten expires, as it would with a queue deadline of its own. */
  expireWith(expire: (pending: Pending) => void): void {
    const pendings = this.pendings;
    for (let i = this.next; i < pendings.length; i++) {
      const pending = pendings[i]!;
      if (!pending.settled && !pending.written) expire(pending);
    }
  }
}

/**
 * One command deadline for a whole pipeline whose commands share one timeout (the pool's
 * `commandTimeout`, or `{ timeout }` given to `pool.pipeline`): one entry, not one per command
 * (issue 14: a 1000-command pipeline was 1000 entries, each read on every tick). Its commands
 * carry no `deadline` of their own (so no Extras record either). It lasts until every command is
 * settled; at `deadline` each command not yet settled expires, in order, exactly as it would
 * with a deadline of its own: one still unwritten never will be, one written keeps its slot in
 * the reply queue and its late reply is read and dropped (see Pending).
 *
 * ```
 *   pendings: [ answered | answered | aborted | written | written | unwritten ... ]
 *                                               ^ next: everything before it is settled
 * ```
 * Replies come in order, so `next` moves forward with them and each tick reads on from it; a
 * command settled out of turn (aborted) is stepped over once `next` reaches it.
 */
export class PipelineDeadline implements GroupDeadline {
  readonly pendings: readonly Pending[];
  readonly deadline: number;
  /** In ms, for the error message (see Pending.timeout). */
  readonly timeout: number;
  next = 0;

  constructor(pendings: readonly Pending[], deadline: number, timeout: number) {
    this.pendings = pendings;
    this.deadline = deadline;
    this.timeout = timeout;
  }

  /** True while a command of the pipeline has no answer yet. */
  live(): boolean {
    const pendings = this.pendings;
    let i = this.next;
    while (i < pendings.length && pendings[i]!.settled) i++;
    this.next = i;
    return i < pendings.length;
  }

  /**
   * Each command not yet settled expires, in order, as it would with a deadline of its own
   * (its `timeout` is set first: the error message names it).
   */
  expireWith(expire: (pending: Pending) => void): void {
    const pendings = this.pendings;
    for (let i = this.next; i < pendings.length; i++) {
      const pending = pendings[i]!;
      if (pending.settled) continue;
      pending.timeout = this.timeout;
      expire(pending);
    }
  }
}

/**
 * One coarse timer for every command deadline of a pool, instead of a `setTimeout` per command
 * (which would cost a timer allocation and a heap insert on the hot path).
 *
 * Commands are appended as they are issued; each tick walks the list once, drops those that
 * settled, expires those past their deadline, and sleeps until the earliest remaining deadline
 * (at most {@link MAX_TICK_MS}). Expiring never touches a reply queue: the command is only
 * marked settled, and its slot waits for the late reply (see Pending). Pipelines are lists of
 * their own, one entry each: waiting for a connection ({@link QueueWait}), and under a shared
 * command timeout ({@link PipelineDeadline}).
 */
export class Deadlines {
  #entries: Pending[] = [];
  /** Pipelines, one entry each (QueueWait, PipelineDeadline). */
  #groups: GroupDeadline[] = [];
  #timer: NodeJS.Timeout | null = null;
  readonly #expire: (pending: Pending) => void;

  /** @param expire fails the command with the right error; called at most once per command */
  constructor(expire: (pending: Pending) => void) {
    this.#expire = expire;
  }

  /** Entries: commands, and pipelines (waiting, or under a shared timeout) counted once each. */
  get size(): number {
    return this.#entries.length + this.#groups.length;
  }

  add(pending: Pending): void {
    this.#entries.push(pending);
    if (this.#timer === null) this.#schedule(effectiveDeadline(pending) - Date.now());
  }

  /** Watches a waiting pipeline: one entry for all its commands (see QueueWait). */
  addWait(wait: QueueWait): void {
    this.#addGroup(wait);
  }

  /** Watches a pipeline under one command timeout: one entry for all its commands. */
  addPipeline(pipeline: PipelineDeadline): void {
    this.#addGroup(pipeline);
  }

  #addGroup(group: GroupDeadline): void {
    this.#groups.push(group);
    if (this.#timer === null) this.#schedule(group.deadline - Date.now());
  }

  /** Stops the timer; entries are forgotten (their owners fail them). */
  stop(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    this.#entries = [];
    this.#groups = [];
  }

  #schedule(delay: number): void {
    const ms = Math.max(1, Math.min(delay, MAX_TICK_MS));
    this.#timer = setTimeout(tick, ms, this);
    this.#timer.unref();
  }

  /** @internal called by the module-level timer callback */
  tick(): void {
    this.#timer = null;
    const now = Date.now();
    const entries = this.#entries;
    let kept = 0;
    let earliest = Infinity;
    for (let i = 0; i < entries.length; i++) {
      const pending = entries[i]!;
      if (pending.settled) continue;
      const deadline = effectiveDeadline(pending);
      if (deadline === Infinity) continue;
      if (deadline <= now) {
        this.#expire(pending);
        if (pending.settled) continue;
      }
      if (deadline < earliest) earliest = deadline;
      entries[kept++] = pending;
    }
    entries.length = kept;
    const groups = this.#groups;
    let keptGroups = 0;
    for (let i = 0; i < groups.length; i++) {
      const group = groups[i]!;
      if (!group.live()) continue;
      if (group.deadline <= now) {
        group.expireWith(this.#expire);
        continue;
      }
      if (group.deadline < earliest) earliest = group.deadline;
      groups[keptGroups++] = group;
    }
    groups.length = keptGroups;
    if (kept > 0 || keptGroups > 0) this.#schedule(earliest - now);
  }
}

function tick(deadlines: Deadlines): void {
  deadlines.tick();
}

/** The deadline in force: a written command no longer waits for a connection. */
export function effectiveDeadline(pending: Pending): number {
  const command = pending.deadline === 0 ? Infinity : pending.deadline;
  if (pending.written || pending.queueDeadline === 0) return command;
  return Math.min(command, pending.queueDeadline);
}
