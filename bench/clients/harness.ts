/**
 * The child side of the benchmark. bench/run.ts forks one child per (client, scenario, round):
 * a fresh process, so one client's garbage, JIT state and open sockets never weigh on the next.
 *
 * ```
 * parent (bench/run.ts)                     child (bench/clients/<x>.ts)
 *   fork(file, [JSON task], IPC) ───────▶    connect, run callers: warm-up, then measure
 *                                ◀───────    process.send({ type: 'result', result })
 *   wait for 'exit'                          close the client; the process exits by itself
 * ```
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { performance } from 'node:perf_hooks';
import { LatencyHistogram, type RoundResult } from '../stats.js';
import { keyOf, SCENARIO_TABLE, VALUE, type BenchClient, type Scenario, type ScenarioName } from '../scenarios.js';
import { measureOpenLoop, type OpenLoopResult } from './open-loop.js';

/** What the parent asks a child to run, passed as JSON in argv[2]. */
export interface ChildTask {
  /** A variant name the child's file knows, e.g. 'ioredis-auto'. */
  client: string;
  scenario: ScenarioName;
  url: string;
  warmupMs: number;
  measureMs: number;
  concurrency: number;
  poolSize: number;
  /**
   * 'closed' (the default): `concurrency` callers, each sending its next operation when the last
   * is answered. 'open': `rate` commands a second on a fixed schedule (see open-loop.ts).
   */
  mode?: 'closed' | 'open';
  rate?: number;
}

/** What a child sends back over IPC. */
export type ChildMessage =
  | { type: 'result'; result: RoundResult; commandsCompleted: number }
  | { type: 'open'; result: OpenLoopResult; commandsCompleted: number }
  | { type: 'error'; message: string };

/** Connects one variant of a client library. */
export type ClientFactory = (url: string, poolSize: number) => Promise<BenchClient>;

/** The shared state of one measured run; callers read the flags on every turn. */
interface RunState {
  running: boolean;
  measuring: boolean;
  ops: number;
  /** Successful operations, warm-up included: the parent checks the server saw at least these. */
  allOps: number;
  errors: number;
  firstError: unknown;
  readonly histogram: LatencyHistogram;
}

/**
 * Runs `task.concurrency` callers against `client`: each repeats its operation back to back
 * until told to stop. Only operations that complete inside the measured window are counted.
 */
export async function measure(
  client: BenchClient,
  task: ChildTask,
  table: Readonly<Record<ScenarioName, Scenario>> = SCENARIO_TABLE,
): Promise<{ result: RoundResult; commandsCompleted: number }> {
  const scenario = table[task.scenario];
  const state: RunState = {
    running: true,
    measuring: false,
    ops: 0,
    allOps: 0,
    errors: 0,
    firstError: undefined,
    histogram: new LatencyHistogram(),
  };
  const callers = Array.from({ length: task.concurrency }, (_, i) =>
    callerLoop(scenario.operation(client, i), state),
  );
  await sleep(task.warmupMs);
  state.histogram.reset();
  state.measuring = true;
  const started = performance.now();
  // Peak memory while the callers run (10,000 callers: what each client holds per waiter).
  const memory = { rss: 0, heap: 0 };
  const sampler = setInterval(sampleMemory, 100, memory);
  await sleep(task.measureMs);
  clearInterval(sampler);
  sampleMemory(memory);
  state.measuring = false;
  const elapsedSec = (performance.now() - started) / 1000;
  state.running = false;
  await Promise.all(callers);
  if (state.ops === 0 && state.errors > 0) throw state.firstError;
  await verify(client);
  const result: RoundResult = {
    client: task.client,
    scenario: task.scenario,
    opsPerSec: (state.ops * scenario.commandsPerOp) / elapsedSec,
    p50: state.histogram.quantile(0.5),
    p99: state.histogram.quantile(0.99),
    errors: state.errors,
    concurrency: task.concurrency,
    rss: memory.rss,
    heap: memory.heap,
  };
  return { result, commandsCompleted: state.allOps * scenario.commandsPerOp };
}

function sampleMemory(peak: { rss: number; heap: number }): void {
  const { rss, heapUsed } = process.memoryUsage();
  if (rss > peak.rss) peak.rss = rss;
  if (heapUsed > peak.heap) peak.heap = heapUsed;
}

/**
 * Reads back what the callers wrote: a client that answered fast but wrong must not make it
 * into the report.
 */
async function verify(client: BenchClient): Promise<void> {
  const reply = await client.command(['GET', keyOf(0)]);
  if (String(reply) !== VALUE) {
    throw new Error(`GET ${keyOf(0)} returned ${JSON.stringify(reply)} after the run, not the value written`);
  }
}

async function callerLoop(operation: (tick: number) => Promise<unknown>, state: RunState) {
  let tick = 0;
  while (state.running) {
    const started = performance.now();
    try {
      await operation(tick++);
      state.allOps++;
      if (state.measuring) {
        state.histogram.record((performance.now() - started) * 1000);
        state.ops++;
      }
    } catch (err) {
      state.firstError ??= err;
      if (state.measuring) state.errors++;
      // A client that fails at once would spin this loop; yield so the timers still fire.
      await sleep(1);
    }
  }
}

/**
 * The entry of a child process: reads the task from argv, builds the client with the matching
 * factory, measures (with `table`: the cluster bench has its own pipeline), reports over IPC and
 * closes. Any failure is reported, never thrown past here, so the parent always learns why a
 * child produced no result.
 */
export async function runChild(
  factories: Readonly<Record<string, ClientFactory>>,
  table: Readonly<Record<ScenarioName, Scenario>> = SCENARIO_TABLE,
): Promise<void> {
  let client: BenchClient | undefined;
  try {
    const task = JSON.parse(process.argv[2] ?? '') as ChildTask;
    const factory = factories[task.client];
    if (!factory) throw new Error(`unknown client variant ${task.client}`);
    client = await factory(task.url, task.poolSize);
    if (task.mode === 'open') {
      await send({ type: 'open', ...(await measureOpenLoop(client, { ...task, rate: task.rate ?? 1000 })) });
    } else {
      await send({ type: 'result', ...(await measure(client, task, table)) });
    }
  } catch (err) {
    await send({ type: 'error', message: err instanceof Error ? err.message : String(err) });
    process.exitCode = 1;
  } finally {
    await client?.close().catch(() => undefined);
    process.disconnect?.();
  }
}

/** Sends over IPC and waits until the message is written, so disconnecting cannot drop it. */
function send(message: ChildMessage): Promise<void> {
  if (!process.send) {
    console.log(JSON.stringify(message));
    return Promise.resolve();
  }
  return new Promise((resolve) => process.send!(message, undefined, {}, () => resolve()));
}
