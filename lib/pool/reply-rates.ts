import type { Connection } from '../connection/connection.js';

/** Re-estimate a connection's reply rate at most this often (ms). */
const WINDOW_MS = 20;
/** Weight of the newest window in the running estimate. */
const ALPHA = 0.3;

interface Rate {
  /** `connection.answered` and the time at the last estimate. */
  answered: number;
  at: number;
  /** Replies per ms, smoothed; 0 until a first window has passed. */
  perMs: number;
}

/**
 * How long a command sent now to a connection would wait, estimated from what is in flight
 * there and how fast that connection has been answering: the router places a pipeline on the
 * connection with the shortest wait (issue 14).
 *
 * Why not the fewest in flight: with 200 callers of 1000-command pipelines on 8 sockets, every
 * socket held 24-25k commands, but one answered 32 pipelines in 6 s while another answered 889
 * (the client, busy on one core, reads some sockets more per pass than others: see the README's
 * `pipeline(1000)` tail). Equal depth at unequal rates made a pipeline on a slow socket wait for
 * seconds. Weighing depth by rate sends fewer pipelines where replies come slowly. Nothing is
 * held back: a pipeline still goes at once, whole (holding pipelines back under a cap was tried
 * and halved throughput).
 *
 * Estimated only when a pipeline is placed, once per window per connection: no per-command cost.
 * A connection rarely chosen may look slow because it had little to answer; its in-flight count
 * then falls, and with it its estimate, until it is chosen again.
 */
export class ReplyRates {
  readonly #rates = new WeakMap<Connection, Rate>();
  readonly #clock: () => number;

  /**
   * @param clock milliseconds, monotonic; tests pass their own to step time instead of sleeping
   *   through windows (a sleep's length is the host's to decide, not the test's)
   */
  constructor(clock: () => number = () => performance.now()) {
    this.#clock = clock;
  }

  /** The clock's time, read once per placement and given to expectedWait for each connection. */
  now(): number {
    return this.#clock();
  }

  /**
   * The estimated wait on `connection`, in ms (commands in flight over replies per ms, with a
   * floor of one reply per ms so an unmeasured connection ranks by its count alone).
   * @param now this.now()
   */
  expectedWait(connection: Connection, now: number): number {
    const inFlight = connection.inFlight;
    let rate = this.#rates.get(connection);
    if (rate === undefined) {
      rate = { answered: connection.answered, at: now, perMs: 0 };
      this.#rates.set(connection, rate);
    } else if (now - rate.at >= WINDOW_MS) {
      const answered = connection.answered;
      const latest = (answered - rate.answered) / (now - rate.at);
      rate.perMs = rate.perMs === 0 ? latest : ALPHA * latest + (1 - ALPHA) * rate.perMs;
      rate.answered = answered;
      rate.at = now;
    }
    return inFlight === 0 ? 0 : inFlight / (rate.perMs + 1);
  }
}
