/**
 * Open-loop latency (`npm run bench -- openloop`): each client gets commands at fixed offered
 * rates on a schedule independent of its replies (bench/clients/open-loop.ts), rounds
 * alternating clients, medians of p50/p99/p99.9 and of the share of arrivals that missed their
 * schedule. The rates come from the peers' own peaks (`command`, 200 callers): 25, 50 and 80 %
 * of the slowest peer's, and one above every peer's peak that respool should still sustain.
 *
 * The peaks are the sweep's when it ran in the same invocation, else a short probe here.
 *
 * Every rate also runs the driver alone (bench/clients/none.ts: "commands" answered on the next
 * event-loop turn, no I/O), alternating with the clients: the floor the host and the driver set
 * in that very run. Each row splits its p99 into how late arrivals were issued and how long
 * their replies took, so a tail made of the process not running shows as such.
 */
import type { OpenLoopResult } from './clients/open-loop.js';
import { MISS_MS } from './clients/open-loop.js';
import { runOne, runTask, type ClientEntry } from './children.js';
import { Progress } from './progress.js';
import type { RedisTarget } from './redis.js';
import { escapeXml, formatLatency, formatOps } from './report.js';
import type { BenchSettings } from './scenarios.js';
import { median } from './stats.js';

export const LOAD_SHARES = [0.25, 0.5, 0.8] as const;
/** The last rate: this much above the best peer's peak (capped under respool's own peak). */
const BEYOND_PEERS = 1.3;
const STARTUP_MS = 1500;

/** The driver alone, as a row of its own: not a peer, never in a goal's comparison. */
export const DRIVER_ALONE: ClientEntry = {
  id: 'none',
  label: 'driver alone (no client)',
  file: 'none.ts',
  note: 'the open-loop driver with "commands" answered on the next event-loop turn, no I/O: the host\'s and the driver\'s own tail.',
};

export interface OfferedRate {
  rate: number;
  /** "25 % of the slowest peer's peak", ... */
  label: string;
}

export interface OpenLoopRow {
  client: string;
  rate: number;
  rounds: number;
  achieved: number;
  p50: number;
  p99: number;
  p999: number;
  /** p99 of how late arrivals were issued, and of issue-to-reply time (see OpenLoopResult). */
  issueP99: number;
  replyP99: number;
  missed: number;
  errors: number;
}

export interface OpenLoopReport {
  peaks: Record<string, number>;
  rates: OfferedRate[];
  rows: OpenLoopRow[];
  seconds: number;
}

/** The offered rates, from each client's peak `command` ops/s at 200 callers. */
export function offeredRates(peaks: Readonly<Record<string, number>>, subject: string): OfferedRate[] {
  const peers = Object.entries(peaks).filter(([id, v]) => id !== subject && Number.isFinite(v)).map(([, v]) => v);
  if (peers.length === 0) return [];
  const slowest = Math.min(...peers);
  const best = Math.max(...peers);
  const rates: OfferedRate[] = LOAD_SHARES.map((share) => ({
    rate: Math.round(slowest * share),
    label: `${share * 100} % of the slowest peer's peak`,
  }));
  const own = peaks[subject] ?? NaN;
  const beyond = Math.round(Math.min(best * BEYOND_PEERS, Number.isFinite(own) ? own * 0.8 : Infinity));
  if (beyond > best) rates.push({ rate: beyond, label: `${(beyond / best).toFixed(2)}× the best peer's peak` });
  return rates;
}

/** Each client's `command` ops/s at 200 callers, one short run each. */
async function probePeaks(
  target: RedisTarget,
  clients: readonly ClientEntry[],
  settings: BenchSettings,
  failures: string[],
): Promise<Record<string, number>> {
  const peaks: Record<string, number> = {};
  const probe = { ...settings, warmupMs: 500, measureMs: 1500 };
  const progress = new Progress(clients.length * (2000 + STARTUP_MS), clients.length);
  try {
    for (const client of clients) {
      progress.start(`${client.id} · peak probe`, 2000 + STARTUP_MS);
      const task = { client: client.id, scenario: 'command' as const, url: target.url, ...probe, concurrency: 200 };
      const result = await runOne(target, client, task, failures, progress);
      if (result) peaks[client.id] = result.opsPerSec;
      progress.finish();
    }
  } finally {
    progress.close();
  }
  return peaks;
}

export async function runOpenLoop(
  target: RedisTarget,
  clients: readonly ClientEntry[],
  settings: BenchSettings,
  subject: string,
  failures: string[],
  knownPeaks?: Record<string, number>,
): Promise<OpenLoopReport> {
  const peaks = knownPeaks ?? (await probePeaks(target, clients, settings, failures));
  const rates = offeredRates(peaks, subject);
  const measureMs = 1000 * Number(process.env.BENCH_OPEN_SECONDS ?? (settings.quick ? 1 : 2.5));
  const runMs = settings.warmupMs + measureMs + STARTUP_MS;
  const runners = [...clients, DRIVER_ALONE];
  const runs = settings.rounds * rates.length * runners.length;
  const progress = new Progress(runs * runMs, runs);
  const results: OpenLoopResult[] = [];
  try {
    for (let round = 1; round <= settings.rounds; round++) {
      for (const { rate } of rates) {
        for (const client of runners) {
          progress.start(`${client.id} · open loop ${formatOps(rate)}/s · round ${round}/${settings.rounds}`, runMs);
          const task = {
            client: client.id, scenario: 'command' as const, url: target.url, ...settings,
            measureMs, mode: 'open' as const, rate,
          };
          const result = await runTask(target, client, task, failures, progress);
          if (result !== undefined && !('scenario' in result)) results.push(result);
          progress.finish();
        }
      }
    }
  } finally {
    progress.close();
  }
  const rows: OpenLoopRow[] = [];
  for (const { rate } of rates) {
    for (const client of runners) {
      const same = results.filter((r) => r.client === client.id && r.rate === rate);
      if (same.length === 0) continue;
      rows.push({
        client: client.id,
        rate,
        rounds: same.length,
        achieved: median(same.map((r) => r.achieved)),
        p50: median(same.map((r) => r.p50)),
        p99: median(same.map((r) => r.p99)),
        p999: median(same.map((r) => r.p999)),
        issueP99: median(same.map((r) => r.issueP99)),
        replyP99: median(same.map((r) => r.replyP99)),
        missed: median(same.map((r) => r.missed)),
        errors: same.reduce((sum, r) => sum + r.errors, 0),
      });
    }
  }
  return { peaks, rates, rows, seconds: measureMs / 1000 };
}

function percent(share: number): string {
  if (!Number.isFinite(share)) return '–';
  return share === 0 ? '0 %' : share < 0.001 ? '<0.1 %' : `${(share * 100).toFixed(1)} %`;
}

export function renderOpenLoop(report: OpenLoopReport, subject: string, labelOf: (id: string) => string): string {
  const out: string[] = ['## Open-loop latency', ''];
  out.push(
    'GET/SET arrivals on a fixed schedule, whatever the replies do; latency counted from each arrival\'s ' +
      `scheduled time (no coordinated omission). "missed": arrivals issued more than ${MISS_MS} ms late or ` +
      `not at all (100,000 already waiting). ${report.seconds} s measured per run, medians over the rounds. ` +
      '"issue p99": how late arrivals were issued (the driver\'s event loop busy or the process waiting for a CPU); ' +
      '"reply p99": from issue to reply. "driver alone" answers on the next event-loop turn without I/O: the floor ' +
      'the host and the driver set in the same run. ' +
      'Peaks (`command`, 200 callers): ' +
      Object.entries(report.peaks).map(([id, v]) => `${labelOf(id)} ${formatOps(v)}`).join(', ') + '.',
    '',
  );
  for (const { rate, label } of report.rates) {
    out.push(`### ${formatOps(rate)} commands/s (${label})`, '');
    out.push(
      '| client | p50 | p99 | p99.9 | issue p99 | reply p99 | missed | answered/s | errors |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    );
    for (const r of report.rows.filter((x) => x.rate === rate).sort((a, b) => a.p99 - b.p99)) {
      const name = r.client === subject ? `**${labelOf(r.client)}**` : r.client === DRIVER_ALONE.id ? `_${DRIVER_ALONE.label}_` : labelOf(r.client);
      const cells = [r.p50, r.p99, r.p999, r.issueP99, r.replyP99].map(formatLatency);
      out.push(`| ${name} | ${cells.join(' | ')} | ${percent(r.missed)} | ${formatOps(r.achieved)} | ${r.errors} |`);
    }
    out.push('');
  }
  return out.join('\n');
}

const COLORS = ['#c0392b', '#2980b9', '#27ae60', '#8e44ad', '#d35400', '#16a085', '#7f8c8d', '#2c3e50', '#f39c12'];

/** p99 against offered rate, one line per client, log-scaled latency. */
export function renderOpenLoopSvg(report: OpenLoopReport, subject: string, labelOf: (id: string) => string): string {
  const width = 760;
  const height = 420;
  const left = 70;
  const right = 230;
  const top = 40;
  const bottom = 50;
  const rates = report.rates.map((r) => r.rate);
  const values = report.rows.map((r) => r.p99).filter((v) => v > 0 && Number.isFinite(v));
  if (rates.length === 0 || values.length === 0) return '';
  const lo = 10 ** Math.floor(Math.log10(Math.min(...values)));
  const hi = 10 ** Math.ceil(Math.log10(Math.max(...values)));
  // Rates evenly spaced, in order: the last one is often 10x the others, which a linear axis
  // would crowd into one corner.
  const step = (width - left - right) / Math.max(rates.length, 1);
  const x = (rate: number) => left + step * (rates.indexOf(rate) + 0.5);
  const y = (micros: number) =>
    top + (1 - (Math.log10(micros) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * (height - top - bottom);
  const body: string[] = [];
  for (let d = lo; d <= hi; d *= 10) {
    body.push(`<line x1="${left}" x2="${width - right}" y1="${y(d).toFixed(1)}" y2="${y(d).toFixed(1)}" class="grid"/>`);
    body.push(`<text x="${left - 6}" y="${(y(d) + 4).toFixed(1)}" class="axis" text-anchor="end">${escapeXml(formatLatency(d))}</text>`);
  }
  for (const rate of rates) {
    body.push(`<text x="${x(rate).toFixed(1)}" y="${height - bottom + 18}" class="axis" text-anchor="middle">${escapeXml(formatOps(rate))}</text>`);
  }
  const clients = [...new Set(report.rows.map((r) => r.client))];
  clients.forEach((client, i) => {
    const alone = client === DRIVER_ALONE.id;
    const color = client === subject ? COLORS[0] : alone ? '#999' : COLORS[1 + (i % (COLORS.length - 1))];
    const points = report.rows
      .filter((r) => r.client === client && r.p99 > 0)
      .sort((a, b) => a.rate - b.rate)
      .map((r) => `${x(r.rate).toFixed(1)},${y(r.p99).toFixed(1)}`);
    const widthAttr = client === subject ? 3 : 1.5;
    const dash = alone ? ' stroke-dasharray="5 4"' : '';
    body.push(`<polyline points="${points.join(' ')}" fill="none" stroke="${color}" stroke-width="${widthAttr}"${dash}/>`);
    for (const p of points) {
      const [px, py] = p.split(',');
      body.push(`<circle cx="${px}" cy="${py}" r="3" fill="${color}"/>`);
    }
    const ly = top + 10 + i * 18;
    body.push(`<rect x="${width - right + 15}" y="${ly - 9}" width="12" height="12" fill="${color}"/>`);
    body.push(`<text x="${width - right + 32}" y="${ly + 1}">${escapeXml(alone ? DRIVER_ALONE.label : labelOf(client))}</text>`);
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    '<style>text { font: 12px sans-serif; fill: #222; } .title { font-size: 15px; font-weight: bold; } .axis { fill: #555; } .grid { stroke: #ddd; }</style>',
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="10" y="22" class="title">Open loop: p99 latency vs offered load (GET/SET, log scale, lower is better)</text>`,
    `<text x="${(left + (width - right)) / 2}" y="${height - 12}" class="axis" text-anchor="middle">offered commands/s (not to scale)</text>`,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}
