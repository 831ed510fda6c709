import type net from 'node:net';
import { connectChannel, reconnectChannel, type ConnectContext, type ServerTarget } from '../diagnostics/channels.js';
import {
  connectFailed, connectSucceeded, publishReconnect, serverTarget, startConnect,
} from '../diagnostics/trace.js';
import { backoffDelay } from './backoff.js';
import type { Connection } from './connection.js';
import { openSocket } from './socket.js';
import type { ConnectionConfig, Target } from './types.js';

/**
 * One connection's connect attempts: where each goes (asking `locate` first), how long it may
 * take (connectTimeout), how long to wait before the next (capped backoff with jitter, see
 * backoff.ts), and their traces on respool:connect and respool:reconnect. It opens sockets but
 * owns none: the connection listens to them and runs the handshake. All of this is off the
 * hot path: it runs once per socket, never per command.
 *
 * ```
 *   open() ──> socket ──handshake ok──> succeeded()            (count = 0)
 *                 └──────lost/failed──> failed(), nextDelay()  (count + 1, or 0 after a
 *                                       relocation) ──> retryIn(delay) ──timer──> open()
 * ```
 */
export class Attempts {
  /** Attempts that failed in a row since the last success or relocation. */
  count = 0;
  /** Where the current (or last) socket goes. */
  where: Target;

  readonly #connection: Connection;
  readonly #config: ConnectionConfig;
  #connectTimer: NodeJS.Timeout | null = null;
  #retryTimer: NodeJS.Timeout | null = null;
  /** The respool:connect context of the attempt under way, when someone subscribes. */
  #trace: ConnectContext | null = null;
  #target: ServerTarget | null = null;
  /** The next attempt follows a relocation: no backoff, it is not a failure of the new node. */
  #relocating = false;

  constructor(connection: Connection, config: ConnectionConfig) {
    this.#connection = connection;
    this.#config = config;
    this.where = config;
  }

  /**
   * Starts an attempt and returns its socket, or null when `locate` knew no address: the
   * connection then hears `closed(null)` on a timer, as from a socket that failed.
   */
  open(): net.Socket | null {
    this.#retryTimer = null;
    const located = this.#config.locate?.();
    if (located === null) {
      this.#retryTimer = setTimeout(unlocated, 0, this.#connection);
      return null;
    }
    if (located !== undefined && located.address !== this.where.address) {
      this.where = located;
      this.#target = null; // traces name the node actually used
    }
    if (connectChannel.hasSubscribers) {
      this.#trace = startConnect(this.#traceTarget(), this.#connection.id, this.count, this.#config.subscriber === true);
    }
    const where = this.where;
    const socket = openSocket(
      where === this.#config ? this.#config : { ...this.#config, host: where.host, port: where.port },
    );
    if (this.#config.connectTimeout > 0) {
      this.#connectTimer = setTimeout(connectTimedOut, this.#config.connectTimeout, this);
      this.#connectTimer.unref();
    }
    return socket;
  }

  /** The handshake succeeded: the attempt is over and the failure count starts again. */
  succeeded(peerAddress: string | undefined, peerPort: number | undefined, protocol: 2 | 3, clientId: number): void {
    if (this.#trace !== null) {
      connectSucceeded(this.#trace, peerAddress, peerPort, protocol, clientId);
      this.#trace = null;
    }
    this.#clearConnectTimer();
    this.count = 0;
  }

  /** The socket is gone. Ends the trace of an attempt that did not reach 'ready'. */
  failed(cause: Error): void {
    this.#clearConnectTimer();
    if (this.#trace === null) return;
    connectFailed(this.#trace, cause);
    this.#trace = null;
  }

  /** The socket is dropped because the node moved: the next attempt goes at once. */
  relocating(): void {
    this.#relocating = true;
  }

  /** The wait for the next attempt is cut short: the connection connects at once. */
  cancelRetry(): void {
    if (this.#retryTimer !== null) clearTimeout(this.#retryTimer);
  }

  /** @returns how long to wait before the next attempt, or null when none is left. */
  nextDelay(): number | null {
    const delay = this.#relocating ? 0 : backoffDelay(this.#config, this.count++);
    this.#relocating = false;
    return delay;
  }

  /** Opens the next socket in `delay` ms (the connection's `reconnectNow`). */
  retryIn(delay: number, cause: Error): void {
    if (reconnectChannel.hasSubscribers) {
      publishReconnect(this.#traceTarget(), this.#connection.id, delay, this.count, cause, this.#config.subscriber === true);
    }
    // Not unref'd: a connected socket keeps the process alive, so must the wait between two
    // sockets, or a script awaiting a command during a reconnect would just exit (code 13).
    this.#retryTimer = setTimeout(reconnect, delay, this.#connection);
  }

  /** No attempt will follow: the connection ended. */
  stop(): void {
    if (this.#retryTimer !== null) clearTimeout(this.#retryTimer);
    this.#clearConnectTimer();
  }

  /** @internal connectTimeout fired before the handshake finished. */
  timedOut(): void {
    this.#connectTimer = null;
    this.#connection.connectTimedOut(this.#config.connectTimeout);
  }

  #clearConnectTimer(): void {
    if (this.#connectTimer !== null) clearTimeout(this.#connectTimer);
    this.#connectTimer = null;
  }

  #traceTarget(): ServerTarget {
    return (this.#target ??= serverTarget({ ...this.#config, host: this.where.host, port: this.where.port }));
  }
}

// Timer callbacks are module-level functions: no closure per attempt.
function reconnect(connection: Connection): void {
  connection.reconnectNow();
}
function unlocated(connection: Connection): void {
  connection.closed(null);
}
function connectTimedOut(attempts: Attempts): void {
  attempts.timedOut();
}
