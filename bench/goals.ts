/**
 * The goals of issue 14, checked against the figures of one run: each line says the figure, the
 * bar, and met or not. Parts that did not run leave their goals out.
 */
import { DRIVER_ALONE, type OpenLoopReport } from './open-loop.js';
import { formatBytes, formatLatency, formatOps, formatRatio, type BenchReport } from './report.js';
import { REFERENCE_CALLERS, SWEEP_LEVELS, SWEEP_SCENARIOS, type SweepReport } from './sweep.js';

interface Goal {
  goal: string;
  figure: string;
  met: boolean;
}

function sweepGoals(sweep: SweepReport, subject: string): Goal[] {
  const goals: Goal[] = [];
  for (const scenario of SWEEP_SCENARIOS) {
    for (const level of SWEEP_LEVELS) {
      const own = sweep.rows.find((r) => r.client === subject && r.scenario === scenario && r.concurrency === level);
      if (own === undefined || !Number.isFinite(own.vsBestPeer)) continue;
      goals.push({
        goal: `\`${scenario}\` at ${level.toLocaleString('en-US')} callers ≥ best peer`,
        figure: `${formatOps(own.opsPerSec)} ops/s, ${formatRatio(own.vsBestPeer)}`,
        met: own.vsBestPeer >= 1,
      });
    }
    const own200 = sweep.rows.find((r) => r.client === subject && r.scenario === scenario && r.concurrency === REFERENCE_CALLERS);
    if (own200 !== undefined && Number.isFinite(sweep.reference)) {
      const ratio = own200.opsPerSec / sweep.reference;
      goals.push({
        goal: `\`${scenario}\` at ${REFERENCE_CALLERS} callers ≥ 0.85× redis-benchmark -P 16`,
        figure: `${formatOps(own200.opsPerSec)} / ${formatOps(sweep.reference)} = ${formatRatio(ratio)}`,
        met: ratio >= 0.85,
      });
    }
  }
  const top = SWEEP_LEVELS[SWEEP_LEVELS.length - 1];
  const atTop = sweep.rows.filter((r) => r.scenario === 'command' && r.concurrency === top && Number.isFinite(r.rss));
  const own = atTop.find((r) => r.client === subject);
  const peers = atTop.filter((r) => r.client !== subject);
  if (own !== undefined && peers.length > 0) {
    const best = Math.min(...peers.map((r) => r.rss));
    goals.push({
      goal: `RSS at ${top.toLocaleString('en-US')} waiting callers ≤ best peer's`,
      figure: `${formatBytes(own.rss)} vs ${formatBytes(best)}`,
      met: own.rss <= best,
    });
  }
  return goals;
}

function pipelineGoal(report: BenchReport): Goal[] {
  const own = report.summaries.find((s) => s.client === report.subject && s.scenario === 'pipeline1000');
  const p16 = report.reference.filter((r) => r.pipeline === 16);
  if (own === undefined || p16.length === 0) return [];
  const reference = p16.reduce((sum, r) => sum + r.requestsPerSec, 0) / p16.length;
  const ratio = own.opsPerSec / reference;
  return [{
    goal: '`pipeline1000` ≥ 0.95× redis-benchmark -P 16',
    figure: `${formatOps(own.opsPerSec)} / ${formatOps(reference)} = ${formatRatio(ratio)}`,
    met: ratio >= 0.95,
  }];
}

function openLoopGoal(open: OpenLoopReport, subject: string): Goal[] {
  const half = open.rates[1];
  if (half === undefined) return [];
  const rows = open.rows.filter((r) => r.rate === half.rate);
  const own = rows.find((r) => r.client === subject);
  const peers = rows.filter((r) => r.client !== subject && r.client !== DRIVER_ALONE.id);
  if (own === undefined || peers.length === 0) return [];
  const best = Math.min(...peers.map((r) => r.p99));
  const alone = rows.find((r) => r.client === DRIVER_ALONE.id);
  const floor = alone !== undefined ? ` (driver alone, no client: ${formatLatency(alone.p99)})` : '';
  return [{
    goal: `open-loop p99 at ${formatOps(half.rate)}/s (${half.label}) ≤ best peer's`,
    figure: `${formatLatency(own.p99)} vs ${formatLatency(best)}${floor}`,
    met: own.p99 <= best,
  }];
}

export function renderGoals(report: BenchReport, sweep?: SweepReport, open?: OpenLoopReport): string {
  const goals = [
    ...(sweep !== undefined ? sweepGoals(sweep, report.subject) : []),
    ...pipelineGoal(report),
    ...(open !== undefined ? openLoopGoal(open, report.subject) : []),
  ];
  if (goals.length === 0) return '';
  return [
    '## Goals (issue 14), this run',
    '',
    '| goal | figure | met |',
    '| --- | --- | :---: |',
    ...goals.map((g) => `| ${g.goal} | ${g.figure} | ${g.met ? 'yes' : '**no**'} |`),
    '',
  ].join('\n');
}
