import type { Target } from '../connection/connection.js';

export type { Target } from '../connection/connection.js';

/**
 * Where the pool's connections should go, when that is not a fixed host and port (Sentinel:
 * the current primary, or one of its replicas). The pool asks {@link Locator.next} on every
 * connect and reconnect, tells the locator when a node misbehaves, and moves its connections
 * when the locator reports a change.
 *
 * ```
 *  connection (re)connects ──> next() ──> host:port
 *  connection lost / READONLY / wrong ROLE ──> suspect(address) ──> locator re-checks
 *  locator: the answer changed ──> events.moved() ──> pool relocates connections !accepts()
 * ```
 */
export interface Locator {
  /** Starts looking; `events` is how the locator reports back. Called once by the pool. */
  start(events: LocatorEvents): void;
  /** Resolves once a first address is known, or the locator is closed. Never rejects. */
  ready(): Promise<void>;
  /** The address a connection should use now; null when none is known (closed before any). */
  next(): Target | null;
  /** Whether a connection at `address` may stay where it is. */
  accepts(address: string): boolean;
  /** A connection at `address` was lost, refused, or answered READONLY/LOADING: re-check. */
  suspect(address: string, cause: Error): void;
  /** What connections must verify with ROLE on every connect. */
  readonly expectRole: 'master' | 'slave';
  /** Stops every timer and connection of the locator. */
  close(): Promise<void>;
}

export interface LocatorEvents {
  /** The first address was found. */
  found(address: string): void;
  /** The answer changed: connections at addresses no longer `accepts()`ed must move. */
  moved(from: string, to: string): void;
  /** A whole round failed (no source gave a usable answer); retried after `delay` ms. */
  failed(error: Error, attempt: number, delay: number): void;
  /** A round succeeded after failures. */
  recovered(address: string): void;
  /** The set of usable nodes changed (replicas): connections no longer `accepts()`ed move. */
  changed(): void;
}
