import { expect } from 'chai';
import {
  escapeXml,
  formatBytes,
  formatLatency,
  formatOps,
  formatRatio,
  renderMarkdown,
  renderSvg,
  type BenchReport,
} from '../../bench/report.js';
import { settingsFromEnv } from '../../bench/scenarios.js';
import { summarize, type RoundResult } from '../../bench/stats.js';

function result(client: string, scenario: string, opsPerSec: number): RoundResult {
  return { client, scenario, opsPerSec, p50: 850, p99: 12_345, errors: 0 };
}

function sampleReport(overrides: Partial<BenchReport> = {}): BenchReport {
  const results = [
    result('respool', 'command', 200_000),
    result('ioredis', 'command', 100_000),
    result('a<b', 'command', 50_000),
    result('respool', 'pipeline1000', 900_000),
    result('ioredis', 'pipeline1000', 1_000_000),
  ];
  return {
    environment: { node: 'v20.0.0', redis: '7.0.15', cpu: '2 × Test CPU', date: '2026-01-01' },
    settings: settingsFromEnv({}),
    subject: 'respool',
    clients: [
      { id: 'respool', label: 'respool', note: 'the subject' },
      { id: 'ioredis', label: 'ioredis', note: 'one connection' },
      { id: 'a<b', label: 'A & <B>', note: 'a label that needs escaping' },
    ],
    summaries: summarize(results, 'respool'),
    reference: [{ pipeline: 16, test: 'GET', requestsPerSec: 1_176_470.5, p50: 343 }],
    failures: [],
    ...overrides,
  };
}

describe('bench/report', () => {
  describe('formatting', () => {
    it('formats ops with thousands separators and a dash for missing values', () => {
      expect(formatOps(1_234_567.8)).to.equal('1,234,568');
      expect(formatOps(NaN)).to.equal('–');
    });

    it('picks µs, ms or s for latencies', () => {
      expect(formatLatency(850)).to.equal('850 µs');
      expect(formatLatency(1240)).to.equal('1.24 ms');
      expect(formatLatency(12_345)).to.equal('12.3 ms');
      expect(formatLatency(1_300_000)).to.equal('1.30 s');
      expect(formatLatency(NaN)).to.equal('–');
    });

    it('formats bytes, signing growth when asked', () => {
      expect(formatBytes(512)).to.equal('512 B');
      expect(formatBytes(2048)).to.equal('2.0 KiB');
      expect(formatBytes(3 * 1024 * 1024, true)).to.equal('+3.0 MiB');
      expect(formatBytes(-1536, true)).to.equal('−1.5 KiB');
    });

    it('formats ratios', () => {
      expect(formatRatio(2)).to.equal('2.00×');
      expect(formatRatio(NaN)).to.equal('–');
    });

    it('escapes XML', () => {
      expect(escapeXml('a & <b> "c"')).to.equal('a &amp; &lt;b&gt; &quot;c&quot;');
    });
  });

  describe('renderMarkdown', () => {
    const markdown = renderMarkdown(sampleReport());

    it('has one table per scenario, fastest first, the subject in bold with its ratio', () => {
      const command = markdown.slice(markdown.indexOf('## `command`'), markdown.indexOf('## `pipeline1000`'));
      const rows = command.split('\n').filter((line) => line.startsWith('| ') && !line.startsWith('| client'));
      expect(rows.filter((r) => !r.startsWith('| ---'))).to.deep.equal([
        '| **respool** | 200,000 | 850 µs | 12.3 ms | 2.00× | 0 |',
        '| ioredis | 100,000 | 850 µs | 12.3 ms | 1.00× | 0 |',
        '| A & <B> | 50,000 | 850 µs | 12.3 ms | 0.50× | 0 |',
      ]);
    });

    it('shows a ratio below 1 when a peer wins', () => {
      expect(markdown).to.include('| **respool** | 900,000 | 850 µs | 12.3 ms | 0.90× | 0 |');
    });

    it('says so when a scenario has no results', () => {
      const use1 = markdown.slice(markdown.indexOf('## `use1`'), markdown.indexOf('## `command`'));
      expect(use1).to.include('No results.');
    });

    it('includes the reference, the run settings and the client notes', () => {
      expect(markdown).to.include('| GET | 16 | 1,176,471 | 343 µs |');
      expect(markdown).to.include('200 concurrent callers');
      expect(markdown).to.include('3 round(s) of 3 s after 1 s of warm-up');
      expect(markdown).to.include('- **ioredis**: one connection');
    });

    it('adds the memory table and failed runs only when there are some', () => {
      expect(markdown).not.to.include('## Memory');
      expect(markdown).not.to.include('## Failed runs');
      const full = renderMarkdown(
        sampleReport({
          memory: {
            client: 'respool',
            idleConnections: 100,
            heapPerConnection: 10_240,
            callers: 10_000,
            rssAtCallers: 100 * 1024 * 1024,
            driftCommands: 1_000_000,
            heapDrift: 512,
          },
          failures: ['ioredis use1: boom'],
        }),
      );
      expect(full).to.include('| heap per idle connection (100 connections, after GC) | 10.0 KiB |');
      expect(full).to.include('| RSS with 10,000 concurrent callers | 100.0 MiB |');
      expect(full).to.include('| heap drift over 1,000,000 commands (after GC) | +512 B |');
      expect(full).to.include('- ioredis use1: boom');
    });
  });

  describe('tracing overhead', () => {
    it('gives each client with a baseline its ratio to it, per scenario; only when there is one', () => {
      expect(renderMarkdown(sampleReport())).not.to.include('## Tracing overhead');
      const results = [
        result('respool', 'command', 200_000),
        result('respool-otel', 'command', 160_000),
        result('ioredis', 'command', 100_000),
      ];
      const markdown = renderMarkdown(sampleReport({
        clients: [
          { id: 'respool', label: 'respool', note: '' },
          { id: 'respool-otel', label: 'respool + otel', note: '', baseline: 'respool' },
          { id: 'ioredis', label: 'ioredis', note: '' },
        ],
        summaries: summarize(results, 'respool'),
      }));
      expect(markdown).to.include('## Tracing overhead');
      expect(markdown).to.include('| respool + otel vs respool | – | 0.80× | – |');
    });

    it('a variant of the subject is not its peer', () => {
      const summaries = summarize([
        result('respool', 'command', 200_000),
        result('respool-otel', 'command', 160_000),
        result('ioredis', 'command', 100_000),
      ], 'respool');
      expect(summaries.find((s) => s.client === 'respool')!.vsBestPeer).to.equal(2);
    });
  });

  describe('renderSvg', () => {
    const svg = renderSvg(sampleReport());

    it('is one svg element with escaped labels', () => {
      expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).to.equal(true);
      expect(svg.trim().endsWith('</svg>')).to.equal(true);
      expect(svg).to.include('A &amp; &lt;B&gt;');
      expect(svg).not.to.include('A & <B>');
    });

    it('draws one bar per result, the subject in its own class', () => {
      const bars = svg.match(/<rect x="\d+" y="\d+" width="[\d.]+" height="\d+" class="(subject|peer)"\/>/g);
      expect(bars).to.have.length(5);
      expect(svg.match(/class="subject"/g)).to.have.length(2);
    });

    it('scales each scenario to its own fastest client', () => {
      const widths = [...svg.matchAll(/width="([\d.]+)" height="18"/g)].map((m) => Number(m[1]));
      // command: 200k, 100k, 50k; pipeline1000: 1M, 900k.
      const full = widths[0];
      expect(widths[1] / full).to.be.closeTo(0.5, 0.01);
      expect(widths[2] / full).to.be.closeTo(0.25, 0.01);
      expect(widths[3]).to.be.closeTo(full, 0.01);
      expect(widths[4] / full).to.be.closeTo(0.9, 0.01);
    });

    it('sizes the canvas to its content', () => {
      const [, height] = /height="(\d+)" viewBox/.exec(svg)!;
      const lastY = Math.max(...[...svg.matchAll(/ y="(\d+)"/g)].map((m) => Number(m[1])));
      expect(Number(height)).to.be.greaterThan(lastY);
    });
  });
});
