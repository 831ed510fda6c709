import { expect } from 'chai';
import { AbortError, TimeoutError, type Pool } from '../../lib/index.js';
import { spyDeadlines, type DeadlineSpy } from '../helpers/deadline-spy.js';
import { freePort } from '../helpers/ports.js';
import { startProxy, type FaultProxy } from '../helpers/proxy.js';
import { withServer } from '../helpers/suite.js';
import { closePools, settle, trackedPool, until } from '../resilience/support.js';

/** `n` commands INCRing `key`, as a pipeline: its replies are 1..n when it runs whole, in order. */
function incrs(key: string, n: number): string[][] {
  return Array.from({ length: n }, () => ['INCR', key]);
}

/** What a caller can tell an error by: class, code, own fields (`unsent`...) and message. */
function shape(error: unknown): { name: string; code: string; fields: string[]; unsent: unknown } {
  const e = error as Error & { code: string; unsent?: boolean };
  return { name: e.name, code: e.code, fields: Object.keys(e).sort(), unsent: e.unsent };
}

/**
 * A pipeline whose commands share one timeout (commandTimeout, or the pipeline's `{ timeout }`)
 * costs one entry of the pool's deadline list (lib/connection/deadlines.ts PipelineDeadline),
 * not one per command (issue 14), and times out exactly as its commands did with one each: every
 * command not yet answered fails with the TimeoutError a single command gets, in order; those
 * answered keep their replies; late replies are read and dropped, never handed to the next caller.
 */
describe('pool: pipelines under a command timeout', function () {
  const ctx = withServer();
  let spy: DeadlineSpy | undefined;
  afterEach(async () => {
    spy?.restore();
    spy = undefined;
    await closePools();
  });

  /** A flushed server, a spy on the deadline list, and a ready pool of `size` whose list is empty. */
  async function spiedPool(size: number): Promise<{ pool: Pool; spied: DeadlineSpy }> {
    await ctx.server.cli('FLUSHALL');
    spy = spyDeadlines();
    const pool = trackedPool(ctx.server.url, { size, commandTimeout: 5000 });
    await pool.command(['PING']);
    // Ready (no queue deadlines), and the PING's entries gone from the list.
    const list = spy.list();
    await until(() => list.size === 0, 'the deadline list to empty');
    spy.commands = 0;
    return { pool, spied: spy };
  }

  it('cost one deadline entry for 1000 commands, and run whole', async () => {
    const { pool, spied } = await spiedPool(1);
    const list = spied.list();
    const first = pool.pipeline(incrs('pt:a', 1000));
    expect(spied.commands).to.equal(0);
    expect(spied.pipelines).to.equal(1);
    expect(spied.list().size).to.equal(1);
    // A timeout of the pipeline's own: one entry too.
    const second = pool.pipeline(incrs('pt:b', 1000), { timeout: 3000 });
    expect(spied.commands).to.equal(0);
    expect(spied.pipelines).to.equal(2);
    expect(spied.list().size).to.equal(2);
    const counts = Array.from({ length: 1000 }, (_, j) => j + 1);
    expect(await first).to.deep.equal(counts);
    expect(await second).to.deep.equal(counts);
    // Answered: dropped at the next tick (at most 50 ms away).
    await until(() => list.size === 0, 'the deadline list to empty');
  });

  it('late replies: every command fails with the TimeoutError a single command gets, in order; the next callers get their own replies', async () => {
    await ctx.server.cli('FLUSHALL');
    const pool = trackedPool(ctx.server.url, { size: 1, commandTimeout: 100 });
    await pool.command(['SET', 'mine', 'my-value']);
    const start = Date.now();
    // The server sleeps a whole second: the 100 ms timeout, which a loaded host may fire late,
    // still fires long before the replies.
    const pipeline = pool.pipeline([['SET', 'pk', '1'], ['DEBUG', 'SLEEP', '1'], ['GET', 'pk'], ['INCR', 'pn']]);
    // On the one connection, behind the sleep: one times out as a single command, one waits longer.
    const alone = settle(pool.command(['ECHO', 'alone']));
    const next = pool.command(['GET', 'mine'], { timeout: 5000 });
    const results = await pipeline;
    // Bounds: not before commandTimeout; after it, at most one coarse tick (50 ms) plus a slow
    // host's timer lag, and well before the replies at 1000 ms.
    expect(Date.now() - start).to.be.within(90, 800);
    const single = await alone;
    expect(single.ok).to.equal(false);
    const expected = shape((single as { error: Error }).error);
    expect(expected.name).to.equal('TimeoutError');
    expect((single as { error: Error }).error.message).to.equal('ECHO timed out after 100 ms; its late reply will be discarded');
    const names = results.map((error) => {
      expect(error).to.be.instanceOf(TimeoutError);
      expect(shape(error)).to.deep.equal(expected);
      const name = (error as Error).message.split(' ')[0]!;
      expect((error as Error).message).to.equal(`${name} timed out after 100 ms; its late reply will be discarded`);
      return name;
    });
    expect(names).to.deep.equal(['SET', 'DEBUG', 'GET', 'INCR']);
    expect(await next).to.equal('my-value');
    // They were written and ran (a timeout never means "not run"); no reply shifted.
    expect(await pool.pipeline([['GET', 'pk'], ['GET', 'pn'], ['ECHO', 'after']])).to.deep.equal(['1', '1', 'after']);
    expect(await pool.command(['ECHO', 'last'])).to.equal('last');
  });

  it('inside use, and for a pipeline that goes through use (a transaction): one entry each too, and the same errors', async () => {
    const { pool, spied } = await spiedPool(2);
    const replies = await pool.use((c) => {
      const pending = c.pipeline(incrs('pt:h', 1000));
      expect(spied.commands).to.equal(0);
      expect(spied.pipelines).to.equal(1);
      return pending;
    });
    expect(replies).to.deep.equal(Array.from({ length: 1000 }, (_, j) => j + 1));
    // Not sharable (a transaction): pool.pipeline hands it to a handle of its own.
    const exec = await pool.pipeline([['MULTI'], ['INCR', 'pt:m'], ['INCR', 'pt:m'], ['EXEC']]);
    expect(exec).to.deep.equal(['OK', 'QUEUED', 'QUEUED', [1, 2]]);
    expect(spied.pipelines).to.equal(2);
    expect(spied.commands).to.equal(0);
    // Timing out inside use: each command gets the error a single command gets, in order.
    const late = await pool.use((c) => c.pipeline([['DEBUG', 'SLEEP', '1'], ['ECHO', 'x']], { timeout: 50 }));
    expect(late.map((error) => (error as Error).message)).to.deep.equal([
      'DEBUG timed out after 50 ms; its late reply will be discarded',
      'ECHO timed out after 50 ms; its late reply will be discarded',
    ]);
    expect(await pool.use((c) => c.command(['ECHO', 'own']))).to.equal('own');
  });

  it('a shorter { timeout } of the pipeline applies; { timeout: 0 } arms none', async () => {
    const pool = trackedPool(ctx.server.url, { size: 1, commandTimeout: 5000 });
    await pool.command(['PING']);
    spy = spyDeadlines();
    const start = Date.now();
    // A second of sleep: the 50 ms timeout fires first even on a host that runs timers late.
    const short = pool.pipeline([['DEBUG', 'SLEEP', '1'], ['ECHO', 'x']], { timeout: 50 });
    const unbounded = pool.pipeline([['ECHO', 'y']], { timeout: 0 });
    const results = await short;
    // Bounds: the pipeline's 50 ms, not commandTimeout (5000 ms), nor the reply at 1000 ms.
    expect(Date.now() - start).to.be.below(800);
    expect(results.map((error) => (error as Error).message)).to.deep.equal([
      'DEBUG timed out after 50 ms; its late reply will be discarded',
      'ECHO timed out after 50 ms; its late reply will be discarded',
    ]);
    expect(await unbounded).to.deep.equal(['y']);
    expect(spy.pipelines).to.equal(1);
    expect(spy.commands).to.equal(0);
  });

  it('an abort fails the pipeline at once, before any reply; the next caller gets its own', async () => {
    const pool = trackedPool(ctx.server.url, { size: 1, commandTimeout: 5000 });
    await pool.command(['PING']);
    const controller = new AbortController();
    const order: string[] = [];
    const aborted = pool.pipeline([['DEBUG', 'SLEEP', '0.2'], ['ECHO', 'a']], { signal: controller.signal })
      .then((results) => {
        order.push('aborted');
        return results;
      });
    const next = pool.command(['ECHO', 'own']).then((reply) => {
      order.push('next');
      return reply;
    });
    controller.abort();
    const results = await aborted;
    expect(order).to.deep.equal(['aborted']);
    for (const error of results) expect(error).to.be.instanceOf(AbortError);
    expect(await next).to.equal('own');
  });

  it('unwritten for want of a connection: each command fails as waiting for one, in order', async () => {
    const port = await freePort(); // nobody listens: every connect is refused
    const pool = trackedPool({ host: '127.0.0.1', port, size: 1, commandTimeout: 100, reconnectMaxDelay: 50 });
    const results = await pool.pipeline([['SET', 'a', '1'], ['GET', 'a'], ['INCR', 'n']]);
    const names = results.map((error) => {
      expect(error).to.be.instanceOf(TimeoutError);
      expect((error as Error).message).to.match(/ timed out waiting for a connection to 127\.0\.0\.1:\d+ \(last error: .*ECONNREFUSED/);
      return (error as Error).message.split(' ')[0];
    });
    expect(names).to.deep.equal(['SET', 'GET', 'INCR']);
  });

  describe('with replies trickling in a few bytes at a time (split proxy)', () => {
    let proxy: FaultProxy;
    beforeEach(async () => {
      proxy = await startProxy({ port: ctx.server.port });
    });
    afterEach(() => proxy.close());

    it('commands answered keep their replies, the rest time out, in order; late bytes go to no one else', async () => {
      const pool = trackedPool(proxy.url, { size: 1 });
      await pool.command(['PING']);
      // 300 replies of 12-14 bytes, 3 bytes a millisecond at most: over a second in all.
      proxy.setMode('split', { chunkSize: 3, delayMs: 1 });
      const values = Array.from({ length: 300 }, (_, i) => `v-${i}`);
      const results = await pool.pipeline(values.map((v) => ['ECHO', v]), { timeout: 300 });
      const answered = results.findIndex((r) => r instanceof Error);
      expect(answered).to.be.greaterThan(0);
      expect(results.slice(0, answered)).to.deep.equal(values.slice(0, answered));
      for (let i = answered; i < results.length; i++) {
        expect(results[i]).to.be.instanceOf(TimeoutError);
        expect((results[i] as Error).message).to.equal('ECHO timed out after 300 ms; its late reply will be discarded');
      }
      proxy.setMode('pass');
      expect(await pool.command(['ECHO', 'last'])).to.equal('last');
      expect(await pool.pipeline([['ECHO', 'p1'], ['ECHO', 'p2']], { timeout: 2000 })).to.deep.equal(['p1', 'p2']);
    });
  });
});
