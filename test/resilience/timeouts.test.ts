import { expect } from 'chai';
import { AbortError, TimeoutError } from '../../lib/index.js';
import { startProxy, type FaultProxy } from '../helpers/proxy.js';
import { withServer } from '../helpers/suite.js';
import { closePools, settle, trackedPool } from './support.js';

/**
 * A caller that stops waiting (timeout, abort) must not shift replies: its late reply is read
 * and dropped, and the next caller on the same connection gets its own.
 */
describe('resilience: timeouts and aborts', function () {
  const ctx = withServer();
  afterEach(closePools);

  it('commandTimeout rejects with TimeoutError, and the next caller gets its own reply', async () => {
    const pool = trackedPool(ctx.server.url, { size: 1, commandTimeout: 100 });
    await pool.command(['SET', 'mine', 'my-value']);
    const start = Date.now();
    // The server sleeps a whole second: the 100 ms timeout, which a loaded host may fire late,
    // still fires long before the reply (+OK) that would make this command succeed.
    const slow = settle(pool.command(['DEBUG', 'SLEEP', '1'])); // its late reply is +OK
    // Queued behind the sleeping command on the one connection, so it needs a longer limit.
    const next = pool.command(['GET', 'mine'], { timeout: 5000 });
    const outcome = await slow;
    // Bounds: not before commandTimeout; after it, at most one coarse tick (50 ms) plus a slow
    // host's timer lag, and well before the reply at 1000 ms.
    expect(Date.now() - start).to.be.within(90, 800);
    expect(outcome.ok).to.equal(false);
    expect((outcome as { error: Error }).error).to.be.instanceOf(TimeoutError);
    expect((outcome as { error: Error }).error.message).to.match(/late reply will be discarded/);
    expect(await next).to.equal('my-value');
    expect(await pool.command(['ECHO', 'after'])).to.equal('after');
  });

  it('{ timeout } overrides the pool setting for one command', async () => {
    const pool = trackedPool(ctx.server.url, { size: 1 });
    // A second of sleep: the 50 ms timeout fires first even on a host that runs timers late.
    const slow = settle(pool.command(['DEBUG', 'SLEEP', '1'], { timeout: 50 }));
    const next = pool.command(['ECHO', 'own']);
    const outcome = await slow;
    expect(outcome.ok).to.equal(false);
    expect((outcome as { error: Error }).error).to.be.instanceOf(TimeoutError);
    expect(await next).to.equal('own');
  });

  it('{ signal } rejects with AbortError at once, and the next caller gets its own reply', async () => {
    const pool = trackedPool(ctx.server.url, { size: 1 });
    const controller = new AbortController();
    const order: string[] = [];
    const slow = settle(pool.command(['DEBUG', 'SLEEP', '0.2'], { signal: controller.signal })).then((o) => {
      order.push('aborted');
      return o;
    });
    // 'At once' is an order, not a clock: the abort settles before the server has answered
    // anything on the one connection (the ECHO behind DEBUG SLEEP), however loaded the machine.
    const next = pool.command(['ECHO', 'own']).then((r) => {
      order.push('next');
      return r;
    });
    controller.abort();
    const outcome = await slow;
    expect(order).to.deep.equal(['aborted']);
    expect(outcome.ok).to.equal(false);
    expect((outcome as { error: Error }).error).to.be.instanceOf(AbortError);
    expect(await next).to.equal('own');
  });

  it('an already aborted signal rejects without sending', async () => {
    const pool = trackedPool(ctx.server.url, { size: 1 });
    await pool.command(['SET', 'untouched', 'yes']);
    const outcome = await settle(pool.command(['DEL', 'untouched'], { signal: AbortSignal.abort() }));
    expect((outcome as { error: Error }).error).to.be.instanceOf(AbortError);
    expect(await pool.command(['GET', 'untouched'])).to.equal('yes');
  });

  it('BLPOP with { timeout } inside use(): the handle stays usable (CLIENT UNBLOCK) and pops nothing later', async () => {
    const pool = trackedPool(ctx.server.url, { size: 2 });
    await pool.command(['DEL', 'empty-list']);
    const start = Date.now();
    const after = await pool.use(async (handle) => {
      const blpop = await settle(handle.command(['BLPOP', 'empty-list', 0], { timeout: 100 }));
      expect(blpop.ok).to.equal(false);
      expect((blpop as { error: Error }).error).to.be.instanceOf(TimeoutError);
      // Without CLIENT UNBLOCK this would wait behind a BLPOP that never returns.
      return [await handle.command(['ECHO', 'fresh']), await handle.command(['PING'])];
    });
    expect(after).to.deep.equal(['fresh', 'PONG']);
    expect(Date.now() - start).to.be.below(1000);
    // The abandoned BLPOP must be gone from the server: it must not steal this element.
    await pool.command(['RPUSH', 'empty-list', 'kept']);
    expect(await pool.command(['LRANGE', 'empty-list', 0, -1])).to.deep.equal(['kept']);
    const blocked = await ctx.server.cli('INFO', 'clients');
    expect(blocked).to.match(/blocked_clients:0/);
  });

  describe('with replies trickling in a byte at a time (split proxy)', () => {
    let proxy: FaultProxy;
    beforeEach(async () => {
      proxy = await startProxy({ port: ctx.server.port });
    });
    afterEach(() => proxy.close());

    it('expiring callers mid-reply never hand their bytes to the others', async () => {
      const pool = trackedPool(proxy.url, { size: 1 });
      await pool.command(['PING']);
      proxy.setMode('split', { chunkSize: 3, delayMs: 1 });
      const calls = Array.from({ length: 60 }, (_, i) => {
        const value = `value-${i}-${'x'.repeat(i % 7)}`;
        const timeout = i % 3 === 0 ? 5 + (i % 20) : undefined;
        return settle(pool.command(['ECHO', value], timeout === undefined ? {} : { timeout }))
          .then((outcome) => ({ outcome, value, timed: timeout !== undefined }));
      });
      let answered = 0;
      let expired = 0;
      for (const { outcome, value, timed } of await Promise.all(calls)) {
        if (outcome.ok) {
          expect(outcome.value).to.equal(value);
          answered++;
        } else {
          expect(timed, `${value}: ${outcome.error.message}`).to.equal(true);
          expect(outcome.error).to.be.instanceOf(TimeoutError);
          expired++;
        }
      }
      expect(answered).to.be.at.least(40);
      expect(expired).to.be.greaterThan(0);
      proxy.setMode('pass');
      expect(await pool.command(['ECHO', 'last'])).to.equal('last');
    });
  });
});
