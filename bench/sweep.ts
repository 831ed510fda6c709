/**
 * The concurrency sweep (`npm run bench -- sweep`): `command` and `use1` at 1, 10, 200, 2,000
 * and 10,000 concurrent callers on every client, rounds alternating clients, medians; each
 * round also runs `redis-benchmark -P 16 -c 200`, the server's own ceiling, so the 200-caller
 * ratio to it comes from the same run. The 10,000-caller runs also give each client's peak RSS
 * and heap while that many callers wait.
 *
 * ```
 * for each round: for each level: for each scenario: for each client: fork a child
 *                 redis-benchmark -P 16 -c 200
 * ```
 */
import type { ChildTask } from './clients/harness.js';
import { runOne, type ClientEntry } from './children.js';
import { Progress } from './progress.js';
import { runRedisBenchmark, type RedisTarget } from './redis.js';
import { formatBytes, formatLatency, formatOps, formatRatio } from './report.js';
import type { BenchSettings, ScenarioName } from './scenarios.js';
import { median, summarize, type RoundResult, type Summary } from './stats.js';

export const SWEEP_LEVELS = [1, 10, 200, 2000, 10_000] as const;
export const SWEEP_SCENARIOS: readonly ScenarioName[] = ['command', 'use1'];
/** The level redis-benchmark runs at, with -P 16. */
export const REFERENCE_CALLERS = 200;
const STARTUP_MS = 1500;

export interface SweepRow extends Summary {
  concurrency: number;
  /** Medians of the peak RSS and heap while measuring, bytes. */
  rss: number;
  heap: number;
}

export interface SweepReport {
  rows: SweepRow[];
  /** Median requests/s of redis-benchmark -P 16 -c 200 (mean of its SET and GET), NaN if none. */
  reference: number;
  seconds: number;
}

/** The sweep's own timing: shorter runs than the throughput part, as there are many more. */
export function sweepSettings(settings: BenchSettings, env: NodeJS.ProcessEnv = process.env): BenchSettings {
  const seconds = Number(env.BENCH_SWEEP_SECONDS ?? (settings.quick ? 1 : 2));
  return { ...settings, measureMs: seconds * 1000 };
}

export async function runSweep(
  target: RedisTarget,
  clients: readonly ClientEntry[],
  base: BenchSettings,
  subject: string,
  failures: string[],
): Promise<SweepReport> {
  const settings = sweepSettings(base);
  const runMs = settings.warmupMs + settings.measureMs + STARTUP_MS;
  const perRound = SWEEP_LEVELS.length * SWEEP_SCENARIOS.length * clients.length;
  const progress = new Progress(settings.rounds * (perRound * runMs + 3000), settings.rounds * (perRound + 1));
  const results: RoundResult[] = [];
  const reference: number[] = [];
  try {
    for (let round = 1; round <= settings.rounds; round++) {
      const tag = `sweep round ${round}/${settings.rounds}`;
      for (const concurrency of SWEEP_LEVELS) {
        for (const scenario of SWEEP_SCENARIOS) {
          for (const client of clients) {
            progress.start(`${client.id} · ${scenario} × ${concurrency} · ${tag}`, runMs);
            const task: ChildTask = { client: client.id, scenario, url: target.url, ...settings, concurrency };
            const result = await runOne(target, client, task, failures, progress);
            if (result) results.push(result);
            progress.finish();
          }
        }
      }
      progress.start(`redis-benchmark -P 16 -c ${REFERENCE_CALLERS} · ${tag}`, 3000);
      try {
        const runs = await runRedisBenchmark(target, {
          pipeline: 16,
          clients: REFERENCE_CALLERS,
          requests: settings.quick ? 100_000 : 1_000_000,
        });
        if (runs.length > 0) reference.push(runs.reduce((sum, r) => sum + r.requestsPerSec, 0) / runs.length);
      } catch (err) {
        failures.push(`redis-benchmark -P 16: ${err instanceof Error ? err.message : err}`);
      }
      progress.finish();
    }
  } finally {
    progress.close();
  }
  const rows: SweepRow[] = [];
  for (const concurrency of SWEEP_LEVELS) {
    const level = results.filter((r) => r.concurrency === concurrency);
    for (const summary of summarize(level, subject)) {
      const same = level.filter((r) => r.client === summary.client && r.scenario === summary.scenario);
      rows.push({
        ...summary,
        concurrency,
        rss: median(same.map((r) => r.rss ?? NaN)),
        heap: median(same.map((r) => r.heap ?? NaN)),
      });
    }
  }
  return { rows, reference: median(reference), seconds: settings.measureMs / 1000 };
}

/** The best peer's row (highest ops/s) of a scenario at a level, if any ran. */
export function bestPeerRow(rows: readonly SweepRow[], scenario: string, concurrency: number, subject: string): SweepRow | undefined {
  let best: SweepRow | undefined;
  for (const r of rows) {
    if (r.scenario !== scenario || r.concurrency !== concurrency || r.client === subject) continue;
    if (best === undefined || r.opsPerSec > best.opsPerSec) best = r;
  }
  return best;
}

/** Markdown: one table per scenario (ops/s per client and level), then memory at the top level. */
export function renderSweep(report: SweepReport, subject: string, labelOf: (id: string) => string): string {
  const out: string[] = ['## Concurrency sweep', ''];
  out.push(
    `Median ops/s over the rounds (${report.seconds} s each, clients alternating), GET/SET of 64 bytes; ` +
      `the last line of each table is respool over the best peer at that level. ` +
      `\`redis-benchmark -t get,set -d 64 -c ${REFERENCE_CALLERS} -P 16\` in the same run: ${formatOps(report.reference)} requests/s.`,
    '',
  );
  const clients = [...new Set(report.rows.map((r) => r.client))];
  for (const scenario of SWEEP_SCENARIOS) {
    out.push(`### \`${scenario}\``, '');
    out.push(`| client | ${SWEEP_LEVELS.map((l) => `${l.toLocaleString('en-US')} callers`).join(' | ')} |`);
    out.push(`| --- | ${SWEEP_LEVELS.map(() => '---:').join(' | ')} |`);
    for (const client of clients) {
      const cells = SWEEP_LEVELS.map((level) => {
        const row = report.rows.find((r) => r.client === client && r.scenario === scenario && r.concurrency === level);
        if (row === undefined) return '–';
        return `${formatOps(row.opsPerSec)}${row.errors > 0 ? ` (${row.errors} errors)` : ''}`;
      });
      const name = client === subject ? `**${labelOf(client)}**` : labelOf(client);
      out.push(`| ${name} | ${cells.join(' | ')} |`);
    }
    const ratios = SWEEP_LEVELS.map((level) => {
      const own = report.rows.find((r) => r.client === subject && r.scenario === scenario && r.concurrency === level);
      return formatRatio(own !== undefined ? own.vsBestPeer : NaN);
    });
    out.push(`| respool ÷ best peer | ${ratios.join(' | ')} |`);
    const own200 = report.rows.find((r) => r.client === subject && r.scenario === scenario && r.concurrency === REFERENCE_CALLERS);
    out.push('', `respool at ${REFERENCE_CALLERS} callers ÷ redis-benchmark -P 16: ${formatRatio((own200?.opsPerSec ?? NaN) / report.reference)}.`, '');
    out.push('p99 latency per level:', '');
    out.push(`| client | ${SWEEP_LEVELS.map((l) => l.toLocaleString('en-US')).join(' | ')} |`);
    out.push(`| --- | ${SWEEP_LEVELS.map(() => '---:').join(' | ')} |`);
    for (const client of clients) {
      const cells = SWEEP_LEVELS.map((level) => {
        const row = report.rows.find((r) => r.client === client && r.scenario === scenario && r.concurrency === level);
        return row === undefined ? '–' : formatLatency(row.p99);
      });
      out.push(`| ${labelOf(client)} | ${cells.join(' | ')} |`);
    }
    out.push('');
  }
  const top = SWEEP_LEVELS[SWEEP_LEVELS.length - 1];
  out.push(`### Memory at ${top.toLocaleString('en-US')} waiting callers`, '');
  out.push('Peak RSS and heap in use of the client\'s process (node, tsx and the library included) while the callers run; medians over the rounds.', '');
  out.push('| client | `command` RSS | `command` heap | `use1` RSS | `use1` heap |', '| --- | ---: | ---: | ---: | ---: |');
  for (const client of clients) {
    const cells = SWEEP_SCENARIOS.flatMap((scenario) => {
      const row = report.rows.find((r) => r.client === client && r.scenario === scenario && r.concurrency === top);
      return row === undefined ? ['–', '–'] : [formatBytes(row.rss), formatBytes(row.heap)];
    });
    out.push(`| ${client === subject ? `**${labelOf(client)}**` : labelOf(client)} | ${cells.join(' | ')} |`);
  }
  out.push('');
  return out.join('\n');
}
