import { expect } from 'chai';
import { AbortError, createPool, TimeoutError } from '../../lib/index.js';
import { serverAndPool } from '../helpers/suite.js';

describe('blocking commands', () => {
  const ctx = serverAndPool({ size: 2 });

  it('BLPOP through ctx.pool.command does not hold up 1000 GETs', async () => {
    await ctx.pool.command(['SET', 'k', 'v']);
    let popped = false;
    const blpop = ctx.pool.command(['BLPOP', 'queue', 0]).then((reply) => {
      popped = true;
      return reply;
    });
    const gets = await Promise.all(Array.from({ length: 1000 }, () => ctx.pool.command(['GET', 'k'])));
    expect(gets.every((v) => v === 'v')).to.equal(true);
    expect(popped).to.equal(false);
    await ctx.pool.command(['RPUSH', 'queue', 'job']);
    expect(await blpop).to.deep.equal(['queue', 'job']);
  });

  it('BLPOP inside use() does not hold up 1000 GETs', async () => {
    await ctx.pool.command(['SET', 'k', 'v']);
    let popped = false;
    const worker = ctx.pool.use(async (c) => {
      const reply = await c.command(['BLPOP', 'queue', 0]);
      popped = true;
      return reply;
    });
    const gets = await Promise.all(Array.from({ length: 1000 }, () => ctx.pool.command(['GET', 'k'])));
    expect(gets).to.have.length(1000);
    expect(popped).to.equal(false);
    await ctx.pool.command(['RPUSH', 'queue', 'job']);
    expect(await worker).to.deep.equal(['queue', 'job']);
  });

  it('a BLPOP with a server-side timeout resolves null', async () => {
    expect(await ctx.pool.command(['BLPOP', 'empty', 0.05])).to.equal(null);
  });

  it('a timed-out BLPOP is unblocked server-side, so it cannot steal a later element', async () => {
    let error: unknown;
    await ctx.pool.command(['BLPOP', 'ghost', 0], { timeout: 100 }).catch((err) => (error = err));
    expect(error).to.be.instanceOf(TimeoutError);
    // With size 2 the CLIENT UNBLOCK went on the one shared connection, ahead of this RPUSH.
    await ctx.pool.command(['RPUSH', 'ghost', 'x']);
    expect(await ctx.pool.command(['LLEN', 'ghost'])).to.equal(1);
  });

  it('an aborted BLPOP is unblocked server-side too: it steals nothing, and close() does not wait for it', async () => {
    const pool = createPool(ctx.server.url, { size: 2 });
    const controller = new AbortController();
    const blpop = pool.command(['BLPOP', 'ghost', 0], { signal: controller.signal });
    // Abort once the server really holds it blocked.
    while (!/flags=\w*b/.test(await ctx.server.cli('CLIENT', 'LIST'))) await new Promise((r) => setTimeout(r, 5));
    controller.abort();
    expect(await blpop.catch((err) => err)).to.be.instanceOf(AbortError);
    await pool.command(['RPUSH', 'ghost', 'x']);
    expect(await pool.command(['LLEN', 'ghost'])).to.equal(1);
    const started = Date.now();
    await pool.close();
    expect(Date.now() - started).to.be.below(5_000); // not the 10 s graceful close of a blocked lease
    expect(await ctx.server.cli('CLIENT', 'LIST')).to.not.match(/flags=\w*b/);
  });

  it('BLMOVE and BZPOPMIN run too, side by side', async () => {
    // Two blocking commands at once hold two connections; a third carries the shared traffic.
    const pool = createPool(ctx.server.url, { size: 3 });
    const move = pool.command(['BLMOVE', 'src', 'dst', 'LEFT', 'RIGHT', 0]);
    const zpop = pool.command(['BZPOPMIN', 'z', 0]);
    await pool.pipeline([['RPUSH', 'src', 'a'], ['ZADD', 'z', 1, 'm']]);
    expect(await move).to.equal('a');
    expect(await zpop).to.deep.equal(['z', 'm', '1']);
    await pool.close();
  });
});
