/**
 * The open-loop side of a child: commands arrive on a fixed schedule (`rate` per second),
 * whatever the replies do, and each latency is counted from the arrival's scheduled time, not
 * from when the client got round to sending it. A client that falls behind therefore shows its
 * whole backlog in the percentiles (no coordinated omission, as wrk2 and HdrHistogram put it).
 *
 * ```
 * scheduled:  |  |  |  |  |  |  |  |  |      one every 1/rate s, from t0
 * issued:     |  |  |    |||  |  |  |  |     a busy event loop issues late ones in a burst
 * latency  =  reply time − scheduled time    (late issue counts against the client)
 * ```
 *
 * The loop that issues arrivals runs on setImmediate, so arrivals are issued within one event
 * loop turn of their time (a 1 ms timer would batch them into bursts and add up to 1 ms).
 * "Missed" counts arrivals issued more than MISS_MS after their time, and those never issued
 * because MAX_OUTSTANDING were already waiting (the client had stopped keeping up).
 */
import { performance } from 'node:perf_hooks';
import { LatencyHistogram } from '../stats.js';
import { keyOf, VALUE, type BenchClient, type BenchCommand } from '../scenarios.js';

/** An arrival issued later than this after its scheduled time missed its schedule. */
export const MISS_MS = 1;
/** Past this many commands waiting, arrivals are not issued (and count as missed). */
const MAX_OUTSTANDING = 100_000;
/** How long to wait for the last replies after the schedule ends. */
const DRAIN_MS = 15_000;
/** Keys the arrivals cycle over. */
const KEYS = 1000;

export interface OpenLoopResult {
  client: string;
  /** Arrivals per second scheduled. */
  rate: number;
  /** Replies per second in the measured window. */
  achieved: number;
  p50: number;
  p99: number;
  p999: number;
  /**
   * The two parts of that latency, at p99 (microseconds): how late the driver issued the
   * arrival (its event loop was busy or the process was not running: the same for every
   * client but for what the client's own work adds), and the time from issue to reply.
   */
  issueP99: number;
  replyP99: number;
  /** Arrivals issued late or not at all, over arrivals scheduled (measured window). */
  missed: number;
  errors: number;
}

/** Runs `rate` arrivals a second for warm-up + measure; measures those scheduled after warm-up. */
export async function measureOpenLoop(
  client: BenchClient,
  task: { client: string; rate: number; warmupMs: number; measureMs: number },
): Promise<{ result: OpenLoopResult; commandsCompleted: number }> {
  const commands: BenchCommand[] = [];
  for (let k = 0; k < KEYS; k++) commands.push(['SET', keyOf(k), VALUE], ['GET', keyOf(k)]);
  const histogram = new LatencyHistogram();
  const issueDelays = new LatencyHistogram();
  const replyTimes = new LatencyHistogram();
  const interval = 1000 / task.rate;
  const total = Math.floor(((task.warmupMs + task.measureMs) / 1000) * task.rate);
  const firstMeasured = Math.floor((task.warmupMs / 1000) * task.rate);
  let issued = 0;
  let outstanding = 0;
  let completed = 0;
  let measuredDone = 0;
  let missed = 0;
  let errors = 0;
  let onIdle: (() => void) | null = null;
  const t0 = performance.now() + 5;

  const issue = (i: number, scheduled: number, issuedAt: number) => {
    outstanding++;
    client.command(commands[i % commands.length]!).then(
      () => {
        completed++;
        if (i >= firstMeasured) {
          const now = performance.now();
          histogram.record((now - scheduled) * 1000);
          issueDelays.record((issuedAt - scheduled) * 1000);
          replyTimes.record((now - issuedAt) * 1000);
          measuredDone++;
        }
        if (--outstanding === 0 && onIdle !== null) onIdle();
      },
      () => {
        if (i >= firstMeasured) errors++;
        if (--outstanding === 0 && onIdle !== null) onIdle();
      },
    );
  };

  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      for (; issued < total; issued++) {
        const scheduled = t0 + issued * interval;
        if (scheduled > now) break;
        const late = now - scheduled > MISS_MS;
        if (outstanding >= MAX_OUTSTANDING) {
          if (issued >= firstMeasured) missed++;
          continue;
        }
        if (late && issued >= firstMeasured) missed++;
        issue(issued, scheduled, now);
      }
      if (issued < total) setImmediate(tick);
      else resolve();
    };
    setImmediate(tick);
  });
  const measureEnd = performance.now();
  if (outstanding > 0) {
    await new Promise<void>((resolve) => {
      onIdle = resolve;
      setTimeout(resolve, DRAIN_MS).unref();
    });
  }
  // Still unanswered after the drain: as late as the drain made them, at least.
  const unanswered = outstanding;
  for (let i = 0; i < unanswered; i++) histogram.record((performance.now() - measureEnd + task.measureMs) * 1000);
  const scheduledMeasured = total - firstMeasured;
  return {
    result: {
      client: task.client,
      rate: task.rate,
      achieved: measuredDone / (task.measureMs / 1000),
      p50: histogram.quantile(0.5),
      p99: histogram.quantile(0.99),
      p999: histogram.quantile(0.999),
      issueP99: issueDelays.quantile(0.99),
      replyP99: replyTimes.quantile(0.99),
      missed: (missed + unanswered) / scheduledMeasured,
      errors,
    },
    // The driver-alone baseline talks to no server: nothing for the parent to check.
    commandsCompleted: client.sendsNothing === true ? 0 : completed,
  };
}
