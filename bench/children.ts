/**
 * The clients the bench compares and how the parent runs one of them: a fresh child process per
 * (client, task), its result checked against the server's own count of commands processed.
 * Shared by the throughput rounds (run.ts), the concurrency sweep (sweep.ts) and the open-loop
 * latency runs (open-loop.ts).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ChildMessage, ChildTask } from './clients/harness.js';
import type { OpenLoopResult } from './clients/open-loop.js';
import type { Progress } from './progress.js';
import { commandsProcessed, type RedisTarget } from './redis.js';
import type { ClientInfo } from './report.js';
import type { RoundResult } from './stats.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface ClientEntry extends ClientInfo {
  /** The runner in bench/clients/. */
  file: string;
}

export const CLIENTS: readonly ClientEntry[] = [
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
    id: 'glide',
    label: 'Valkey GLIDE',
    file: 'glide.ts',
    note: '`@valkey/valkey-glide` `GlideClient` (Rust core, one multiplexed connection, RESP3); `use1` and `command` are both `client.get/set`; `pipeline1000` = `exec(new Batch(false)…, false)`. `requestTimeout` 30 s and `inflightRequestsLimit` 1,000,000 instead of its defaults (250 ms, 1000), which fail 1000-command pipelines among 200 and the 10,000-caller runs.',
  },
  {
    id: 'generic-pool',
    label: 'generic-pool + ioredis (8)',
    file: 'generic-pool.ts',
    note: 'generic-pool `{ max: 8, min: 8 }` of ioredis connections; every operation is `pool.use(r => …)` (acquire, command, release); `pipeline1000` runs inside one checkout.',
  },
];

/** The child currently running, so Ctrl-C can stop it. */
export let current: ChildProcess | undefined;

/**
 * Forks `file` with `arg` and resolves the first message it sends. Rejects if it exits without
 * one or runs past `timeoutMs`.
 */
export function runChild<T>(file: string, arg: unknown, timeoutMs: number): Promise<T> {
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
export async function runOne(
  target: RedisTarget,
  client: ClientEntry,
  task: ChildTask,
  failures: string[],
  progress: Progress,
): Promise<RoundResult | undefined> {
  const result = await runTask(target, client, task, failures, progress);
  if (result === undefined || 'scenario' in result) return result;
  failures.push(`${client.id} ${task.scenario}: an open-loop result where a closed-loop one was expected`);
  return undefined;
}

/** One run of either kind; undefined (and a failure line) when it failed. */
export async function runTask(
  target: RedisTarget,
  client: ClientEntry,
  task: ChildTask,
  failures: string[],
  progress: Progress,
): Promise<RoundResult | OpenLoopResult | undefined> {
  try {
    const before = await commandsProcessed(target);
    const message = await runChild<ChildMessage>(client.file, task, task.warmupMs + task.measureMs + 90_000);
    if (message.type === 'error') throw new Error(message.message);
    // The server's own count is the check on a client that reports replies it never got.
    const seen = (await commandsProcessed(target)) - before;
    if (seen < message.commandsCompleted) {
      throw new Error(`reported ${message.commandsCompleted} commands, the server processed ${seen}`);
    }
    return message.result;
  } catch (err) {
    const what = task.mode === 'open' ? `open loop ${Math.round(task.rate ?? 0)}/s` : `${task.scenario} × ${task.concurrency}`;
    const line = `${client.id} ${what}: ${err instanceof Error ? err.message : String(err)}`;
    failures.push(line);
    progress.note(`failed: ${line}`);
    return undefined;
  }
}

