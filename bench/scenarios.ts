/**
 * What the benchmark measures: the scenarios, the contract every client runner implements, and
 * the run settings read from the environment. Shared by the parent (bench/run.ts) and the child
 * processes (bench/clients/*.ts), so both sides agree on names and shapes.
 */

/** A GET or a SET: the only two commands the throughput scenarios send. */
export type BenchCommand = readonly ['GET', string] | readonly ['SET', string, string];

/**
 * What each client runner adapts to its library's natural API. One instance per child process,
 * already connected when handed to the harness.
 */
export interface BenchClient {
  /**
   * One command inside a checkout: respool's `pool.use` (whose handle stays on a shared
   * pipelined connection unless it needs MULTI, WATCH or a blocking command), generic-pool's
   * acquire/command/release, node-redis's `pool.execute`. A client without checkouts sends a
   * plain command.
   */
  use1(command: BenchCommand): Promise<unknown>;
  /** One command, the way the library's README would send it. */
  command(command: BenchCommand): Promise<unknown>;
  /**
   * All of `commands` as one pipeline; resolves when every reply is in. Rejects if any command
   * failed, even when the library reports errors in place, so failures are never counted as
   * throughput.
   */
  pipeline(commands: readonly BenchCommand[]): Promise<unknown>;
  /** Closes every connection so the child can exit by itself. */
  close(): Promise<void>;
  /** True for the open loop's driver-alone baseline (bench/clients/none.ts), which sends nothing. */
  readonly sendsNothing?: boolean;
}

/** The scenario names, in report order. */
export const SCENARIOS = ['use1', 'command', 'pipeline1000'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

/** How one scenario drives a client. */
export interface Scenario {
  name: ScenarioName;
  /** One line for the report. */
  description: string;
  /** Commands per operation: ops/s is reported in commands, latency per operation. */
  commandsPerOp: number;
  /** Builds the operation caller `caller` repeats; `tick` alternates SET and GET. */
  operation(client: BenchClient, caller: number): (tick: number) => Promise<unknown>;
}

/** The value every SET writes: 64 bytes, as in the redis-benchmark reference (`-d 64`). */
export const VALUE = 'v'.repeat(64);
/** Commands in one pipeline of the `pipeline1000` scenario. */
export const PIPELINE_LENGTH = 1000;

/** Throws the first error among pipeline replies (libraries return them in place). */
export function throwFirstError(replies: readonly unknown[]): void {
  for (const reply of replies) if (reply instanceof Error) throw reply;
}

/** Caller `caller`'s key: each caller owns one, so the keyspace stays small and fixed. */
export function keyOf(caller: number): string {
  return `bench:${caller}`;
}

/** SET on even ticks, GET on odd ones: a half-write, half-read load. */
function commandAt(caller: number, tick: number): BenchCommand {
  return tick % 2 === 0 ? ['SET', keyOf(caller), VALUE] : ['GET', keyOf(caller)];
}

/** The three throughput scenarios. */
export const SCENARIO_TABLE: Readonly<Record<ScenarioName, Scenario>> = {
  use1: {
    name: 'use1',
    description: 'one GET or SET per checkout (`pool.use`; acquire/command/release for the peers that pool)',
    commandsPerOp: 1,
    operation: (client, caller) => (tick) => client.use1(commandAt(caller, tick)),
  },
  command: {
    name: 'command',
    description: 'one GET or SET (`pool.command`)',
    commandsPerOp: 1,
    operation: (client, caller) => (tick) => client.command(commandAt(caller, tick)),
  },
  pipeline1000: {
    name: 'pipeline1000',
    description: `a pipeline of ${PIPELINE_LENGTH} commands, half SET, half GET (\`pool.pipeline\`)`,
    commandsPerOp: PIPELINE_LENGTH,
    operation: (client, caller) => {
      // Built once per caller: the bench measures the client, not our array building.
      const batch = Array.from({ length: PIPELINE_LENGTH }, (_, i) => commandAt(caller, i));
      return () => client.pipeline(batch);
    },
  },
};

/** Run settings, from the environment. */
export interface BenchSettings {
  rounds: number;
  warmupMs: number;
  measureMs: number;
  /** Concurrent callers per (client, scenario). */
  concurrency: number;
  /** Connections, for the clients that pool. */
  poolSize: number;
  quick: boolean;
}

/** Reads BENCH_QUICK, BENCH_ROUNDS, BENCH_SECONDS, BENCH_WARMUP_SECONDS, BENCH_CONCURRENCY. */
export function settingsFromEnv(env: NodeJS.ProcessEnv = process.env): BenchSettings {
  const quick = env.BENCH_QUICK === '1' || env.BENCH_QUICK === 'true';
  return {
    quick,
    rounds: positive(env.BENCH_ROUNDS, quick ? 1 : 3, 'BENCH_ROUNDS'),
    measureMs: 1000 * positive(env.BENCH_SECONDS, quick ? 1 : 3, 'BENCH_SECONDS'),
    warmupMs: 1000 * positive(env.BENCH_WARMUP_SECONDS, quick ? 0.5 : 1, 'BENCH_WARMUP_SECONDS'),
    concurrency: positive(env.BENCH_CONCURRENCY, 200, 'BENCH_CONCURRENCY'),
    poolSize: 8,
  };
}

function positive(raw: string | undefined, fallback: number, name: string): number {
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!(value > 0)) throw new Error(`${name} must be a positive number, got ${JSON.stringify(raw)}`);
  return value;
}
