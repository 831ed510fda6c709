import { once } from 'node:events';
import { expect } from 'chai';
import { ReplyError } from '../../lib/index.js';
import { serverAndPool } from '../helpers/suite.js';

describe('RESP3 end to end', () => {
  const ctx = serverAndPool({ protocol: 3 });

  it('speaks RESP3 on its connections', async () => {
    expect(await ctx.pool.command(['CLIENT', 'INFO'])).to.match(/\bresp=3\b/);
  });

  it('HGETALL is a Map, SMEMBERS a Set', async () => {
    await ctx.pool.pipeline([['HSET', 'h', 'a', '1', 'b', '2'], ['SADD', 's', 'x', 'y']]);
    expect(await ctx.pool.command(['HGETALL', 'h'])).to.deep.equal(new Map([['a', '1'], ['b', '2']]));
    expect(await ctx.pool.command(['SMEMBERS', 's'])).to.deep.equal(new Set(['x', 'y']));
    expect(await ctx.pool.command(['HGETALL', 'missing'])).to.deep.equal(new Map());
  });

  it('ZSCORE is a number, infinities included', async () => {
    await ctx.pool.command(['ZADD', 'z', '1.5', 'm', 'inf', 'top']);
    expect(await ctx.pool.command(['ZSCORE', 'z', 'm'])).to.equal(1.5);
    expect(await ctx.pool.command(['ZSCORE', 'z', 'top'])).to.equal(Infinity);
    expect(await ctx.pool.command(['ZSCORE', 'z', 'none'])).to.equal(null);
  });

  it('booleans, big numbers and doubles from Lua', async () => {
    const resp3 = (body: string) => ctx.pool.command(['EVAL', `redis.setresp(3); ${body}`, 0]);
    expect(await resp3('return true')).to.equal(true);
    expect(await resp3('return false')).to.equal(false);
    expect(await resp3("return {big_number='123456789012345678901234567890'}"))
      .to.equal(123456789012345678901234567890n);
    expect(await resp3('return {double=3.25}')).to.equal(3.25);
    expect(await resp3("return redis.call('HGETALL', 'nothing')")).to.deep.equal(new Map());
  });

  it('errors nested in arrays stay in place', async () => {
    await ctx.pool.command(['SET', 'str', 'v']);
    const results = await ctx.pool.transaction([['INCR', 'n'], ['HSET', 'str', 'f', 'v']]);
    expect(results[0]).to.equal(1);
    expect(results[1]).to.be.instanceOf(ReplyError);
  });

  it('CONFIG GET is a Map', async () => {
    const reply = await ctx.pool.command(['CONFIG', 'GET', 'maxmemory-policy']);
    expect(reply).to.be.instanceOf(Map);
    expect((reply as Map<string, string>).get('maxmemory-policy')).to.equal('noeviction');
  });

  it('an invalidation push (CLIENT TRACKING) is never taken as a reply', async () => {
    await ctx.pool.command(['SET', 'tracked', 'v1']);
    const pushed = once(ctx.pool, 'push');
    const replies = await ctx.pool.use(async (c) => {
      await c.command(['CLIENT', 'TRACKING', 'ON']);
      const before = await c.command(['GET', 'tracked']);
      // Another client writes the key: the server pushes an invalidation to this connection.
      await ctx.server.cli('SET', 'tracked', 'v2');
      // Pipelined behind the push: each reply must still reach its own command.
      const after = await c.pipeline([['PING'], ['GET', 'tracked'], ['ECHO', 'e']]);
      return { before, after };
    });
    expect(replies.before).to.equal('v1');
    expect(replies.after).to.deep.equal(['PONG', 'v2', 'e']);
    const [frame] = await pushed;
    expect(frame).to.deep.equal(['invalidate', ['tracked']]);
  });

  it('the tracking connection is not handed to anyone else afterwards', async () => {
    const tracking = async () =>
      (await ctx.server.cli('CLIENT', 'LIST')).split('\n').filter((line) => / flags=\S*t/.test(line)).length;
    await ctx.pool.use(async (c) => {
      await c.command(['CLIENT', 'TRACKING', 'ON']);
      expect(await tracking()).to.equal(1);
    });
    // CLIENT TRACKING is 'poison': the lease was replaced, so no pooled connection tracks keys.
    expect(await tracking()).to.equal(0);
  });
});
