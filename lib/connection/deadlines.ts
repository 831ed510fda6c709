import type { Pending } from './pending.js';

/** Longest a tick may wait: the worst lateness of a timeout added while a tick is scheduled. */
const MAX_TICK_MS = 50;

/**
 * One coarse timer for every command deadline of a pool, instead of a `setTimeout` per command
 * (which would cost a timer allocation and a heap insert on the hot path).
 *
 * Commands are appended as they are issued; each tick walks the list once, drops those that
 * settled, expires those past their deadline, and sleeps until the earliest remaining deadline
 * (at most {@link MAX_TICK_MS}). Expiring never touches a reply queue: the command is only
 * marked settled, and its slot waits for the late reply (see Pending).
 */
export class Deadlines {
  #entries: Pending[] = [];
  #timer: NodeJS.Timeout | null = null;
  readonly #expire: (pending: Pending) => void;

  /** @param expire fails the command with the right error; called at most once per command */
  constructor(expire: (pending: Pending) => void) {
    this.#expire = expire;
  }

  get size(): number {
    return this.#entries.length;
  }

  add(pending: Pending): void {
    this.#entries.push(pending);
    if (this.#timer === null) this.#schedule(effectiveDeadline(pending) - Date.now());
  }

  /** Stops the timer; entries are forgotten (their owners fail them). */
  stop(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    this.#entries = [];
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
    if (kept > 0) this.#schedule(earliest - now);
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
