import { expect } from 'chai';
import { RedisError, ReplyError } from '../../lib/index.js';
import { serverAndPool } from '../helpers/suite.js';

describe('transactions', () => {
  const ctx = serverAndPool({ size: 4 });

  it('resolves to EXEC\'s results', async () => {
    const results = await ctx.pool.transaction([['SET', 'k', 1], ['INCR', 'k'], ['GET', 'k']]);
    expect(results).to.deep.equal(['OK', 2, '2']);
  });

  it('keeps a failed command\'s ReplyError in place; the others ran', async () => {
    await ctx.pool.command(['SET', 's', 'text']);
    const results = await ctx.pool.transaction([['INCR', 'n'], ['LPUSH', 's', 'x'], ['INCR', 'n']]);
    expect(results[0]).to.equal(1);
    expect(results[1]).to.be.instanceOf(ReplyError);
    expect((results[1] as ReplyError).code).to.equal('WRONGTYPE');
    expect(results[2]).to.equal(2);
  });

  it('rejects with EXECABORT when a command is refused while queueing; nothing ran', async () => {
    let error: unknown;
    await ctx.pool.transaction([['INCR', 'n'], ['NOSUCHCOMMAND'], ['INCR', 'n']]).catch((err) => (error = err));
    expect(error).to.be.instanceOf(ReplyError);
    expect((error as ReplyError).code).to.equal('EXECABORT');
    expect((error as Error).cause).to.be.instanceOf(ReplyError);
    expect(((error as Error).cause as Error).message).to.match(/unknown command/);
    expect(await ctx.pool.command(['GET', 'n'])).to.equal(null);
  });

  it('refuses MULTI, EXEC or WATCH among its commands, before sending anything', async () => {
    let error: unknown;
    await ctx.pool.transaction([['WATCH', 'k']]).catch((err) => (error = err));
    expect(error).to.be.instanceOf(RedisError);
    expect((error as RedisError).code).to.equal('EUSAGE');
  });

  it('is not interleaved with concurrent commands on the shared connection', async () => {
    const writes = Array.from({ length: 200 }, (_, i) => ctx.pool.command(['RPUSH', 'log', `c${i}`]));
    const tx = ctx.pool.transaction([['RPUSH', 'log', 't1'], ['RPUSH', 'log', 't2'], ['RPUSH', 'log', 't3']]);
    await Promise.all([...writes, tx]);
    const log = (await ctx.pool.command(['LRANGE', 'log', 0, -1])) as string[];
    const at = log.indexOf('t1');
    expect(log.slice(at, at + 3)).to.deep.equal(['t1', 't2', 't3']);
  });

  it('a WATCHed transaction runs when nothing changed', async () => {
    await ctx.pool.command(['SET', 'k', 10]);
    const result = await ctx.pool.use(async (c) => {
      await c.watch('k');
      const v = Number(await c.command(['GET', 'k']));
      return c.transaction([['SET', 'k', v + 1]]);
    });
    expect(result).to.deep.equal(['OK']);
    expect(await ctx.pool.command(['GET', 'k'])).to.equal('11');
  });

  it('a WATCHed transaction resolves null when another client wrote the key', async () => {
    await ctx.pool.command(['SET', 'k', 10]);
    const result = await ctx.pool.use(async (c) => {
      await c.watch('k');
      const v = Number(await c.command(['GET', 'k']));
      await ctx.server.cli('SET', 'k', 100);
      return c.transaction([['SET', 'k', v + 1]]);
    });
    expect(result).to.equal(null);
    expect(await ctx.pool.command(['GET', 'k'])).to.equal('100');
  });

  it('an optimistic retry loop converges under concurrent increments', async () => {
    await ctx.pool.command(['SET', 'counter', 0]);
    const increment = () => ctx.pool.use(async (c) => {
      for (;;) {
        await c.watch('counter');
        const v = Number(await c.command(['GET', 'counter']));
        if ((await c.transaction([['SET', 'counter', v + 1]])) !== null) return;
      }
    });
    await Promise.all(Array.from({ length: 10 }, increment));
    expect(await ctx.pool.command(['GET', 'counter'])).to.equal('10');
  });

  it('a watch left without a transaction is dropped when the handle is released', async () => {
    await ctx.pool.use(async (c) => {
      await c.watch('w');
    });
    // Were the watch still on a pooled connection, this transaction could come back null.
    await ctx.server.cli('SET', 'w', 'changed');
    const results = await Promise.all(
      Array.from({ length: 8 }, () => ctx.pool.use((c) => c.transaction([['INCR', 'counter2']]))),
    );
    expect(results.every((r) => r !== null)).to.equal(true);
  });

  it('unwatch() forgets the watched keys', async () => {
    const result = await ctx.pool.use(async (c) => {
      await c.watch('u');
      await c.unwatch();
      await ctx.server.cli('SET', 'u', 'changed');
      return c.transaction([['GET', 'u']]);
    });
    expect(result).to.deep.equal(['changed']);
  });
});
