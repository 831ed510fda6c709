/**
 * The client-side caching bench: the read-mostly scenario of ./scenario.ts for respool with and
 * without its cache, node-redis's cache and GLIDE's, one child process per (client, round),
 * clients alternating within each round. Run by `npm run bench` after the main scenarios, or
 * alone with `npm run bench:cache` (same environment variables: REDIS_URL, BENCH_QUICK,
 * BENCH_ROUNDS, BENCH_SECONDS, BENCH_WARMUP_SECONDS, BENCH_CONCURRENCY; BENCH_CACHE_CLIENTS
 * picks variants).
 */
import { fork } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { redisTarget, type RedisTarget } from '../redis.js';
import { settingsFromEnv, type BenchSettings } from '../scenarios.js';
import { median } from '../stats.js';
import type { CacheRoundResult, CacheTask } from './scenario.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const RESULTS = new URL('../results/', import.meta.url);

export const CACHE_CLIENTS: readonly { id: string; label: string }[] = [
  { id: 'respool', label: 'respool, no cache' },
  { id: 'respool-cached', label: 'respool `clientCache`' },
  { id: 'respool-cached-bcast', label: "respool `clientCache`, mode 'bcast'" },
  { id: 'node-redis-cached', label: 'node-redis `BasicClientSideCache`' },
  { id: 'glide-cached', label: 'GLIDE `ClientSideCache` (serverAssisted)' },
  { id: 'ceiling', label: 'ceiling: every read answered at once, no client (no cache can do better)' },
];

type ChildReply = { type: 'result'; result: CacheRoundResult } | { type: 'error'; message: string };

function runChild(task: CacheTask): Promise<CacheRoundResult> {
  const child = fork(fileURLToPath(new URL('child.ts', import.meta.url)), [JSON.stringify(task)], {
    cwd: ROOT,
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    let reply: ChildReply | undefined;
    const timer = setTimeout(() => child.kill('SIGKILL'), task.warmupMs + task.measureMs + 60_000);
    child.on('message', (m) => (reply ??= m as ChildReply));
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (reply?.type === 'result') resolve(reply.result);
      else reject(new Error(reply?.type === 'error' ? reply.message : `exited (${signal ?? code}): ${stderr.trim()}`));
    });
  });
}

/** Medians over the rounds, per client. */
function summarize(results: readonly CacheRoundResult[]): CacheRoundResult[] {
  const out: CacheRoundResult[] = [];
  for (const { id } of CACHE_CLIENTS) {
    const runs = results.filter((r) => r.client === id);
    if (runs.length === 0) continue;
    const med = (pick: (r: CacheRoundResult) => number | null) => {
      const values = runs.map(pick).filter((x): x is number => x !== null && !Number.isNaN(x));
      return values.length > 0 ? median(values) : null;
    };
    const sum = (pick: (r: CacheRoundResult) => number | null) =>
      runs.some((r) => pick(r) === null) ? null : runs.reduce((a, r) => a + pick(r)!, 0);
    out.push({
      client: id,
      opsPerSec: med((r) => r.opsPerSec)!,
      p50: med((r) => r.p50)!,
      p99: med((r) => r.p99)!,
      reads: sum((r) => r.reads)!,
      writes: sum((r) => r.writes)!,
      staleAfterInvalidation: sum((r) => r.staleAfterInvalidation),
      olderThanAcked: sum((r) => r.olderThanAcked)!,
      lagP50: med((r) => r.lagP50),
      lagP99: med((r) => r.lagP99),
      lagSamples: sum((r) => r.lagSamples)!,
      hitRate: med((r) => r.hitRate),
      errors: sum((r) => r.errors)!,
    });
  }
  return out;
}

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const us = (n: number | null) => (n === null ? 'n/a' : `${int(n)} µs`);

/** The Markdown section: one row per client, ratios against respool uncached and the best peer. */
export function renderCacheMarkdown(rows: readonly CacheRoundResult[], settings: BenchSettings, failures: readonly string[]): string {
  const base = rows.find((r) => r.client === 'respool')?.opsPerSec;
  const cached = rows.find((r) => r.client === 'respool-cached')?.opsPerSec;
  const ceiling = rows.find((r) => r.client === 'ceiling')?.opsPerSec;
  const peers = rows.filter((r) => !r.client.startsWith('respool') && r.client !== 'ceiling');
  const bestPeer = peers.reduce((best, r) => Math.max(best, r.opsPerSec), 0);
  const lines = [
    '## Client-side caching: read-mostly',
    '',
    `95% GET over 1,000 hot keys through the client, 5% SET of a new version through a separate writer connection; ` +
      `${settings.concurrency} callers, ${settings.rounds} round(s) of ${settings.measureMs / 1000} s, medians (stale counts summed over the rounds).`,
    '',
    '| client | ops/s | p50 | p99 | hit rate | stale after invalidation | older than acked (lag window) | invalidation lag p50 / p99 |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of rows) {
    const label = CACHE_CLIENTS.find((c) => c.id === r.client)?.label ?? r.client;
    const hit = r.hitRate === null ? 'n/a' : `${(100 * r.hitRate).toFixed(1)}%`;
    const stale = r.staleAfterInvalidation === null ? 'n/a (no hook)' : `${int(r.staleAfterInvalidation)} of ${int(r.reads)}`;
    const lag = r.lagP50 === null ? 'n/a' : `${us(r.lagP50)} / ${us(r.lagP99)}`;
    lines.push(`| ${label} | ${int(r.opsPerSec)} | ${us(r.p50)} | ${us(r.p99)} | ${hit} | ${stale} | ${int(r.olderThanAcked)} | ${lag} |`);
  }
  lines.push('');
  if (base !== undefined && cached !== undefined) {
    lines.push(`respool cached vs uncached: **${(cached / base).toFixed(2)}x**` +
      (bestPeer > 0 ? `; vs the best peer cache: **${(cached / bestPeer).toFixed(2)}x**.` : '.'));
  }
  if (base !== undefined && ceiling !== undefined) {
    // The writes (5% of operations, each a round trip) and the harness bound every cache: the
    // ceiling says how far a perfect one would get.
    lines.push(`The scenario's ceiling (no cache could do better): **${(ceiling / base).toFixed(2)}x** uncached respool` +
      (cached !== undefined ? `; respool cached reaches **${Math.round((100 * cached) / ceiling)}%** of it.` : '.'));
  }
  for (const failure of failures) lines.push(`- failed: ${failure}`);
  return lines.join('\n') + '\n';
}

/** Runs every round and returns the Markdown section (also written to bench/results/cache.md). */
export async function runCacheBench(target: RedisTarget, settings: BenchSettings): Promise<string> {
  const wanted = process.env.BENCH_CACHE_CLIENTS?.split(',').map((s) => s.trim());
  const clients = CACHE_CLIENTS.filter((c) => !wanted || wanted.includes(c.id));
  const results: CacheRoundResult[] = [];
  const failures: string[] = [];
  for (let round = 1; round <= settings.rounds; round++) {
    for (const { id } of clients) {
      process.stderr.write(`cache bench · ${id} · round ${round}/${settings.rounds}\n`);
      const task: CacheTask = { client: id, url: target.url, ...settings };
      try {
        results.push(await runChild(task));
      } catch (err) {
        failures.push(`${id} round ${round}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }
  const markdown = renderCacheMarkdown(summarize(results), settings, failures);
  await mkdir(RESULTS, { recursive: true });
  await writeFile(new URL('cache.md', RESULTS), markdown);
  return markdown;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const target = await redisTarget();
  try {
    process.stdout.write(await runCacheBench(target, settingsFromEnv()));
  } finally {
    await target.stop();
  }
}
