import { expect } from 'chai';
import { createPool, RedisError, ReplyError, type Pool } from '../../lib/index.js';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';

describe('transactions', () => {
  let server: RedisServer;
  let pool: Pool;

  before(async () => {
    server = await startRedis();
  });
  after(async () => {
    await server.stop();
  });
  beforeEach(async () => {
    pool = createPool(server.url, { size: 4 });
    await server.cli('FLUSHALL');
  });
  afterEach(async () => {
    await pool.close();
  });

  it('resolves to EXEC\'s results', async () => {
    const results = await pool.transaction([['SET', 'k', 1], ['INCR', 'k'], ['GET', 'k']]);
    expect(results).to.deep.equal(['OK', 2, '2']);
  });

  it('keeps a failed command\'s ReplyError in place; the others ran', async () => {
    await pool.command(['SET', 's', 'text']);
    const results = await pool.transaction([['INCR', 'n'], ['LPUSH', 's', 'x'], ['INCR', 'n']]);
    expect(results[0]).to.equal(1);
    expect(results[1]).to.be.instanceOf(ReplyError);
    expect((results[1] as ReplyError).code).to.equal('WRONGTYPE');
    expect(results[2]).to.equal(2);
  });

  it('rejects with EXECABORT when a command is refused while queueing; nothing ran', async () => {
    let error: unknown;
    await pool.transaction([['INCR', 'n'], ['NOSUCHCOMMAND'], ['INCR', 'n']]).catch((err) => (error = err));
    expect(error).to.be.instanceOf(ReplyError);
    expect((error as ReplyError).code).to.equal('EXECABORT');
    expect((error as Error).cause).to.be.instanceOf(ReplyError);
    expect(((error as Error).cause as Error).message).to.match(/unknown command/);
    expect(await pool.command(['GET', 'n'])).to.equal(null);
  });

  it('refuses MULTI, EXEC or WATCH among its commands, before sending anything', async () => {
    let error: unknown;
    await pool.transaction([['WATCH', 'k']]).catch((err) => (error = err));
    expect(error).to.be.instanceOf(RedisError);
    expect((error as RedisError).code).to.equal('EUSAGE');
  });

  it('is not interleaved with concurrent commands on the shared connection', async () => {
    const writes = Array.from({ length: 200 }, (_, i) => pool.command(['RPUSH', 'log', `c${i}`]));
    const tx = pool.transaction([['RPUSH', 'log', 't1'], ['RPUSH', 'log', 't2'], ['RPUSH', 'log', 't3']]);
    await Promise.all([...writes, tx]);
    const log = (await pool.command(['LRANGE', 'log', 0, -1])) as string[];
    const at = log.indexOf('t1');
    expect(log.slice(at, at + 3)).to.deep.equal(['t1', 't2', 't3']);
  });

  it('a WATCHed transaction runs when nothing changed', async () => {
    await pool.command(['SET', 'k', 10]);
    const result = await pool.use(async (c) => {
      await c.watch('k');
      const v = Number(await c.command(['GET', 'k']));
      return c.transaction([['SET', 'k', v + 1]]);
    });
    expect(result).to.deep.equal(['OK']);
    expect(await pool.command(['GET', 'k'])).to.equal('11');
  });

  it('a WATCHed transaction resolves null when another client wrote the key', async () => {
    await pool.command(['SET', 'k', 10]);
    const result = await pool.use(async (c) => {
      await c.watch('k');
      const v = Number(await c.command(['GET', 'k']));
      await server.cli('SET', 'k', 100);
      return c.transaction([['SET', 'k', v + 1]]);
    });
    expect(result).to.equal(null);
    expect(await pool.command(['GET', 'k'])).to.equal('100');
  });

  it('an optimistic retry loop converges under concurrent increments', async () => {
    await pool.command(['SET', 'counter', 0]);
    const increment = () => pool.use(async (c) => {
      for (;;) {
        await c.watch('counter');
        const v = Number(await c.command(['GET', 'counter']));
        if ((await c.transaction([['SET', 'counter', v + 1]])) !== null) return;
      }
    });
    await Promise.all(Array.from({ length: 10 }, increment));
    expect(await pool.command(['GET', 'counter'])).to.equal('10');
  });

  it('a watch left without a transaction is dropped when the handle is released', async () => {
    await pool.use(async (c) => {
      await c.watch('w');
    });
    // Were the watch still on a pooled connection, this transaction could come back null.
    await server.cli('SET', 'w', 'changed');
    const results = await Promise.all(
      Array.from({ length: 8 }, () => pool.use((c) => c.transaction([['INCR', 'counter2']]))),
    );
    expect(results.every((r) => r !== null)).to.equal(true);
  });

  it('unwatch() forgets the watched keys', async () => {
    const result = await pool.use(async (c) => {
      await c.watch('u');
      await c.unwatch();
      await server.cli('SET', 'u', 'changed');
      return c.transaction([['GET', 'u']]);
    });
    expect(result).to.deep.equal(['changed']);
  });
});
