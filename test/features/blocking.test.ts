import { expect } from 'chai';
import { createPool, TimeoutError, type Pool } from '../../lib/index.js';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';

describe('blocking commands', () => {
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
    pool = createPool(server.url, { size: 2 });
  });
  afterEach(async () => {
    await pool.close();
  });

  it('BLPOP through pool.command does not hold up 1000 GETs', async () => {
    await pool.command(['SET', 'k', 'v']);
    let popped = false;
    const blpop = pool.command(['BLPOP', 'queue', 0]).then((reply) => {
      popped = true;
      return reply;
    });
    const gets = await Promise.all(Array.from({ length: 1000 }, () => pool.command(['GET', 'k'])));
    expect(gets.every((v) => v === 'v')).to.equal(true);
    expect(popped).to.equal(false);
    await pool.command(['RPUSH', 'queue', 'job']);
    expect(await blpop).to.deep.equal(['queue', 'job']);
  });

  it('BLPOP inside use() does not hold up 1000 GETs', async () => {
    await pool.command(['SET', 'k', 'v']);
    let popped = false;
    const worker = pool.use(async (c) => {
      const reply = await c.command(['BLPOP', 'queue', 0]);
      popped = true;
      return reply;
    });
    const gets = await Promise.all(Array.from({ length: 1000 }, () => pool.command(['GET', 'k'])));
    expect(gets).to.have.length(1000);
    expect(popped).to.equal(false);
    await pool.command(['RPUSH', 'queue', 'job']);
    expect(await worker).to.deep.equal(['queue', 'job']);
  });

  it('a BLPOP with a server-side timeout resolves null', async () => {
    expect(await pool.command(['BLPOP', 'empty', 0.05])).to.equal(null);
  });

  it('a timed-out BLPOP is unblocked server-side, so it cannot steal a later element', async () => {
    let error: unknown;
    await pool.command(['BLPOP', 'ghost', 0], { timeout: 100 }).catch((err) => (error = err));
    expect(error).to.be.instanceOf(TimeoutError);
    // With size 2 the CLIENT UNBLOCK went on the one shared connection, ahead of this RPUSH.
    await pool.command(['RPUSH', 'ghost', 'x']);
    expect(await pool.command(['LLEN', 'ghost'])).to.equal(1);
  });

  it('BLMOVE and BZPOPMIN run too, side by side', async () => {
    // Two blocking commands at once hold two connections; a third carries the shared traffic.
    await pool.close();
    pool = createPool(server.url, { size: 3 });
    const move = pool.command(['BLMOVE', 'src', 'dst', 'LEFT', 'RIGHT', 0]);
    const zpop = pool.command(['BZPOPMIN', 'z', 0]);
    await pool.pipeline([['RPUSH', 'src', 'a'], ['ZADD', 'z', 1, 'm']]);
    expect(await move).to.equal('a');
    expect(await zpop).to.deep.equal(['z', 'm', '1']);
  });
});
