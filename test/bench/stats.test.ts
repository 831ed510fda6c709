import { expect } from 'chai';
import { bestPeer, LatencyHistogram, median, summarize, type RoundResult } from '../../bench/stats.js';

describe('bench/stats', () => {
  describe('LatencyHistogram', () => {
    it('is exact below 64 µs', () => {
      const h = new LatencyHistogram();
      for (let v = 1; v <= 50; v++) h.record(v);
      expect(h.count).to.equal(50);
      expect(h.quantile(0.5)).to.equal(25);
      expect(h.quantile(1)).to.equal(50);
      expect(h.quantile(0)).to.equal(1);
    });

    it('stays within 1/64 of the true quantile across magnitudes', () => {
      const h = new LatencyHistogram();
      const values: number[] = [];
      // A spread from 70 µs to about 20 s, in uneven steps.
      for (let v = 70; v < 2e7; v = Math.ceil(v * 1.037)) values.push(v);
      for (const v of values) h.record(v);
      for (const q of [0.1, 0.5, 0.9, 0.99]) {
        const exact = values[Math.ceil(q * values.length) - 1];
        const approx = h.quantile(q);
        expect(approx, `q=${q}`).to.be.at.least(exact);
        expect((approx - exact) / exact, `q=${q}`).to.be.below(1 / 64);
      }
    });

    it('puts each value in a bucket whose upper edge is within 1/64 above it', () => {
      for (const v of [63, 64, 65, 127, 128, 129, 255, 256, 1000, 1023, 1024, 2 ** 20 - 1, 2 ** 20]) {
        const h = new LatencyHistogram();
        h.record(v);
        // A far larger second sample keeps the exact max from hiding the bucket's upper edge.
        h.record(1e9);
        const edge = h.quantile(0.5);
        expect(edge, String(v)).to.be.at.least(v);
        expect(edge, String(v)).to.be.at.most(v + v / 64);
      }
    });

    it('reports NaN when empty, and forgets samples on reset', () => {
      const h = new LatencyHistogram();
      expect(h.quantile(0.5)).to.be.NaN;
      h.record(500);
      h.reset();
      expect(h.count).to.equal(0);
      expect(h.max).to.equal(0);
      expect(h.quantile(0.99)).to.be.NaN;
    });

    it('merges counts and max', () => {
      const a = new LatencyHistogram();
      const b = new LatencyHistogram();
      for (let i = 0; i < 99; i++) a.record(10);
      b.record(5000);
      a.merge(b);
      expect(a.count).to.equal(100);
      expect(a.max).to.equal(5000);
      expect(a.quantile(0.99)).to.equal(10);
      expect(a.quantile(1)).to.equal(5000);
    });

    it('clamps negative samples to zero', () => {
      const h = new LatencyHistogram();
      h.record(-3);
      expect(h.quantile(1)).to.equal(0);
    });
  });

  describe('median', () => {
    it('takes the middle value, or the mean of the middle two', () => {
      expect(median([3, 1, 2])).to.equal(2);
      expect(median([4, 1, 3, 2])).to.equal(2.5);
      expect(median([])).to.be.NaN;
      expect(median([NaN, 7])).to.equal(7);
    });
  });

  describe('summarize', () => {
    const round = (client: string, scenario: string, opsPerSec: number, errors = 0): RoundResult => ({
      client,
      scenario,
      opsPerSec,
      p50: opsPerSec / 100,
      p99: opsPerSec / 10,
      errors,
    });

    it('takes medians per (client, scenario) and sums errors', () => {
      const results = [
        round('respool', 'command', 100, 1),
        round('respool', 'command', 300),
        round('respool', 'command', 200, 2),
        round('ioredis', 'command', 50),
      ];
      const summaries = summarize(results, 'respool');
      const mine = summaries.find((s) => s.client === 'respool')!;
      expect(mine.rounds).to.equal(3);
      expect(mine.opsPerSec).to.equal(200);
      expect(mine.p50).to.equal(2);
      expect(mine.errors).to.equal(3);
    });

    it('compares each client with the fastest peer of the same scenario', () => {
      const results = [
        round('respool', 'command', 300),
        round('ioredis', 'command', 100),
        round('node-redis', 'command', 150),
        round('ioredis', 'use1', 1000),
      ];
      const summaries = summarize(results, 'respool');
      const ratio = (client: string, scenario: string) =>
        summaries.find((s) => s.client === client && s.scenario === scenario)!.vsBestPeer;
      expect(ratio('respool', 'command')).to.equal(2);
      expect(ratio('node-redis', 'command')).to.equal(1);
      expect(ratio('ioredis', 'command')).to.be.closeTo(2 / 3, 1e-9);
      expect(ratio('ioredis', 'use1')).to.equal(1);
      expect(bestPeer(summaries, 'pipeline1000', 'respool')).to.be.NaN;
    });
  });
});
