import { once } from 'node:events';
import { expect } from 'chai';
import { createPool, ReplyError, type Pool } from '../../lib/index.js';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';

describe('RESP3 end to end', () => {
  let server: RedisServer;
  let pool: Pool;

  before(async () => {
    server = await startRedis();
  });
  after(async () => {
    await server.stop();
  });
  beforeEach(async () => {
    await server.cli('FLUSHALL');
    pool = createPool(server.url, { protocol: 3 });
  });
  afterEach(async () => {
    await pool.close();
  });

  it('speaks RESP3 on its connections', async () => {
    expect(await pool.command(['CLIENT', 'INFO'])).to.match(/\bresp=3\b/);
  });

  it('HGETALL is a Map, SMEMBERS a Set', async () => {
    await pool.pipeline([['HSET', 'h', 'a', '1', 'b', '2'], ['SADD', 's', 'x', 'y']]);
    expect(await pool.command(['HGETALL', 'h'])).to.deep.equal(new Map([['a', '1'], ['b', '2']]));
    expect(await pool.command(['SMEMBERS', 's'])).to.deep.equal(new Set(['x', 'y']));
    expect(await pool.command(['HGETALL', 'missing'])).to.deep.equal(new Map());
  });

  it('ZSCORE is a number, infinities included', async () => {
    await pool.command(['ZADD', 'z', '1.5', 'm', 'inf', 'top']);
    expect(await pool.command(['ZSCORE', 'z', 'm'])).to.equal(1.5);
    expect(await pool.command(['ZSCORE', 'z', 'top'])).to.equal(Infinity);
    expect(await pool.command(['ZSCORE', 'z', 'none'])).to.equal(null);
  });

  it('booleans, big numbers and doubles from Lua', async () => {
    const resp3 = (body: string) => pool.command(['EVAL', `redis.setresp(3); ${body}`, 0]);
    expect(await resp3('return true')).to.equal(true);
    expect(await resp3('return false')).to.equal(false);
    expect(await resp3("return {big_number='123456789012345678901234567890'}"))
      .to.equal(123456789012345678901234567890n);
    expect(await resp3('return {double=3.25}')).to.equal(3.25);
    expect(await resp3("return redis.call('HGETALL', 'nothing')")).to.deep.equal(new Map());
  });

  it('errors nested in arrays stay in place', async () => {
    await pool.command(['SET', 'str', 'v']);
    const results = await pool.transaction([['INCR', 'n'], ['HSET', 'str', 'f', 'v']]);
    expect(results[0]).to.equal(1);
    expect(results[1]).to.be.instanceOf(ReplyError);
  });

  it('CONFIG GET is a Map', async () => {
    const reply = await pool.command(['CONFIG', 'GET', 'maxmemory-policy']);
    expect(reply).to.be.instanceOf(Map);
    expect((reply as Map<string, string>).get('maxmemory-policy')).to.equal('noeviction');
  });

  it('an invalidation push (CLIENT TRACKING) is never taken as a reply', async () => {
    await pool.command(['SET', 'tracked', 'v1']);
    const pushed = once(pool, 'push');
    const replies = await pool.use(async (c) => {
      await c.command(['CLIENT', 'TRACKING', 'ON']);
      const before = await c.command(['GET', 'tracked']);
      // Another client writes the key: the server pushes an invalidation to this connection.
      await server.cli('SET', 'tracked', 'v2');
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
      (await server.cli('CLIENT', 'LIST')).split('\n').filter((line) => / flags=\S*t/.test(line)).length;
    await pool.use(async (c) => {
      await c.command(['CLIENT', 'TRACKING', 'ON']);
      expect(await tracking()).to.equal(1);
    });
    // CLIENT TRACKING is 'poison': the lease was replaced, so no pooled connection tracks keys.
    expect(await tracking()).to.equal(0);
  });
});
