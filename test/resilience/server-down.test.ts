import { expect } from 'chai';
import { PoolClosedError } from '../../lib/index.js';
import { closePools, nextEvent, settle, trackedPool } from './support.js';
import { serverBehindProxy } from '../helpers/suite.js';

const DOWN_MS = 2000;

/** A server that is down must cost the client almost nothing: few attempts, little CPU. */
describe('resilience: a server that stays down', function () {
  this.timeout(15_000);
  const ctx = serverBehindProxy('each', closePools);

  it(`spends few attempts and little CPU over ${DOWN_MS} ms down, and close() is prompt`, async () => {
    const pool = trackedPool(ctx.proxy.url, { size: 4, minIdle: 4, acquireTimeout: 0 });
    // Open all four connections: each one retries on its own while the server is down.
    await Promise.all(Array.from({ length: 4 }, () =>
      pool.use((handle) => handle.command(['MULTI']).then(() => handle.command(['EXEC'])))));
    await Promise.all(Array.from({ length: 200 }, (_, i) => pool.command(['ECHO', String(i)])));
    const connections = pool.stats.size;
    expect(connections).to.equal(4);

    let attempts = 0;
    pool.on('reconnecting', () => attempts++);
    ctx.proxy.refuse(true); // accept and hang up at once: every attempt is seen and fails fast
    const cpuBefore = process.cpuUsage();
    const down = new Set<number>();
    const allDown = nextEvent<{ id: number }>(pool, 'reconnecting', ({ id }) => down.add(id).size === connections);
    ctx.proxy.cutAll();
    await allDown;
    // Commands issued while down wait (acquireTimeout 0: no limit) and must not spin anything.
    const waiting = Array.from({ length: 1000 }, (_, i) => settle(pool.command(['ECHO', String(i)])));
    await new Promise((resolve) => setTimeout(resolve, DOWN_MS)); // the measured window itself
    const cpu = process.cpuUsage(cpuBefore);
    const cpuMs = (cpu.user + cpu.system) / 1000;

    // Backoff 50, 100, 200, ... ms (jittered to [d/2, d]) gives about 7 attempts in 2 s per
    // connection; a retry loop without backoff would make thousands.
    expect(attempts).to.be.at.least(connections);
    expect(attempts).to.be.at.most(connections * 10);
    // CPU time grows with a slower host (77 ms here with two CPU hogs beside the test); a retry
    // loop without backoff would take most of a core over the 2 s window.
    expect(cpuMs).to.be.below(800);

    const closeStart = Date.now();
    await pool.close();
    const closeMs = Date.now() - closeStart;
    expect(closeMs).to.be.below(1000);
    for (const outcome of await Promise.all(waiting)) {
      expect(outcome.ok).to.equal(false);
      expect((outcome as { error: Error }).error).to.be.instanceOf(PoolClosedError);
    }
    console.log(`      down ${DOWN_MS} ms: ${attempts} attempts for ${connections} connections, ` +
      `${cpuMs.toFixed(0)} ms CPU, close() in ${closeMs} ms`);
  });

  it('recovers once the server is back, with the waiting commands answered', async () => {
    const pool = trackedPool(ctx.proxy.url, { size: 2, reconnectMaxDelay: 200 });
    expect(await pool.command(['PING'])).to.equal('PONG');
    const reconnecting = nextEvent(pool, 'reconnecting');
    ctx.proxy.refuse(true);
    ctx.proxy.cutAll();
    await reconnecting;
    const waiting = Array.from({ length: 100 }, (_, i) => pool.command(['ECHO', `w${i}`]));
    const ready = nextEvent(pool, 'ready');
    ctx.proxy.refuse(false);
    await ready;
    expect(await Promise.all(waiting)).to.deep.equal(Array.from({ length: 100 }, (_, i) => `w${i}`));
  });

  it('close() is prompt while the first connect is still failing', async () => {
    ctx.proxy.refuse(true);
    const pool = trackedPool(ctx.proxy.url, { acquireTimeout: 0 });
    const waiting = settle(pool.command(['PING']));
    await nextEvent(pool, 'reconnecting');
    const start = Date.now();
    await pool.close();
    expect(Date.now() - start).to.be.below(1000);
    const outcome = await waiting;
    expect(outcome.ok).to.equal(false);
    expect((outcome as { error: Error }).error).to.be.instanceOf(PoolClosedError);
  });
});
