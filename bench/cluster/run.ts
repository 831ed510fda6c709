/**
 * The cluster bench: respool's cluster client against ioredis `Cluster` (with and without
 * auto-pipelining), node-redis `createCluster` and Valkey GLIDE `GlideClusterClient`, on a
 * 3-primary loopback cluster without replicas that this bench starts (test/helpers/redis-cluster.ts)
 * and stops. Same conventions as the main bench: one child process per (client, scenario, round),
 * clients alternating within each round, medians over the rounds, ratios to the best peer.
 *
 * Run by `npm run bench` after the main scenarios (BENCH_CLUSTER=0 skips it), or alone with
 * `npm run bench:cluster`. Environment as the main bench (BENCH_QUICK, BENCH_ROUNDS,
 * BENCH_SECONDS, BENCH_WARMUP_SECONDS, BENCH_CONCURRENCY), plus BENCH_CLUSTER_CLIENTS (a comma
 * list of variant ids), BENCH_CLUSTER_SIZE (respool's connections per node, default 4) and
 * BENCH_CLUSTER_PIPELINE_CONCURRENCY (callers of the pipeline scenario, default 20).
 *
 * Why fewer callers for pipelines: 200 callers of 1000 commands are 200,000 commands in flight,
 * one wave of which takes the slowest peers 8 s; every caller starts at once, so a window of a
 * few seconds would count zero or one whole wave. 20 callers keep a wave under a second.
 */
import { fork } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { cleanupAll } from '../../test/helpers/cleanup.js';
import { startCluster, type RedisCluster } from '../../test/helpers/redis-cluster.js';
import type { ChildMessage, ChildTask } from '../clients/harness.js';
import { commandsProcessed, serverVersion, type RedisTarget } from '../redis.js';
import { formatLatency, formatOps, formatRatio } from '../report.js';
import { SCENARIOS, settingsFromEnv, type BenchSettings } from '../scenarios.js';
import { summarize, type RoundResult, type Summary } from '../stats.js';
import { CLUSTER_SCENARIO_TABLE } from './scenario.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const RESULTS = new URL('../results/', import.meta.url);
const SUBJECT = 'respool';
const PRIMARIES = 3;
const PIPELINE_CONCURRENCY = 20;

export const CLUSTER_CLIENTS: readonly { id: string; label: string; note: string }[] = [
  {
    id: 'respool',
    label: 'respool',
    note: '`createCluster({ nodes, size })`: a pool of `size` pipelined connections per node; `use1` = `cluster.use(c => c.command(…))`, `command` = `cluster.command(…)`, `pipeline1000` = `cluster.pipeline([...])` (split per node, replies in input order).',
  },
  {
    id: 'ioredis-cluster',
    label: 'ioredis Cluster',
    note: '`new Cluster(nodes)`, one connection per node; `use1` and `command` are both `cluster.get/set`; `pipeline1000` = `Promise.all` of the 1000 commands (`cluster.pipeline()` refuses keys served by several nodes).',
  },
  {
    id: 'ioredis-cluster-auto',
    label: 'ioredis Cluster (auto-pipelining)',
    note: 'as ioredis Cluster, with `enableAutoPipelining: true` (commands of one tick batched per node).',
  },
  {
    id: 'node-redis-cluster',
    label: 'node-redis createCluster',
    note: '`createCluster({ rootNodes })`, one client per node; `use1` and `command` are both `cluster.get/set`; `pipeline1000` = `Promise.all` of the 1000 commands (its `multi().execAsPipeline()` sends the whole batch to the node of the first key).',
  },
  {
    id: 'glide-cluster',
    label: 'GLIDE GlideClusterClient',
    note: '`GlideClusterClient.createClient({ addresses })` (one multiplexed connection per node, Rust core); `use1` and `command` are both `client.get/set`; `pipeline1000` = `client.exec(new ClusterBatch(false)…, true)` (non-atomic batch, split per node).',
  },
];

type Client = (typeof CLUSTER_CLIENTS)[number];

/** Forks the cluster child for `task`; resolves its message, rejects if it exits without one. */
function runChild(task: ChildTask): Promise<ChildMessage> {
  const child = fork(fileURLToPath(new URL('child.ts', import.meta.url)), [JSON.stringify(task)], {
    cwd: ROOT,
    execArgv: ['--import', 'tsx', '--expose-gc'],
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    let message: ChildMessage | undefined;
    const timer = setTimeout(() => child.kill('SIGKILL'), task.warmupMs + task.measureMs + 60_000);
    child.on('message', (m) => (message ??= m as ChildMessage));
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (message !== undefined) resolve(message);
      else reject(new Error(`exited (${signal ?? code}) without a result: ${stderr.trim()}`));
    });
  });
}

/** Commands processed by every primary together (the check on a client's own count). */
async function clusterCommandsProcessed(cluster: RedisCluster): Promise<number> {
  const counts = await Promise.all(cluster.servers.map((s) => commandsProcessed(targetOf(s.port))));
  return counts.reduce((a, b) => a + b, 0);
}

function targetOf(port: number): RedisTarget {
  return { url: `redis://127.0.0.1:${port}`, host: '127.0.0.1', port, spawned: true, stop: async () => undefined };
}

async function runOne(cluster: RedisCluster, task: ChildTask): Promise<RoundResult> {
  const before = await clusterCommandsProcessed(cluster);
  const message = await runChild(task);
  if (message.type === 'error') throw new Error(message.message);
  if (message.type !== 'result') throw new Error(`expected a closed-loop result, got ${message.type}`);
  const seen = (await clusterCommandsProcessed(cluster)) - before;
  if (seen < message.commandsCompleted) {
    throw new Error(`reported ${message.commandsCompleted} commands, the primaries processed ${seen}`);
  }
  if (message.result.opsPerSec === 0) throw new Error('no operation completed inside the measured window');
  return message.result;
}

/** The Markdown section: one table per scenario, ratios against the best peer. */
export function renderClusterMarkdown(
  summaries: readonly Summary[],
  settings: BenchSettings,
  clients: readonly Client[],
  header: { redis: string; node: string; cpu: string; date: string; size: number; pipelineCallers: number },
  failures: readonly string[],
): string {
  const lines = [
    '## Redis Cluster',
    '',
    `Node ${header.node} · Redis ${header.redis} · ${header.cpu} · ${header.date}`,
    '',
    `${PRIMARIES} primaries, no replicas, on loopback · ${settings.concurrency} concurrent callers ` +
      `(${header.pipelineCallers} for pipelines) · GET/SET of 64-byte values · ` +
      `respool with ${header.size} connections per node · ${settings.rounds} round(s) of ${settings.measureMs / 1000} s after ` +
      `${settings.warmupMs / 1000} s of warm-up, clients alternating, each in its own process · medians over the rounds; ` +
      'ops/s counts commands; latency is per operation.',
  ];
  for (const scenario of SCENARIOS) {
    const rows = summaries.filter((r) => r.scenario === scenario).sort((a, b) => b.opsPerSec - a.opsPerSec);
    lines.push('', `### \`${scenario}\`: ${CLUSTER_SCENARIO_TABLE[scenario].description}`, '');
    if (rows.length === 0) {
      lines.push('No results.');
      continue;
    }
    lines.push('| client | ops/s | p50 | p99 | vs best peer | errors |', '| --- | ---: | ---: | ---: | ---: | ---: |');
    for (const r of rows) {
      const label = clients.find((c) => c.id === r.client)?.label ?? r.client;
      const name = r.client === SUBJECT ? `**${label}**` : label;
      lines.push(`| ${name} | ${formatOps(r.opsPerSec)} | ${formatLatency(r.p50)} | ${formatLatency(r.p99)} | ${formatRatio(r.vsBestPeer)} | ${r.errors} |`);
    }
  }
  lines.push('', '### Cluster clients', '', ...clients.map((c) => `- **${c.label}**: ${c.note}`));
  if (failures.length > 0) lines.push('', '### Failed runs', '', ...failures.map((f) => `- ${f}`));
  return `${lines.join('\n')}\n`;
}

/** Starts the cluster, runs every round, stops it; returns the Markdown (also bench/results/cluster.md). */
export async function runClusterBench(settings: BenchSettings): Promise<string> {
  const wanted = process.env.BENCH_CLUSTER_CLIENTS?.split(',').map((s) => s.trim());
  const clients = CLUSTER_CLIENTS.filter((c) => !wanted || wanted.includes(c.id));
  const size = positiveInteger('BENCH_CLUSTER_SIZE', 4);
  const pipelineCallers = positiveInteger('BENCH_CLUSTER_PIPELINE_CONCURRENCY', PIPELINE_CONCURRENCY);
  process.stderr.write(`cluster bench: starting ${PRIMARIES} primaries…\n`);
  const cluster = await startCluster({ primaries: PRIMARIES, replicas: 0 });
  const results: RoundResult[] = [];
  const failures: string[] = [];
  let redis = 'unknown';
  try {
    redis = await serverVersion(targetOf(cluster.servers[0]!.port));
    const url = cluster.urls.join(',');
    for (let round = 1; round <= settings.rounds; round++) {
      for (const scenario of SCENARIOS) {
        for (const client of clients) {
          process.stderr.write(`cluster bench · ${client.id} · ${scenario} · round ${round}/${settings.rounds}\n`);
          const concurrency = scenario === 'pipeline1000' ? pipelineCallers : settings.concurrency;
          const task: ChildTask = { ...settings, client: client.id, scenario, url, poolSize: size, concurrency };
          try {
            results.push(await runOne(cluster, task));
          } catch (err) {
            failures.push(`${client.id} ${scenario} round ${round}: ${err instanceof Error ? err.message : String(err)}`);
          }
        }
      }
    }
  } finally {
    await cluster.stop();
  }
  const cpu = cpus();
  const markdown = renderClusterMarkdown(summarize(results, SUBJECT), settings, clients, {
    redis,
    node: process.version,
    cpu: `${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}`,
    date: new Date().toISOString().slice(0, 10),
    size,
    pipelineCallers,
  }, failures);
  await mkdir(RESULTS, { recursive: true });
  await writeFile(new URL('cluster.md', RESULTS), markdown);
  return markdown;
}

function positiveInteger(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!(Number.isInteger(value) && value > 0)) throw new Error(`${name} must be a positive integer, got ${JSON.stringify(raw)}`);
  return value;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    process.stdout.write(await runClusterBench(settingsFromEnv()));
    process.stderr.write('written: bench/results/cluster.md\n');
  } finally {
    await cleanupAll();
  }
}
