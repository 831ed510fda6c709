import type { ReplyError } from '../errors.js';
import type { Reply } from '../resp/types.js';
import type { BackoffPolicy } from './backoff.js';
import type { Connection } from './connection.js';
import type { HandshakeOptions } from './handshake.js';
import type { SocketOptions } from './socket.js';

// What a connection is configured with, what it reports to its owner, and its states: the
// contract between a Connection and whoever owns it (a pool, a subscriber, a Sentinel watcher).

/**
 * ```
 *            connect()                 handshake ok
 *   (new) ──────────────> connecting ─────────────────> ready
 *                            │  ▲                         │ socket lost / stalled /
 *            socket lost,    │  │ timer fires             │ protocol error
 *            retries left    ▼  │                         ▼
 *                         reconnecting <──────────────────┘
 *                            │
 *    close(), fatal handshake error, attempts exhausted
 *                            ▼
 *                  closing ──> closed
 * ```
 */
export type ConnectionState = 'connecting' | 'ready' | 'reconnecting' | 'closing' | 'closed';

export interface ConnectionConfig extends SocketOptions, HandshakeOptions, BackoffPolicy {
  /** "host:port" or socket path, for messages. */
  address: string;
  connectTimeout: number;
  /** How long a command may wait for the connection to become ready (0: no limit). */
  queueTimeout: number;
  maxPending: number;
  failFast: boolean;
  healthCheckInterval: number;
  /** Pub/sub mode: pub/sub frames are routed to `push` even under RESP2. */
  subscriber?: boolean;
  /** Decode pushes (RESP2 pub/sub frames included) with Buffers. */
  pushBuffers?: boolean;
  /**
   * Asked before every connect (first and each reconnect) where to connect now, e.g. the
   * primary Sentinel reports; unset: always `host`/`port`. null: nowhere known (yet), which
   * counts as a failed attempt.
   */
  locate?: () => Target | null;
}

/** Where to connect; see {@link ConnectionConfig.locate}. */
export interface Target {
  host: string;
  port: number;
  /** "host:port", for messages. */
  address: string;
}

/** How a connection tells its owner what happened. No EventEmitter: nothing can go unheard. */
export interface ConnectionHooks {
  ready(connection: Connection): void;
  reconnecting(connection: Connection, delay: number, attempt: number, cause: Error): void;
  end(connection: Connection, cause: Error | null): void;
  push(connection: Connection, frame: Reply[]): void;
  /** A blocking command timed out: its owner should send CLIENT UNBLOCK for `clientId`. */
  unblock(connection: Connection): void;
  /**
   * The server answered READONLY or LOADING although the connection expects a role
   * (`expectRole`): it is no longer the node it was. Only called when `expectRole` is set.
   */
  misplaced?(connection: Connection, reply: ReplyError): void;
}

/** Hooks for a one-off connection whose owner only awaits its commands (probes, questions). */
export const QUIET_HOOKS: ConnectionHooks = {
  ready: () => undefined,
  reconnecting: () => undefined,
  end: () => undefined,
  push: () => undefined,
  unblock: () => undefined,
};
