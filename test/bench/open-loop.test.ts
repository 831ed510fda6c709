import { expect } from 'chai';
import { measureOpenLoop } from '../../bench/clients/open-loop.js';
import { renderGoals } from '../../bench/goals.js';
import { DRIVER_ALONE, offeredRates, renderOpenLoop, renderOpenLoopSvg, type OpenLoopReport } from '../../bench/open-loop.js';
import type { BenchReport } from '../../bench/report.js';
import type { BenchClient } from '../../bench/scenarios.js';

/** A stand-in client (no Redis involved: this tests the schedule, not a library). */
function stubClient(onCommand: (n: number) => void): BenchClient {
  let n = 0;
  const answer = () => {
    onCommand(n++);
    return Promise.resolve('OK');
  };
  return { use1: answer, command: answer, pipeline: () => Promise.resolve([]), close: async () => undefined };
}

describe('bench/open-loop', () => {
  it('offers 25, 50 and 80 % of the slowest peer, then a rate above every peer', () => {
    const rates = offeredRates({ respool: 500_000, a: 100_000, b: 40_000 }, 'respool');
    expect(rates.map((r) => r.rate)).to.deep.equal([10_000, 20_000, 32_000, 130_000]);
  });

  it('leaves out the rate above the peers when respool itself is not above them', () => {
    const rates = offeredRates({ respool: 100_000, a: 100_000 }, 'respool');
    expect(rates).to.have.length(3);
  });

  it('counts latency from the scheduled time: a stalled event loop shows in p99 and in "missed"', async () => {
    // Once the 50th command is issued, the event loop blocks for 150 ms: arrivals due meanwhile
    // are issued late. The stall is a callback of its own (as a GC pause or another request's
    // work would be), not inside command(): there it would also delay the replies of every
    // command issued in the same tick, and a loaded machine, whose late ticks issue several
    // overdue commands at once, then put the stall in replyP99 too (as large as issueP99).
    const client = stubClient((n) => {
      if (n !== 50) return;
      setImmediate(() => {
        const until = performance.now() + 150;
        while (performance.now() < until);
      });
    });
    const { result } = await measureOpenLoop(client, { client: 'stub', rate: 1000, warmupMs: 0, measureMs: 400 });
    // From issue time every reply would take microseconds; from the schedule, the stalled ones
    // waited up to the whole stall.
    expect(result.p99).to.be.at.least(100_000);
    expect(result.missed).to.be.at.least(0.1);
    // ...and the split says where: issued late, answered at once once issued.
    expect(result.issueP99).to.be.at.least(100_000);
    expect(result.replyP99).to.be.below(result.issueP99);
    expect(result.errors).to.equal(0);
  });

  it('draws one line per client in the latency plot', () => {
    const report: OpenLoopReport = {
      peaks: {},
      rates: [{ rate: 1000, label: 'x' }, { rate: 2000, label: 'y' }],
      rows: ['respool', 'ioredis'].flatMap((client) => [1000, 2000].map((rate) => ({
        client, rate, rounds: 1, achieved: rate, p50: 100, p99: 1000, p999: 2000, issueP99: 10, replyP99: 900, missed: 0, errors: 0,
      }))),
      seconds: 1,
    };
    const svg = renderOpenLoopSvg(report, 'respool', (id) => id);
    expect(svg.match(/<polyline/g)).to.have.length(2);
    expect(svg).to.contain('ioredis');
  });

  it('shows the driver alone as a floor, never as the best peer of the p99 goal', () => {
    const row = (client: string, p99: number) => ({
      client, rate: 1000, rounds: 1, achieved: 1000, p50: 50, p99, p999: p99, issueP99: p99, replyP99: 40, missed: 0, errors: 0,
    });
    const open: OpenLoopReport = {
      peaks: {},
      rates: [{ rate: 500, label: 'a' }, { rate: 1000, label: '50 %' }],
      rows: [row('respool', 2000), row('ioredis', 3000), row(DRIVER_ALONE.id, 1000)],
      seconds: 1,
    };
    const report = { subject: 'respool', summaries: [], reference: [] } as unknown as BenchReport;
    const goals = renderGoals(report, undefined, open);
    expect(goals).to.contain('2.00 ms vs 3.00 ms (driver alone, no client: 1.00 ms)');
    expect(goals).to.match(/\| yes \|/);
    expect(renderOpenLoop(open, 'respool', (id) => id)).to.contain(`_${DRIVER_ALONE.label}_`);
  });
});
