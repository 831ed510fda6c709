/** How reconnection attempts are spaced. */
export interface BackoffPolicy {
  /** Delay before the first retry, ms. */
  initialDelay: number;
  /** Cap on any delay, ms. */
  maxDelay: number;
  /** Growth per attempt (2 doubles). */
  factor: number;
  /** Give up after this many failed attempts in a row; null retries forever. */
  maxAttempts: number | null;
}

/**
 * Capped exponential backoff with "equal jitter": the delay for attempt n (from 0) is drawn
 * uniformly from [d/2, d] where d = min(maxDelay, initialDelay * factor^n).
 *
 * Why jitter: a pool's connections usually drop together (a server restart); without it they
 * would all retry in lockstep and hit the server at the same instants. Why keep half of d as a
 * floor: "full jitter" may pick ~0 ms, which turns a down server into a busy loop.
 *
 * @returns the delay in ms, or null when maxAttempts is exhausted.
 */
export function backoffDelay(
  policy: BackoffPolicy,
  attempt: number,
  random: () => number = Math.random,
): number | null {
  if (policy.maxAttempts !== null && attempt >= policy.maxAttempts) return null;
  const exponential = policy.initialDelay * Math.pow(policy.factor, attempt);
  const capped = Math.min(policy.maxDelay, exponential);
  return Math.round(capped / 2 + random() * (capped / 2));
}
