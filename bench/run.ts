/**
 * `npm run bench`: respool against its peers, each client in its own child process, rounds
 * alternating clients so a slow minute on a shared machine hits every client alike.
 *
 * ```
 * for each round:                      then, once:
 *   for each scenario:                   respool's memory figures (bench/clients/memory.ts)
 *     for each client: fork a child      medians, ratios → stdout, bench/results/latest.{md,svg}
 *   redis-benchmark -P 1, -P 16
 * ```
 *
 * Parts, all by default, or some by name: `npm run bench -- sweep openloop`:
 * - `throughput`: use1, command, pipeline1000 at BENCH_CONCURRENCY callers, and redis-benchmark;
 * - `sweep`: command and use1 at 1 to 10,000 callers, memory at 10,000 (bench/sweep.ts);
 * - `openloop`: latency at fixed offered rates (bench/open-loop.ts);
 * - `memory`: respool's heap per idle connection and heap drift (bench/clients/memory.ts);
 * - `cache`: the client-side caching scenario (bench/cache/);
 * - `cluster`: the Redis Cluster scenario, on a cluster of its own (bench/cluster/).
 *
 * Environment: REDIS_URL (else a redis-server is started), BENCH_QUICK=1 (one short round),
 * BENCH_ROUNDS, BENCH_SECONDS, BENCH_WARMUP_SECONDS, BENCH_CONCURRENCY, and BENCH_CLIENTS
 * (a comma list of client ids, e.g. `respool,ioredis`); BENCH_CACHE=0 skips the client-side caching
 * scenario (bench/cache/run.ts, also `npm run bench:cache`); BENCH_CLUSTER=0 skips the Redis Cluster
 * scenario (bench/cluster/run.ts, also `npm run bench:cluster`); BENCH_SWEEP_SECONDS and
 * BENCH_OPEN_SECONDS, the measured seconds of one sweep or open-loop run.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { buildLibrary } from './build.js';
import type { ChildTask } from './clients/harness.js';
import type { MemoryTask } from './clients/memory.js';
import { Progress } from './progress.js';
import { CLIENTS, current, runChild, runOne, type ClientEntry } from './children.js';
import { renderGoals } from './goals.js';
import { renderOpenLoop, renderOpenLoopSvg, runOpenLoop, type OpenLoopReport } from './open-loop.js';
import { renderSweep, runSweep, type SweepReport } from './sweep.js';
import {
  redisTarget,
  RedisNotFoundError,
  runRedisBenchmark,
  serverVersion,
  type RedisTarget,
  type ReferenceResult,
} from './redis.js';
import {
  labelOf,
  renderMarkdown,
  renderSvg,
  type BenchReport,
  type MemoryReport,
  type ReferenceSummary,
} from './report.js';
import { SCENARIOS, settingsFromEnv, type BenchSettings } from './scenarios.js';
import { runCacheBench } from './cache/run.js';
import { runClusterBench } from './cluster/run.js';
import { median, summarize, type RoundResult } from './stats.js';

const RESULTS = new URL('results/', import.meta.url);
const SUBJECT = 'respool';
/** Time to start a child (node + tsx + the client library), for the progress estimate. */
const STARTUP_MS = 1500;
const REFERENCE_PIPELINES = [1, 16] as const;

/** The clients to run: BENCH_CLIENTS if set; respool only once lib/index.ts exists. */
function selectClients(failures: string[]): ClientEntry[] {
  const wanted = process.env.BENCH_CLIENTS?.split(',').map((id) => id.trim());
  const chosen = CLIENTS.filter((c) => !wanted || wanted.includes(c.id));
  if (!existsSync(new URL('../lib/index.ts', import.meta.url))) {
    failures.push('respool: lib/index.ts does not exist yet, so respool was not run');
    return chosen.filter((c) => c.id !== SUBJECT);
  }
  return chosen;
}

/** redis-benchmark's requests for one run: 200,000 as in the brief, fewer for a smoke run. */
function referenceRequests(settings: BenchSettings): number {
  return settings.quick ? 20_000 : 200_000;
}

/** All rounds: every scenario on every client, then the redis-benchmark reference. */
async function runRounds(
  target: RedisTarget,
  clients: readonly ClientEntry[],
  settings: BenchSettings,
  failures: string[],
): Promise<{ results: RoundResult[]; reference: ReferenceResult[][] }> {
  const runMs = settings.warmupMs + settings.measureMs + STARTUP_MS;
  const perRound = SCENARIOS.length * clients.length;
  const referenceMs = settings.quick ? 1000 : 5000;
  const progress = new Progress(
    settings.rounds * (perRound * runMs + REFERENCE_PIPELINES.length * referenceMs),
    settings.rounds * (perRound + REFERENCE_PIPELINES.length),
  );
  const results: RoundResult[] = [];
  const reference: ReferenceResult[][] = REFERENCE_PIPELINES.map(() => []);
  try {
    for (let round = 1; round <= settings.rounds; round++) {
      const tag = `round ${round}/${settings.rounds}`;
      for (const scenario of SCENARIOS) {
        for (const client of clients) {
          progress.start(`${client.id} · ${scenario} · ${tag}`, runMs);
          const task: ChildTask = { client: client.id, scenario, url: target.url, ...settings };
          const result = await runOne(target, client, task, failures, progress);
          if (result) results.push(result);
          progress.finish();
        }
      }
      for (const [i, pipeline] of REFERENCE_PIPELINES.entries()) {
        progress.start(`redis-benchmark -P ${pipeline} · ${tag}`, referenceMs);
        try {
          const options = { pipeline, clients: settings.concurrency, requests: referenceRequests(settings) };
          reference[i].push(...(await runRedisBenchmark(target, options)));
        } catch (err) {
          failures.push(`redis-benchmark -P ${pipeline}: ${err instanceof Error ? err.message : err}`);
        }
        progress.finish();
      }
    }
  } finally {
    progress.close();
  }
  return { results, reference };
}

/** Medians of each redis-benchmark test over the rounds. */
function summarizeReference(runs: readonly ReferenceResult[][]): ReferenceSummary[] {
  const out: ReferenceSummary[] = [];
  for (const [i, pipeline] of REFERENCE_PIPELINES.entries()) {
    for (const test of new Set(runs[i].map((r) => r.test))) {
      const same = runs[i].filter((r) => r.test === test);
      out.push({
        pipeline,
        test,
        requestsPerSec: median(same.map((r) => r.requestsPerSec)),
        p50: median(same.map((r) => r.p50)),
      });
    }
  }
  return out;
}

/** respool's memory figures, or undefined (with a failure line) if they could not be taken. */
async function runMemory(
  target: RedisTarget,
  settings: BenchSettings,
  failures: string[],
): Promise<MemoryReport | undefined> {
  const task: MemoryTask = {
    url: target.url,
    idleConnections: settings.quick ? 20 : 100,
    callers: 10_000,
    callersMs: settings.quick ? 1000 : 3000,
    driftCommands: settings.quick ? 100_000 : 1_000_000,
  };
  process.stderr.write('memory: idle connections, 10,000 callers, heap drift…\n');
  try {
    const message = await runChild<{ type: 'memory'; report: MemoryReport }>('memory.ts', task, 300_000);
    return message.report;
  } catch (err) {
    failures.push(`memory: ${err instanceof Error ? err.message : String(err)}`);
    return undefined;
  }
}

/** The parts of the bench, in the order they run; `npm run bench -- sweep openloop` picks some. */
const PARTS = ['throughput', 'sweep', 'openloop', 'memory', 'cache', 'cluster'] as const;
type Part = (typeof PARTS)[number];

function selectParts(args: readonly string[]): Set<Part> {
  if (args.length === 0) return new Set(PARTS);
  for (const arg of args) {
    if (!(PARTS as readonly string[]).includes(arg)) {
      throw new Error(`unknown bench part ${JSON.stringify(arg)}: choose among ${PARTS.join(', ')}`);
    }
  }
  return new Set(args as Part[]);
}

async function main(): Promise<void> {
  const parts = selectParts(process.argv.slice(2));
  const settings = settingsFromEnv();
  const failures: string[] = [];
  const clients = selectClients(failures);
  // The respool children load dist/ (see bench/build.ts): build it from the sources as they are now.
  if (clients.some((c) => c.file === 'respool.ts')) buildLibrary();
  const target = await redisTarget();
  // `on`, not `once`: under tsx the same Ctrl-C can arrive twice, and the second must not take
  // the default exit that would leave our (detached) redis-server running.
  let stopping = false;
  const stopOnSignal = () => {
    if (stopping) return;
    stopping = true;
    current?.kill('SIGKILL');
    void target.stop().finally(() => process.exit(130));
  };
  process.on('SIGINT', stopOnSignal);
  try {
    const withSubject = clients.some((c) => c.id === SUBJECT);
    // Tracing variants are measured in the throughput part only: they are respool, ioredis and
    // node-redis again, not peers of their own.
    const plain = clients.filter((c) => c.baseline === undefined);
    const { results, reference } = parts.has('throughput')
      ? await runRounds(target, clients, settings, failures)
      : { results: [], reference: REFERENCE_PIPELINES.map(() => []) };
    const sweep: SweepReport | undefined = parts.has('sweep')
      ? await runSweep(target, plain, settings, SUBJECT, failures)
      : undefined;
    let openLoop: OpenLoopReport | undefined;
    if (parts.has('openloop')) {
      const peaks = sweep !== undefined ? peaksOf(sweep) : undefined;
      openLoop = await runOpenLoop(target, plain, settings, SUBJECT, failures, peaks);
    }
    const memory = withSubject && parts.has('memory') ? await runMemory(target, settings, failures) : undefined;
    const cpu = cpus();
    const report: BenchReport = {
      environment: {
        node: process.version,
        redis: await serverVersion(target),
        cpu: `${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}`,
        date: new Date().toISOString().slice(0, 10),
      },
      settings,
      subject: SUBJECT,
      clients,
      summaries: summarize(results, SUBJECT),
      reference: summarizeReference(reference),
      memory,
      failures,
    };
    const label = (id: string) => labelOf(clients, id);
    const sections: string[] = [];
    sections.push(renderGoals(report, sweep, openLoop));
    if (sweep !== undefined) sections.push(renderSweep(sweep, SUBJECT, label));
    if (openLoop !== undefined) sections.push(renderOpenLoop(openLoop, SUBJECT, label));
    // The read-mostly client-side caching scenario (bench/cache/); BENCH_CACHE=0 skips it.
    if (withSubject && parts.has('cache') && process.env.BENCH_CACHE !== '0') {
      sections.push(await runCacheBench(target, settings));
    }
    // The Redis Cluster scenario (bench/cluster/), on a cluster of its own; BENCH_CLUSTER=0 skips it.
    if (withSubject && parts.has('cluster') && process.env.BENCH_CLUSTER !== '0') {
      sections.push(await runClusterBench(settings));
    }
    const markdown = [renderMarkdown(report), ...sections.filter((x) => x !== '')].join('\n');
    await mkdir(RESULTS, { recursive: true });
    await writeFile(new URL('latest.md', RESULTS), markdown);
    await writeFile(new URL('latest.svg', RESULTS), renderSvg(report));
    const written = ['bench/results/latest.md', 'bench/results/latest.svg'];
    if (openLoop !== undefined) {
      await writeFile(new URL('latency.svg', RESULTS), renderOpenLoopSvg(openLoop, SUBJECT, label));
      written.push('bench/results/latency.svg');
    }
    process.stdout.write(markdown);
    process.stderr.write(`written: ${written.join(', ')}\n`);
  } finally {
    process.removeListener('SIGINT', stopOnSignal);
    await target.stop();
  }
}

/** Each client's `command` ops/s at 200 callers in the sweep: the open loop's peaks. */
function peaksOf(sweep: SweepReport): Record<string, number> {
  const peaks: Record<string, number> = {};
  for (const row of sweep.rows) {
    if (row.scenario === 'command' && row.concurrency === 200) peaks[row.client] = row.opsPerSec;
  }
  return peaks;
}

await main().catch((err: unknown) => {
  if (err instanceof RedisNotFoundError) console.error(err.message);
  else console.error(err);
  process.exitCode = 1;
});
