import { expect } from 'chai';
import { renderCacheMarkdown } from '../../bench/cache/run.js';
import { versioned, versionOf, VALUE_SIZE } from '../../bench/cache/scenario.js';
import { settingsFromEnv } from '../../bench/scenarios.js';

describe('bench/cache: versioned values and the report', () => {
  it('writes values of the bench size whose version reads back', () => {
    expect(versioned(12)).to.have.length(VALUE_SIZE);
    expect(versionOf(versioned(12))).to.equal(12);
    expect(versionOf(Buffer.from(versioned(7)))).to.equal(7);
    expect(versionOf(null)).to.equal(-1);
    expect(versionOf('no version')).to.equal(-1);
  });

  it('reports stale reads, lag and the ratios against uncached respool and the best peer', () => {
    const row = (client: string, opsPerSec: number, stale: number | null) => ({
      client, opsPerSec, p50: 10, p99: 100, reads: 1000, writes: 50, staleAfterInvalidation: stale,
      olderThanAcked: 3, lagP50: stale === null ? null : 500, lagP99: stale === null ? null : 900,
      lagSamples: 40, hitRate: 0.9, errors: 0,
    });
    const markdown = renderCacheMarkdown([
      row('respool', 100_000, null),
      row('respool-cached', 600_000, 0),
      row('node-redis-cached', 150_000, 0),
      row('glide-cached', 200_000, null),
    ], settingsFromEnv({}), ['glide-cached round 2: boom']);
    expect(markdown).to.include('| respool `clientCache` | 600,000 |');
    expect(markdown).to.include('0 of 1,000');
    expect(markdown).to.include('n/a (no hook)');
    expect(markdown).to.include('500 µs / 900 µs');
    expect(markdown).to.include('cached vs uncached: **6.00x**; vs the best peer cache: **3.00x**');
    expect(markdown).to.include('- failed: glide-cached round 2: boom');
  });

  it('prices the scenario with its ceiling, which is not a peer', () => {
    const row = (client: string, opsPerSec: number) => ({
      client, opsPerSec, p50: 10, p99: 100, reads: 1000, writes: 50, staleAfterInvalidation: null,
      olderThanAcked: 0, lagP50: null, lagP99: null, lagSamples: 0, hitRate: null, errors: 0,
    });
    const markdown = renderCacheMarkdown([
      row('respool', 100_000),
      row('respool-cached', 250_000),
      row('node-redis-cached', 50_000),
      row('ceiling', 400_000),
    ], settingsFromEnv({}), []);
    expect(markdown).to.include('vs the best peer cache: **5.00x**');
    expect(markdown).to.include('ceiling (no cache could do better): **4.00x** uncached respool; respool cached reaches **63%** of it');
  });
});
