import { QueueFullError, type RedisError } from '../errors.js';
import { Fifo } from '../connection/fifo.js';

interface Waiter {
  resolve: () => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout | null;
  done: boolean;
}

/**
 * A FIFO of callers waiting for a slot (an exclusive lease), each bounded by a timeout and the
 * list by a length. Off the hot path: a timer per waiter is fine here.
 */
export class Waitlist {
  readonly #waiters = new Fifo<Waiter>();
  readonly #timeout: number;
  readonly #max: number;
  readonly #timedOut: () => RedisError;

  constructor(timeout: number, max: number, timedOut: () => RedisError) {
    this.#timeout = timeout;
    this.#max = max;
    this.#timedOut = timedOut;
  }

  /** Resolves when a slot is given to this caller. */
  take(): Promise<void> {
    if (this.#waiters.length >= this.#max) {
      return Promise.reject(new QueueFullError(`${this.#waiters.length} callers already wait for a connection (maxPending)`));
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, timer: null, done: false };
      if (this.#timeout > 0) {
        waiter.timer = setTimeout(() => {
          waiter.done = true;
          reject(this.#timedOut());
        }, this.#timeout);
      }
      this.#waiters.push(waiter);
    });
  }

  /**
   * A slot is free: hand it to the oldest caller still waiting.
   * @returns true when a caller took it (the slot stays in use), false when nobody waits
   */
  give(): boolean {
    for (let waiter = this.#waiters.shift(); waiter !== undefined; waiter = this.#waiters.shift()) {
      if (waiter.done) continue;
      waiter.done = true;
      if (waiter.timer !== null) clearTimeout(waiter.timer);
      waiter.resolve();
      return true;
    }
    return false;
  }

  failAll(err: Error): void {
    for (let waiter = this.#waiters.shift(); waiter !== undefined; waiter = this.#waiters.shift()) {
      if (waiter.done) continue;
      waiter.done = true;
      if (waiter.timer !== null) clearTimeout(waiter.timer);
      waiter.reject(err);
    }
  }
}
