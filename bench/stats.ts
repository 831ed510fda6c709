/**
 * Pure statistics for the benchmark: a latency histogram that costs the same whatever the run
 * length, and the medians and ratios the report is built from. No I/O, no timers.
 */

/**
 * Sub-buckets per power of two. 64 keeps every recorded value within 1/64 (about 1.6 %) of its
 * true value, which is finer than the run-to-run noise of a loopback benchmark.
 */
const SUB_BUCKETS = 64;
const SUB_BITS = 6;
/** Values up to 2^40 µs (about 12 days) fit; anything larger is clamped to the last bucket. */
const MAX_EXPONENT = 40;

/**
 * A log-linear latency histogram in microseconds, in the spirit of HdrHistogram.
 *
 * ```
 * value (µs)          bucket
 * 0 .. 63             one bucket per microsecond (exact)
 * 64 .. 127           64 buckets of width 1
 * 128 .. 255          64 buckets of width 2
 * 2^k .. 2^(k+1)-1    64 buckets of width 2^(k-6)
 * ```
 *
 * Recording is a few integer operations and one array increment, so the hot loop of a bench
 * can call it for every command; memory is fixed (a few KiB) however many samples arrive.
 */
export class LatencyHistogram {
  readonly #counts = new Float64Array(SUB_BUCKETS * (MAX_EXPONENT - SUB_BITS + 2));
  #total = 0;
  #max = 0;

  /** Records one latency, in microseconds. Negative values count as 0. */
  record(micros: number): void {
    const value = micros > 0 ? Math.round(micros) : 0;
    const index = Math.min(bucketOf(value), this.#counts.length - 1);
    this.#counts[index]++;
    this.#total++;
    if (value > this.#max) this.#max = value;
  }

  /** How many samples were recorded. */
  get count(): number {
    return this.#total;
  }

  /** The largest sample recorded, in microseconds (exact, not bucketed). */
  get max(): number {
    return this.#max;
  }

  /**
   * The latency at quantile `q` (0..1), in microseconds: the upper edge of the bucket holding
   * the ceil(q·n)-th smallest sample, never above the exact maximum. NaN when empty.
   */
  quantile(q: number): number {
    if (this.#total === 0) return NaN;
    const rank = Math.max(1, Math.ceil(Math.min(Math.max(q, 0), 1) * this.#total));
    let seen = 0;
    for (let i = 0; i < this.#counts.length; i++) {
      seen += this.#counts[i];
      if (seen >= rank) return Math.min(upperEdgeOf(i), this.#max);
    }
    return this.#max;
  }

  /** Adds every sample of `other` to this histogram. */
  merge(other: LatencyHistogram): void {
    const theirs = other.#counts;
    for (let i = 0; i < theirs.length; i++) this.#counts[i] += theirs[i];
    this.#total += other.#total;
    if (other.#max > this.#max) this.#max = other.#max;
  }

  /** Forgets every sample: used at the end of a warm-up. */
  reset(): void {
    this.#counts.fill(0);
    this.#total = 0;
    this.#max = 0;
  }
}

/** The bucket index of a non-negative integer value. */
function bucketOf(value: number): number {
  if (value < SUB_BUCKETS) return value;
  let power = Math.floor(Math.log2(value));
  // Math.log2 may round across a power of two for large values; nudge it back.
  if (2 ** power > value) power--;
  else if (2 ** (power + 1) <= value) power++;
  const shift = power - SUB_BITS;
  return shift * SUB_BUCKETS + Math.floor(value / 2 ** shift);
}

/** The largest value that lands in bucket `index`. */
function upperEdgeOf(index: number): number {
  if (index < SUB_BUCKETS) return index;
  const shift = Math.floor(index / SUB_BUCKETS) - 1;
  const sub = index - shift * SUB_BUCKETS;
  return (sub + 1) * 2 ** shift - 1;
}

/** The median of `values` (mean of the middle two for an even count); NaN when empty. */
export function median(values: readonly number[]): number {
  const sorted = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** What one (client, scenario) run measured in one round. */
export interface RoundResult {
  client: string;
  scenario: string;
  /** Commands completed per second in the measured window (a pipeline counts its commands). */
  opsPerSec: number;
  /** Latency of one operation (a command, a use, or a whole pipeline), in microseconds. */
  p50: number;
  p99: number;
  /** Operations that failed during the measured window. */
  errors: number;
  /** Concurrent callers. */
  concurrency?: number;
  /** Peak RSS and heap in use of the child while measuring, bytes. */
  rss?: number;
  heap?: number;
}

/** The medians over all rounds of one (client, scenario). */
export interface Summary {
  client: string;
  scenario: string;
  rounds: number;
  opsPerSec: number;
  p50: number;
  p99: number;
  errors: number;
  /** opsPerSec divided by the best peer's opsPerSec in the same scenario; NaN if no peer ran. */
  vsBestPeer: number;
}

/**
 * Groups round results by (client, scenario), takes the median of each figure (the median
 * shrugs off one round spoiled by a neighbour's CPU burst, which a mean would not) and adds the
 * ratio to the fastest client that is not `subject`.
 */
export function summarize(results: readonly RoundResult[], subject: string): Summary[] {
  const groups = new Map<string, RoundResult[]>();
  for (const r of results) {
    const key = `${r.scenario}\u0000${r.client}`;
    const group = groups.get(key);
    if (group) group.push(r);
    else groups.set(key, [r]);
  }
  const summaries: Summary[] = [];
  for (const group of groups.values()) {
    summaries.push({
      client: group[0].client,
      scenario: group[0].scenario,
      rounds: group.length,
      opsPerSec: median(group.map((r) => r.opsPerSec)),
      p50: median(group.map((r) => r.p50)),
      p99: median(group.map((r) => r.p99)),
      errors: group.reduce((sum, r) => sum + r.errors, 0),
      vsBestPeer: NaN,
    });
  }
  for (const s of summaries) s.vsBestPeer = s.opsPerSec / bestPeer(summaries, s.scenario, subject);
  return summaries;
}

/**
 * The highest median ops/s in `scenario` among clients other than `subject` and its variants
 * (`respool-otel` is respool itself, not a peer); NaN if none.
 */
export function bestPeer(summaries: readonly Summary[], scenario: string, subject: string): number {
  let best = NaN;
  for (const s of summaries) {
    if (s.scenario !== scenario || s.client === subject || s.client.startsWith(`${subject}-`)) continue;
    if (Number.isNaN(best) || s.opsPerSec > best) best = s.opsPerSec;
  }
  return best;
}
