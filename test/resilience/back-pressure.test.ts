import { expect } from 'chai';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { QueueFullError } from '../../lib/index.js';
import { withServer } from '../helpers/suite.js';
import { closePools, nextTurn, trackedPool } from './support.js';

setFlagsFromString('--expose-gc');
/** A full collection, so heapUsed measures what is retained, not garbage not yet collected. */
const gc = runInNewContext('gc') as () => void;

function heapMb(): number {
  gc();
  return process.memoryUsage().heapUsed / 1048576;
}

const TOTAL = 50_000;
const MAX_PENDING = 1000;
const VALUE = 'v'.repeat(1000);

/**
 * A server that stops reading must not make the client buffer without limit: the socket's
 * buffer fills, writing stops, the outbox fills to maxPending, and the excess is refused.
 */
describe('resilience: back-pressure while the server is stopped', function () {
  this.timeout(60_000);
  const ctx = withServer({ scope: 'each', cleanup: closePools });

  it(`refuses the excess of ${TOTAL} commands with QueueFullError, keeps the heap bounded, then runs the rest`, async () => {
    const pool = trackedPool(ctx.server.url, { size: 4, maxPending: MAX_PENDING, acquireTimeout: 0 });
    await Promise.all(Array.from({ length: 400 }, (_, i) => pool.command(['SET', `warm${i}`, i])));
    const baseline = heapMb();
    ctx.server.pause();

    // Outcomes are counted, not kept: holding 50k results (and their errors' stacks) here
    // would measure the test's memory instead of the pool's.
    let ok = 0;
    let refused = 0;
    const unexpected: Error[] = [];
    let settled = 0;
    let allSettled!: () => void;
    const done = new Promise<void>((resolve) => (allSettled = resolve));
    const count = (outcome: 'ok' | Error): void => {
      if (outcome === 'ok') ok++;
      else if (outcome instanceof QueueFullError) refused++;
      else unexpected.push(outcome);
      if (++settled === TOTAL) allSettled();
    };
    for (let i = 0; i < TOTAL; i++) {
      // Each command carries its own 1 kB value: buffering them all would take ~50 MB.
      pool.command(['SET', `bp${i}`, VALUE + i]).then(() => count('ok'), count);
      if (i % 1000 === 999) await nextTurn(); // let the flushes run, as a real app would
    }
    await nextTurn();
    const refusedWhileStopped = refused;
    const grown = heapMb() - baseline;
    expect(ok).to.equal(0);
    expect(unexpected).to.deep.equal([]);
    expect(refusedWhileStopped).to.be.greaterThan(TOTAL * 0.8);
    expect(grown).to.be.below(30);

    ctx.server.resume();
    await done;
    expect(unexpected).to.deep.equal([]);
    expect(ok + refused).to.equal(TOTAL);
    expect(refused).to.equal(refusedWhileStopped); // nothing accepted was dropped later
    expect(Number(await ctx.server.cli('DBSIZE'))).to.equal(400 + ok);
    // Accepted: up to maxPending per connection's outbox, plus what the kernel's socket
    // buffers took before writes stopped (that part varies with TCP autotuning).
    expect(ok).to.be.below(TOTAL / 4);
    console.log(`      ${TOTAL} commands while stopped: ${ok} completed after SIGCONT, ` +
      `${refused} refused (QueueFullError), heap +${grown.toFixed(1)} MB while stopped`);
  });
});
