import { expect } from 'chai';
import { backoffDelay, type BackoffPolicy } from '../../lib/connection/backoff.js';
import { prng } from './support.js';

const policy: BackoffPolicy = { initialDelay: 50, maxDelay: 2000, factor: 2, maxAttempts: null };

describe('resilience: backoff policy', () => {
  it('grows exponentially, each delay within [d/2, d]', () => {
    for (let attempt = 0; attempt < 6; attempt++) {
      const d = 50 * 2 ** attempt;
      expect(backoffDelay(policy, attempt, () => 0)).to.equal(d / 2);
      expect(backoffDelay(policy, attempt, () => 0.999999)).to.equal(d);
    }
  });

  it('never exceeds maxDelay, even after many attempts', () => {
    const random = prng(1);
    for (let attempt = 0; attempt < 200; attempt++) {
      const delay = backoffDelay(policy, attempt, random)!;
      expect(delay).to.be.at.most(2000);
      expect(delay).to.be.at.least(Math.min(2000, 50 * 2 ** attempt) / 2);
    }
    expect(backoffDelay(policy, 1000, () => 0.999999)).to.equal(2000);
    expect(backoffDelay(policy, 1000, () => 0)).to.equal(1000);
  });

  it('never returns 0: a down server cannot become a busy loop', () => {
    const tiny: BackoffPolicy = { initialDelay: 1, maxDelay: 1, factor: 1, maxAttempts: null };
    for (let i = 0; i < 100; i++) expect(backoffDelay(tiny, i)).to.be.at.least(1);
  });

  it('spreads the delays of simultaneous retries (jitter)', () => {
    // 100 connections dropped together, at the capped attempt: their retries must not collide.
    const random = prng(42);
    const delays = Array.from({ length: 100 }, () => backoffDelay(policy, 10, random)!);
    const distinct = new Set(delays).size;
    expect(distinct).to.be.greaterThan(80);
    const min = Math.min(...delays);
    const max = Math.max(...delays);
    expect(max - min).to.be.greaterThan(700); // the band is [1000, 2000]
    const mean = delays.reduce((a, b) => a + b, 0) / delays.length;
    expect(mean).to.be.within(1350, 1650);
  });

  it('gives up after maxAttempts (null: never; 0: no retry at all)', () => {
    const limited = { ...policy, maxAttempts: 3 };
    expect(backoffDelay(limited, 0)).to.be.a('number');
    expect(backoffDelay(limited, 2)).to.be.a('number');
    expect(backoffDelay(limited, 3)).to.equal(null);
    expect(backoffDelay(limited, 4)).to.equal(null);
    expect(backoffDelay({ ...policy, maxAttempts: 0 }, 0)).to.equal(null);
    expect(backoffDelay(policy, 1e6)).to.be.a('number');
  });
});
