import { expect } from 'chai';
import { AbortError, createPool, TimeoutError, type Pool } from '../../lib/index.js';
import { spyDeadlines } from '../helpers/deadline-spy.js';
import { freePort } from '../helpers/ports.js';
import { withServer } from '../helpers/suite.js';

/** `n` commands INCRing `key`, as a pipeline: its replies are 1..n when it runs whole, in order. */
function incrs(key: string, n: number): string[][] {
  return Array.from({ length: n }, () => ['INCR', key]);
}

/**
 * A pipeline that waits whole for a connection (the start-up burst; every outbox full) is one
 * caller: one queue deadline for it (lib/connection/deadlines.ts QueueWait), not one per
 * command. 200 pipelines of 1000 were 200,000 entries of the deadline list, each read every
 * 50 ms.
 */
describe('pool: pipelines waiting for a connection', function () {
  const ctx = withServer();
  let pool: Pool | undefined;
  let spy: ReturnType<typeof spyDeadlines> | undefined;
  afterEach(async () => {
    spy?.restore();
    spy = undefined;
    await pool?.close();
    pool = undefined;
  });

  it('cost one deadline each, not one per command, and run whole', async () => {
    await ctx.server.cli('FLUSHALL');
    spy = spyDeadlines();
    pool = createPool(ctx.server.url, { size: 2, acquireTimeout: 10_000 });
    // In one tick, before any connection exists: all of them wait whole.
    const pipelines = Array.from({ length: 20 }, (_, i) => pool!.pipeline(incrs(`wp:${i}`, 100)));
    expect(spy.list().size).to.equal(20);
    const results = await Promise.all(pipelines);
    // Placed on connections still connecting, they were given no deadlines of their own.
    expect(spy.commands).to.equal(0);
    expect(spy.waits).to.equal(20);
    const counts = Array.from({ length: 100 }, (_, j) => j + 1);
    for (const result of results) expect(result).to.deep.equal(counts);
  });

  it('time out whole after acquireTimeout, each command with the TimeoutError it would have alone', async () => {
    const port = await freePort(); // nobody listens: every connect is refused
    spy = spyDeadlines();
    // acquireTimeout 1000 ms, far from the 50 ms timeout below, so that one fires first even on
    // a host that runs timers late.
    pool = createPool({ host: '127.0.0.1', port, size: 1, acquireTimeout: 1000, reconnectMaxDelay: 50 });
    const start = Date.now();
    const waiting = pool.pipeline([['SET', 'a', '1'], ['GET', 'a'], ['INCR', 'n']]);
    // One with a longer timeout of its own (the queue deadline still applies), one with a
    // shorter one (it applies first), one aborted while waiting.
    const longer = pool.pipeline([['GET', 'b'], ['DEL', 'b']], { timeout: 60_000 });
    const shorter = pool.pipeline([['GET', 'c']], { timeout: 50 });
    const controller = new AbortController();
    const aborted = pool.pipeline([['GET', 'd'], ['GET', 'e']], { signal: controller.signal });
    controller.abort();
    expect(spy.waits).to.equal(4);
    // The two with a timeout of their own: one entry each for it, not one per command.
    expect(spy.pipelines).to.equal(2);
    expect(spy.commands).to.equal(0);

    const early = await shorter;
    // Bounds: the command's own 50 ms (51 measured under two CPU hogs), before acquireTimeout.
    expect(Date.now() - start).to.be.below(990);
    expect(early[0]).to.be.instanceOf(TimeoutError);
    expect((early[0] as Error).message).to.match(/^GET timed out waiting for a connection to 127\.0\.0\.1:\d+ \(last error: .*ECONNREFUSED/);
    for (const error of await aborted) expect(error).to.be.instanceOf(AbortError);

    const [all, timed] = await Promise.all([waiting, longer]);
    expect(Date.now() - start).to.be.at.least(990);
    const names = [...all!, ...timed!].map((error) => {
      expect(error).to.be.instanceOf(TimeoutError);
      expect((error as Error).message).to.match(/ timed out waiting for a connection to 127\.0\.0\.1:\d+ \(last error: .*ECONNREFUSED/);
      return (error as Error).message.split(' ')[0];
    });
    expect(names).to.deep.equal(['SET', 'GET', 'INCR', 'GET', 'DEL']);
  });

  it('sent straight to a connection still connecting, cost one deadline each too', async () => {
    await ctx.server.cli('FLUSHALL');
    pool = createPool(ctx.server.url, { size: 1, acquireTimeout: 10_000 });
    const first = pool.pipeline(incrs('wq:first', 10));
    // The connection is in rotation (generic-pool hands it over at once) but not ready yet.
    await new Promise((resolve) => setImmediate(resolve));
    expect(pool.stats.shared).to.equal(1);
    spy = spyDeadlines();
    const later = Array.from({ length: 5 }, (_, i) => pool!.pipeline(incrs(`wq:${i}`, 50)));
    expect(spy.commands).to.equal(0);
    expect(spy.waits).to.equal(5);
    expect(await first).to.deep.equal(Array.from({ length: 10 }, (_, j) => j + 1));
    for (const result of await Promise.all(later)) {
      expect(result).to.deep.equal(Array.from({ length: 50 }, (_, j) => j + 1));
    }
  });
});
