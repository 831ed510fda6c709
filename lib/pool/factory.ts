import type { Factory } from 'generic-pool';
import { backoffDelay, type BackoffPolicy } from '../connection/backoff.js';
import type { Connection } from '../connection/connection.js';

/**
 * The generic-pool factory.
 *
 * generic-pool retries a rejected `create` at once, for as long as anyone waits: with a server
 * down that is a tight loop. So `create` never rejects: a Connection is returned at once and
 * connects in the background, retrying with backoff by itself; commands sent meanwhile wait in
 * its outbox, bounded by time and count.
 *
 * What a connection cannot retry (a wrong password) ends it; the pool then needs a new one, and
 * the {@link CreateGate} spaces those creations with the same backoff so a bad password cannot
 * become a connect/refuse loop either.
 */
export function connectionFactory(
  make: () => Connection,
  gate: CreateGate,
  closeTimeout: number,
  located?: () => Promise<void>,
): Factory<Connection> {
  return {
    async create() {
      await gate.wait();
      // With Sentinel, a connection can only be made once a first node is known.
      if (located !== undefined) await located();
      return make();
    },
    async destroy(connection) {
      await closeWithin(connection, closeTimeout);
    },
    async validate(connection) {
      return connection.state !== 'closed' && connection.state !== 'closing';
    },
  };
}

/** Closes gracefully, and destroys if that takes longer than `ms` (a blocked command). */
async function closeWithin(connection: Connection, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
    timer.unref();
  });
  await Promise.race([connection.close(), late]);
  clearTimeout(timer);
  if (connection.state !== 'closed') connection.destroy();
}

/** Spaces out connection creation after connections ended with unretryable errors. */
export class CreateGate {
  #failures = 0;
  #timer: NodeJS.Timeout | null = null;
  #waiters: (() => void)[] = [];
  readonly #policy: BackoffPolicy;

  constructor(policy: BackoffPolicy) {
    this.#policy = { ...policy, maxAttempts: null };
  }

  /**
   * A connection ended for good without ever being ready.
   * @returns the delay the next creation will wait, ms
   */
  failed(): number {
    this.#failures++;
    return backoffDelay(this.#policy, this.#failures - 1)!;
  }

  /** A connection became ready: creation is healthy again. */
  succeeded(): void {
    this.#failures = 0;
  }

  wait(): Promise<void> {
    if (this.#failures === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.#waiters.push(resolve);
      if (this.#timer === null) {
        const delay = backoffDelay(this.#policy, this.#failures - 1)!;
        this.#timer = setTimeout(() => this.open(), delay);
        this.#timer.unref();
      }
    });
  }

  /** Lets every waiting creation through (also used when the pool closes). */
  open(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const resolve of waiters) resolve();
  }
}
