/**
 * Turns benchmark results into a Markdown report and a hand-written SVG bar chart. Pure: the
 * inputs are plain data, the outputs are strings; bench/run.ts does the writing.
 */
import { SCENARIO_TABLE, SCENARIOS, type BenchSettings } from './scenarios.js';
import type { Summary } from './stats.js';

/** A client as the report names it. */
export interface ClientInfo {
  id: string;
  label: string;
  /** How it runs each scenario, when that is not obvious from the label. */
  note: string;
  /** The client this one is with something added (tracing): the report gives their ratio. */
  baseline?: string;
}

/** The median of one redis-benchmark figure over the rounds. */
export interface ReferenceSummary {
  pipeline: number;
  test: string;
  requestsPerSec: number;
  /** Microseconds; NaN when not printed. */
  p50: number;
}

/** The memory figures of bench/clients/memory.ts, in bytes. */
export interface MemoryReport {
  client: string;
  idleConnections: number;
  heapPerConnection: number;
  callers: number;
  rssAtCallers: number;
  driftCommands: number;
  heapDrift: number;
}

/** Everything one bench run produced. */
export interface BenchReport {
  environment: { node: string; redis: string; cpu: string; date: string };
  settings: BenchSettings;
  /** The client whose ratios to its peers the report is about. */
  subject: string;
  clients: readonly ClientInfo[];
  summaries: readonly Summary[];
  reference: readonly ReferenceSummary[];
  memory?: MemoryReport;
  /** One line per run that failed; the report shows them rather than hiding the gap. */
  failures: readonly string[];
}

/** 1234567.8 → "1,234,568". */
export function formatOps(value: number): string {
  if (!Number.isFinite(value)) return '–';
  return Math.round(value).toLocaleString('en-US');
}

/** Microseconds to a short human unit: "850 µs", "1.24 ms", "1.3 s". */
export function formatLatency(micros: number): string {
  if (!Number.isFinite(micros)) return '–';
  if (micros < 1000) return `${Math.round(micros)} µs`;
  if (micros < 1_000_000) return `${(micros / 1000).toFixed(micros < 10_000 ? 2 : 1)} ms`;
  return `${(micros / 1_000_000).toFixed(2)} s`;
}

/** Bytes to KiB or MiB; `signed` adds a '+' to growth, for drift. */
export function formatBytes(bytes: number, signed = false): string {
  if (!Number.isFinite(bytes)) return '–';
  const sign = signed && bytes > 0 ? '+' : bytes < 0 ? '−' : '';
  const size = Math.abs(bytes);
  if (size < 1024) return `${sign}${Math.round(size)} B`;
  if (size < 1024 * 1024) return `${sign}${(size / 1024).toFixed(1)} KiB`;
  return `${sign}${(size / 1024 / 1024).toFixed(1)} MiB`;
}

/** A ratio as "1.23×"; "–" when there is nothing to compare with. */
export function formatRatio(ratio: number): string {
  return Number.isFinite(ratio) ? `${ratio.toFixed(2)}×` : '–';
}

/** The full Markdown report. */
export function renderMarkdown(report: BenchReport): string {
  const { environment: env, settings: s } = report;
  const lines = [
    '# respool benchmark',
    '',
    `Node ${env.node} · Redis ${env.redis} · ${env.cpu} · ${env.date}`,
    '',
    `${s.concurrency} concurrent callers · GET/SET of 64-byte values · pool of ${s.poolSize} ` +
      `where the client pools · ${s.rounds} round(s) of ${s.measureMs / 1000} s after ` +
      `${s.warmupMs / 1000} s of warm-up, clients alternating · each client in its own process · ` +
      'figures are medians over the rounds; ops/s counts commands; latency is per operation ' +
      '(a command, a checkout, or a whole pipeline).',
  ];
  // Empty when only other parts ran (`npm run bench -- sweep`).
  if (report.summaries.length > 0) for (const scenario of SCENARIOS) lines.push('', ...scenarioTable(report, scenario));
  const overhead = overheadTable(report);
  if (overhead.length > 0) lines.push('', ...overhead);
  if (report.reference.length > 0) lines.push('', ...referenceTable(report.reference, s));
  if (report.memory) lines.push('', ...memoryTable(report.memory));
  lines.push('', '## Clients', '', ...report.clients.map((c) => `- **${c.label}**: ${c.note}`));
  if (report.failures.length > 0) {
    lines.push('', '## Failed runs', '', ...report.failures.map((f) => `- ${f}`));
  }
  return `${lines.join('\n')}\n`;
}

function scenarioTable(report: BenchReport, scenario: string): string[] {
  const rows = report.summaries
    .filter((r) => r.scenario === scenario)
    .sort((a, b) => b.opsPerSec - a.opsPerSec);
  const title = `## \`${scenario}\`: ${SCENARIO_TABLE[scenario as keyof typeof SCENARIO_TABLE].description}`;
  if (rows.length === 0) return [title, '', 'No results.'];
  const table = [
    title,
    '',
    '| client | ops/s | p50 | p99 | vs best peer | errors |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of rows) {
    const label = labelOf(report.clients, r.client);
    const name = r.client === report.subject ? `**${label}**` : label;
    const cells = [formatOps(r.opsPerSec), formatLatency(r.p50), formatLatency(r.p99)];
    table.push(`| ${name} | ${cells.join(' | ')} | ${formatRatio(r.vsBestPeer)} | ${r.errors} |`);
  }
  return table;
}

/** Each client with a baseline (an OpenTelemetry row) against that baseline, per scenario. */
function overheadTable(report: BenchReport): string[] {
  const pairs = report.clients.filter((c) => c.baseline !== undefined);
  const rows: string[] = [];
  for (const client of pairs) {
    const cells = SCENARIOS.map((scenario) => {
      const find = (id: string) => report.summaries.find((r) => r.client === id && r.scenario === scenario);
      const traced = find(client.id);
      const base = find(client.baseline!);
      return traced && base ? formatRatio(traced.opsPerSec / base.opsPerSec) : '–';
    });
    rows.push(`| ${client.label} vs ${labelOf(report.clients, client.baseline!)} | ${cells.join(' | ')} |`);
  }
  if (rows.length === 0) return [];
  return [
    '## Tracing overhead: ops/s with OpenTelemetry on, as a fraction of the same client without',
    '',
    `| client | ${SCENARIOS.map((x) => `\`${x}\``).join(' | ')} |`,
    `| --- | ${SCENARIOS.map(() => '---:').join(' | ')} |`,
    ...rows,
  ];
}

function referenceTable(reference: readonly ReferenceSummary[], s: BenchSettings): string[] {
  const table = [
    '## Reference: `redis-benchmark`',
    '',
    `\`redis-benchmark -t get,set -d 64 -c ${s.concurrency} -q\`, C, no Node.js in the path: ` +
      'the ceiling of this server on this machine.',
    '',
    '| command | pipeline (-P) | requests/s | p50 |',
    '| --- | ---: | ---: | ---: |',
  ];
  for (const r of reference) {
    table.push(`| ${r.test} | ${r.pipeline} | ${formatOps(r.requestsPerSec)} | ${formatLatency(r.p50)} |`);
  }
  return table;
}

function memoryTable(m: MemoryReport): string[] {
  return [
    `## Memory (${m.client})`,
    '',
    '| measure | value |',
    '| --- | ---: |',
    `| heap per idle connection (${m.idleConnections} connections, after GC) | ${formatBytes(m.heapPerConnection)} |`,
    `| RSS with ${formatOps(m.callers)} concurrent callers | ${formatBytes(m.rssAtCallers)} |`,
    `| heap drift over ${formatOps(m.driftCommands)} commands (after GC) | ${formatBytes(m.heapDrift, true)} |`,
  ];
}

export function labelOf(clients: readonly ClientInfo[], id: string): string {
  return clients.find((c) => c.id === id)?.label ?? id;
}

/** Escapes text for SVG character data and attribute values. */
export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

const CHART = { width: 820, labelWidth: 230, valueWidth: 110, bar: 18, gap: 4, groupGap: 26 };

/**
 * A horizontal bar chart of median ops/s: one group per scenario, one bar per client, each
 * group scaled to its own fastest client (pipelines run two orders of magnitude faster than
 * single commands, so one shared axis would flatten the other groups). The subject is drawn in
 * a stronger colour.
 */
export function renderSvg(report: BenchReport): string {
  const body: string[] = [];
  const barArea = CHART.width - CHART.labelWidth - CHART.valueWidth;
  let y = 40;
  for (const scenario of SCENARIOS) {
    const rows = report.summaries
      .filter((r) => r.scenario === scenario)
      .sort((a, b) => b.opsPerSec - a.opsPerSec);
    if (rows.length === 0) continue;
    body.push(`<text x="10" y="${y + 12}" class="group">${escapeXml(scenario)}</text>`);
    y += 20;
    const top = Math.max(...rows.map((r) => r.opsPerSec));
    for (const r of rows) {
      const width = top > 0 && Number.isFinite(r.opsPerSec) ? (r.opsPerSec / top) * barArea : 0;
      const cls = r.client === report.subject ? 'subject' : 'peer';
      const label = escapeXml(labelOf(report.clients, r.client));
      const text = y + CHART.bar - 5;
      body.push(
        `<text x="${CHART.labelWidth - 8}" y="${text}" class="label">${label}</text>`,
        `<rect x="${CHART.labelWidth}" y="${y}" width="${width.toFixed(1)}" height="${CHART.bar}" class="${cls}"/>`,
        `<text x="${(CHART.labelWidth + width + 6).toFixed(1)}" y="${text}" class="value">${formatOps(r.opsPerSec)}</text>`,
      );
      y += CHART.bar + CHART.gap;
    }
    y += CHART.groupGap - CHART.gap;
  }
  const height = y;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${CHART.width}" height="${height}" viewBox="0 0 ${CHART.width} ${height}">`,
    '<style>',
    'text { font: 12px sans-serif; fill: #222; }',
    '.title { font-size: 15px; font-weight: bold; }',
    '.group { font-weight: bold; }',
    '.label { text-anchor: end; }',
    '.subject { fill: #c0392b; }',
    '.peer { fill: #95a5a6; }',
    '</style>',
    `<rect width="${CHART.width}" height="${height}" fill="#fff"/>`,
    `<text x="10" y="22" class="title">Median ops/s, ${report.settings.concurrency} concurrent callers (longer is better)</text>`,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}
