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
 * Environment: REDIS_URL (else a redis-server is started), BENCH_QUICK=1 (one short round),
 * BENCH_ROUNDS, BENCH_SECONDS, BENCH_WARMUP_SECONDS, BENCH_CONCURRENCY, and BENCH_CLIENTS
 * (a comma list of client ids, e.g. `respool,ioredis`); BENCH_CACHE=0 skips the client-side caching
 * scenario (bench/cache/run.ts, also `npm run bench:cache`).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { ChildMessage, ChildTask } from './clients/harness.js';
import type { MemoryTask } from './clients/memory.js';
import { Progress } from './progress.js';
import {
  commandsProcessed,
  redisTarget,
  RedisNotFoundError,
  runRedisBenchmark,
  serverVersion,
  type RedisTarget,
  type ReferenceResult,
} from './redis.js';
import {
  renderMarkdown,
  renderSvg,
  type BenchReport,
  type ClientInfo,
  type MemoryReport,
  type ReferenceSummary,
} from './report.js';
import { SCENARIOS, settingsFromEnv, type BenchSettings } from './scenarios.js';
import { runCacheBench } from './cache/run.js';
import { median, summarize, type RoundResult } from './stats.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RESULTS = new URL('results/', import.meta.url);
const SUBJECT = 'respool';
/** Time to start a child (node + tsx + the client library), for the progress estimate. */
const STARTUP_MS = 1500;
const REFERENCE_PIPELINES = [1, 16] as const;

interface ClientEntry extends ClientInfo {
  /** The runner in bench/clients/. */
  file: string;
}

const CLIENTS: readonly ClientEntry[] = [
  {
    id: 'respool',
    label: 'respool',
    file: 'respool.ts',
    note: '`createPool(url, { size: 8 })`; `use1` = `pool.use(c => c.command(…))` (the handle rides a shared pipelined connection: it takes one of its own only for MULTI, WATCH or blocking commands), `command` = `pool.command(…)`, `pipeline1000` = `pool.pipeline([...])`.',
  },
  {
    id: 'respool-otel',
    label: 'respool + respool/otel',
    file: 'respool.ts',
    baseline: 'respool',
    note: 'as respool, with `new RespoolInstrumentation()` from `respool/otel` over an SDK tracer provider (BatchSpanProcessor, exporter that drops spans), an SDK meter provider (reader exporting nowhere) and the AsyncLocalStorage context manager: a span per command or pipeline, the duration histogram, pool gauges.',
  },
  {
    id: 'ioredis',
    label: 'ioredis',
    file: 'ioredis.ts',
    note: 'one connection; `use1` and `command` are both `redis.get/set`; `pipeline1000` = `redis.pipeline()…exec()`.',
  },
  {
    id: 'ioredis-auto',
    label: 'ioredis (auto-pipelining)',
    file: 'ioredis.ts',
    note: 'as ioredis, with `enableAutoPipelining: true`.',
  },
  {
    id: 'node-redis',
    label: 'node-redis',
    file: 'node-redis.ts',
    note: 'one `createClient()`; `use1` and `command` are both `client.get/set`; `pipeline1000` = `client.multi()…execAsPipeline()` (about six times faster here than a `Promise.all` of 1000 commands).',
  },
  {
    id: 'ioredis-otel',
    label: 'ioredis (auto-pipelining) + OTel',
    file: 'ioredis-otel.ts',
    baseline: 'ioredis-auto',
    note: 'ioredis (auto-pipelining) with `@opentelemetry/instrumentation-ioredis` (`requireParentSpan: false`, so every command is traced as for respool), same no-op SDK setup as respool-otel.',
  },
  {
    id: 'node-redis-otel',
    label: 'node-redis + OTel',
    file: 'node-redis-otel.ts',
    baseline: 'node-redis',
    note: 'one node-redis client with `@opentelemetry/instrumentation-redis`, same no-op SDK setup as respool-otel.',
  },
  {
    id: 'node-redis-pool',
    label: 'node-redis createClientPool(8)',
    file: 'node-redis.ts',
    note: '`createClientPool({ url }, { minimum: 8, maximum: 8 })`; `use1` = `pool.execute(c => c.get/set)`, `command` = `pool.get/set`, `pipeline1000` = `execAsPipeline()` inside one `execute`.',
  },
  {
    id: 'generic-pool',
    label: 'generic-pool + ioredis (8)',
    file: 'generic-pool.ts',
    note: 'generic-pool `{ max: 8, min: 8 }` of ioredis connections; every operation is `pool.use(r => …)` (acquire, command, release); `pipeline1000` runs inside one checkout.',
  },
];

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

/** The child currently running, so Ctrl-C can stop it. */
let current: ChildProcess | undefined;

/**
 * Forks `file` with `arg` and resolves the first message it sends. Rejects if it exits without
 * one or runs past `timeoutMs`.
 */
function runChild<T>(file: string, arg: unknown, timeoutMs: number): Promise<T> {
  const child = fork(fileURLToPath(new URL(`clients/${file}`, import.meta.url)), [JSON.stringify(arg)], {
    cwd: ROOT,
    execArgv: ['--import', 'tsx', '--expose-gc'],
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  current = child;
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise<T>((resolve, reject) => {
    let message: T | undefined;
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('message', (m) => (message ??= m as T));
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      current = undefined;
      if (message !== undefined) resolve(message);
      else reject(new Error(`${file} exited (${signal ?? code}) without a result: ${stderr.trim()}`));
    });
  });
}

/** One (client, scenario) run; failures are recorded, not thrown, so the bench goes on. */
async function runOne(
  target: RedisTarget,
  client: ClientEntry,
  task: ChildTask,
  failures: string[],
  progress: Progress,
): Promise<RoundResult | undefined> {
  try {
    const before = await commandsProcessed(target);
    const message = await runChild<ChildMessage>(client.file, task, task.warmupMs + task.measureMs + 60_000);
    if (message.type === 'error') throw new Error(message.message);
    // The server's own count is the check on a client that reports replies it never got.
    const seen = (await commandsProcessed(target)) - before;
    if (seen < message.commandsCompleted) {
      throw new Error(`reported ${message.commandsCompleted} commands, the server processed ${seen}`);
    }
    return message.result;
  } catch (err) {
    const line = `${client.id} ${task.scenario}: ${err instanceof Error ? err.message : String(err)}`;
    failures.push(line);
    progress.note(`failed: ${line}`);
    return undefined;
  }
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

async function main(): Promise<void> {
  const settings = settingsFromEnv();
  const failures: string[] = [];
  const clients = selectClients(failures);
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
    const { results, reference } = await runRounds(target, clients, settings, failures);
    const withSubject = clients.some((c) => c.id === SUBJECT);
    const memory = withSubject ? await runMemory(target, settings, failures) : undefined;
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
    // The read-mostly client-side caching scenario (bench/cache/); BENCH_CACHE=0 skips it.
    const cache = withSubject && process.env.BENCH_CACHE !== '0' ? await runCacheBench(target, settings) : '';
    const markdown = renderMarkdown(report) + (cache !== '' ? `\n${cache}` : '');
    await mkdir(RESULTS, { recursive: true });
    await writeFile(new URL('latest.md', RESULTS), markdown);
    await writeFile(new URL('latest.svg', RESULTS), renderSvg(report));
    process.stdout.write(markdown);
    process.stderr.write('written: bench/results/latest.md, bench/results/latest.svg\n');
  } finally {
    process.removeListener('SIGINT', stopOnSignal);
    await target.stop();
  }
}

await main().catch((err: unknown) => {
  if (err instanceof RedisNotFoundError) console.error(err.message);
  else console.error(err);
  process.exitCode = 1;
});
