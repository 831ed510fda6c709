/**
 * The health check of one connection: what keep-alive cannot catch (a stopped server whose
 * kernel still ACKs, a flow dropped on the way) is found by the connection's own silence.
 *
 * Every `healthCheckInterval`:
 * - an idle ready connection gets a PING, so it is never silent for lack of questions;
 * - a ready one with commands in flight and nothing heard for two intervals is presumed dead,
 *   unless a probe on a socket of its own (probe.ts) finds the server holding it on purpose
 *   (CLIENT PAUSE during CLUSTER FAILOVER): dropped, it fails what it carries as "may have run";
 * - a connect attempt that commands wait on, its handshake unanswered for two whole intervals,
 *   is dropped too instead of waiting for connectTimeout (a stopped server accepts the TCP
 *   connection and never answers). Nothing was written: with failFast its commands come back
 *   unsent (a cluster sends them to the promoted replica), else they wait for the next attempt.
 *
 * Connections busy with blocking commands are skipped: silence is their normal state.
 */
import { heldChannel } from '../diagnostics/channels.js';
import { ConnectionError } from '../errors.js';
import type { Connection } from './connection.js';
import { heldByServer, publishHeld } from './probe.js';
import type { ConnectionConfig } from './types.js';

export class HealthCheck {
  /** Set by the connection whenever bytes arrive. */
  heard = true;
  readonly #connection: Connection;
  readonly #config: ConnectionConfig;
  readonly #timer: NodeJS.Timeout | null = null;
  #silentChecks = 0;
  /** Checks that found the connect attempt under way with commands waiting on it. */
  #connectChecks = 0;
  /** Cancels the second opinion under way on a silent connection, or null. */
  #probe: AbortController | null = null;

  constructor(connection: Connection, config: ConnectionConfig) {
    this.#connection = connection;
    this.#config = config;
    if (config.healthCheckInterval > 0) {
      this.#timer = setInterval(check, config.healthCheckInterval, this);
      this.#timer.unref();
    }
  }

  /** @internal every interval */
  check(): void {
    const connection = this.#connection;
    const state = connection.state;
    if (state === 'connecting') {
      this.#checkAttempt(connection);
      return;
    }
    if (state !== 'ready' || connection.blockingInFlight > 0) return;
    const awaiting = connection.inFlight - connection.queued;
    if (this.heard || awaiting === 0) this.#silentChecks = 0;
    else this.#silentChecks++;
    this.heard = false;
    if (this.#silentChecks >= 2) {
      if (this.#probe === null) this.#secondOpinion(connection);
    } else if (awaiting === 0 && connection.queued === 0) {
      connection.ping();
    }
  }

  /** A connect attempt begins: its checks start again. */
  attemptStarted(): void {
    this.#connectChecks = 0;
  }

  /**
   * The socket the probe vouches for is gone, or the connection is closing: its verdict would
   * be ignored, and its own socket (ref'd) would keep the process alive until it runs out.
   */
  socketGone(): void {
    const probe = this.#probe;
    if (probe === null) return;
    this.#probe = null;
    probe.abort();
  }

  /** The connection ended: no more checks. */
  stop(): void {
    this.socketGone();
    if (this.#timer !== null) clearInterval(this.#timer);
  }

  #checkAttempt(connection: Connection): void {
    if (connection.queued === 0 || this.heard) {
      this.heard = false;
      this.#connectChecks = 0;
      return;
    }
    // The first check may come just after the attempt began: three make two whole intervals.
    if (++this.#connectChecks < 3) return;
    this.#connectChecks = 0;
    const interval = this.#config.healthCheckInterval;
    connection.recycle(new ConnectionError(
      `no answer to the handshake from ${connection.address} for ${2 * interval} ms`,
    ));
  }

  /**
   * Silent for two intervals: before dropping the connection, ask the server on a socket of its
   * own whether it holds this one on purpose (see probe.ts). Held: wait on, and ask again two
   * intervals later. The probe gets half an interval, so a dead server is still noticed within
   * 3.5 intervals. Losing the socket meanwhile cancels it (socketGone), and its verdict with it.
   *
   * "Not held" is final only after one more turn of the event loop: a server that was slow, not
   * dead, answers the probe and this connection in the same instant, and the probe's answer may
   * be read first in an event-loop pass that then reads this socket's replies. Dropped on the
   * spot, the connection would fail as "may have run" commands that had just been answered.
   */
  #secondOpinion(connection: Connection): void {
    const clientId = connection.clientId;
    if (clientId === 0) {
      this.#drop(connection);
      return;
    }
    const probe = new AbortController();
    this.#probe = probe;
    const where = connection.where;
    const interval = this.#config.healthCheckInterval;
    void heldByServer(this.#config, where, clientId, Math.ceil(interval / 2), probe.signal).then((held) => {
      if (this.#probe !== probe) return;
      if (!held && !this.heard) {
        setImmediate(() => this.#verdict(connection, probe, false));
        return;
      }
      if (this.#verdict(connection, probe, held) && held && heldChannel.hasSubscribers) {
        publishHeld(this.#config, where, connection.id, clientId, Date.now() - connection.lastHeard);
      }
    });
  }

  /**
   * Acts on the probe's answer unless it was cancelled meanwhile: the connection is kept when
   * held or heard from (true), else dropped.
   */
  #verdict(connection: Connection, probe: AbortController, held: boolean): boolean {
    if (this.#probe !== probe) return false;
    this.#probe = null;
    if (connection.state !== 'ready') return false;
    if (!held && !this.heard) {
      this.#drop(connection);
      return false;
    }
    this.#silentChecks = 0;
    return true;
  }

  #drop(connection: Connection): void {
    const interval = this.#config.healthCheckInterval;
    connection.recycle(new ConnectionError(`no reply from ${connection.address} for ${2 * interval} ms`));
  }
}

/** For the interval timer. */
function check(health: HealthCheck): void {
  health.check();
}
