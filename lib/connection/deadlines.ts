import type { Pending } from './pending.js';

/** Longest a tick may wait: the worst lateness of a timeout added while a tick is scheduled. */
const MAX_TICK_MS = 50;

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
export class QueueWait {
  readonly pendings: readonly Pending[];
  readonly deadline: number;
  next = 0;

  constructor(pendings: readonly Pending[], deadline: number) {
    this.pendings = pendings;
    this.deadline = deadline;
    for (let i = 0; i < pendings.length; i++) pendings[i]!.queueWatched = true;
  }

  /** True while a command of the pipeline still waits to be written. */
  waiting(): boolean {
    const pendings = this.pendings;
    let i = this.next;
    while (i < pendings.length && (pendings[i]!.settled || pendings[i]!.written)) i++;
    this.next = i;
    return i < pendings.length;
  }
}

/**
 * One coarse timer for every command deadline of a pool, instead of a `setTimeout` per command
 * (which would cost a timer allocation and a heap insert on the hot path).
 *
 * Commands are appended as they are issued; each tick walks the list once, drops those that
 * settled, expires those past their deadline, and sleeps until the earliest remaining deadline
 * (at most {@link MAX_TICK_MS}). Expiring never touches a reply queue: the command is only
 * marked settled, and its slot waits for the late reply (see Pending). Waiting pipelines are a
 * list of their own ({@link QueueWait}), one entry each.
 */
export class Deadlines {
  #entries: Pending[] = [];
  #waits: QueueWait[] = [];
  #timer: NodeJS.Timeout | null = null;
  readonly #expire: (pending: Pending) => void;

  /** @param expire fails the command with the right error; called at most once per command */
  constructor(expire: (pending: Pending) => void) {
    this.#expire = expire;
  }

  /** Entries: commands, and waiting pipelines counted once each. */
  get size(): number {
    return this.#entries.length + this.#waits.length;
  }

  add(pending: Pending): void {
    this.#entries.push(pending);
    if (this.#timer === null) this.#schedule(effectiveDeadline(pending) - Date.now());
  }

  /** Watches a waiting pipeline: one entry for all its commands (see QueueWait). */
  addWait(wait: QueueWait): void {
    this.#waits.push(wait);
    if (this.#timer === null) this.#schedule(wait.deadline - Date.now());
  }

  /** Stops the timer; entries are forgotten (their owners fail them). */
  stop(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    this.#entries = [];
    this.#waits = [];
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
    const waits = this.#waits;
    let keptWaits = 0;
    for (let i = 0; i < waits.length; i++) {
      const wait = waits[i]!;
      if (!wait.waiting()) continue;
      if (wait.deadline <= now) {
        this.#expireWait(wait);
        continue;
      }
      if (wait.deadline < earliest) earliest = wait.deadline;
      waits[keptWaits++] = wait;
    }
    waits.length = keptWaits;
    if (kept > 0 || keptWaits > 0) this.#schedule(earliest - now);
  }

  /** Each command still unwritten expires, as it would with a queue deadline of its own. */
  #expireWait(wait: QueueWait): void {
    const pendings = wait.pendings;
    for (let i = wait.next; i < pendings.length; i++) {
      const pending = pendings[i]!;
      if (!pending.settled && !pending.written) this.#expire(pending);
    }
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
