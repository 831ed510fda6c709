/**
 * The ioredis spelling of commands that take a list of keys before other arguments, typed by
 * overloads of their own (`blpop('a', 'b', 0)`, `blmpop(0, 2, 'a', 'b', 'LEFT', 'COUNT', 2)`,
 * test/types/typed-api.ts) and sent in the order given: against a real server, on RESP2 and
 * RESP3, with the same normalised replies as the options spelling.
 */
import { expect } from 'chai';
import { createPool, type Pool } from '../../lib/index.js';
import { withServer } from '../helpers/suite.js';

describe('typed methods: ioredis spelling of multi-key blocking commands', function () {
  this.timeout(30_000);
  const ctx = withServer();

  for (const protocol of [2, 3] as const) {
    describe(`RESP${protocol}`, () => {
      let pool: Pool;
      before(() => {
        pool = createPool(ctx.server.url, { protocol, size: 2 });
      });
      beforeEach(async () => {
        await pool.flushall();
      });
      after(async () => {
        await pool?.close();
      });

      it('blpop / brpop with keys then a timeout', async () => {
        await pool.rpush('b', 'x', 'y', 'z');
        expect(await pool.blpop('a', 'b', 1)).to.deep.equal(['b', 'x']);
        expect(await pool.brpop('a', 'b', 1)).to.deep.equal(['b', 'z']);
        // The same as the array spelling.
        expect(await pool.blpop(['a', 'b'], 1)).to.deep.equal(['b', 'y']);
        // A timeout that runs out: null.
        expect(await pool.blpop('a', 'b', 0.05)).to.equal(null);
      });

      it('blpop with timeout 0 waits until a push wakes it', async () => {
        const waiting = pool.blpop('q1', 'q2', 0);
        // The blocking call has a connection of its own; this push reaches the server on another.
        await pool.rpush('q2', 'woken');
        expect(await waiting).to.deep.equal(['q2', 'woken']);
      });

      it('bzpopmin / bzpopmax with keys then a timeout: scores as numbers', async () => {
        await pool.zadd('z', [[1.5, 'low'], [2, 'mid'], [3, 'high']]);
        expect(await pool.bzpopmin('y', 'z', 1)).to.deep.equal(['z', 'low', 1.5]);
        expect(await pool.bzpopmax('y', 'z', 1)).to.deep.equal(['z', 'high', 3]);
        expect(await pool.bzpopmin('y', 'none', 0.05)).to.equal(null);
      });

      it('blmpop / bzmpop / lmpop / zmpop with numkeys, keys, direction and COUNT flat', async () => {
        await pool.rpush('l2', 'a', 'b', 'c');
        expect(await pool.blmpop(1, 2, 'l1', 'l2', 'LEFT', 'COUNT', 2)).to.deep.equal(['l2', ['a', 'b']]);
        expect(await pool.lmpop(2, 'l1', 'l2', 'RIGHT')).to.deep.equal(['l2', ['c']]);
        await pool.zadd('z2', [[1, 'a'], [2, 'b'], [3, 'c']]);
        expect(await pool.bzmpop(1, 2, 'z1', 'z2', 'MIN', 'COUNT', 2)).to.deep.equal(['z2', [['a', 1], ['b', 2]]]);
        expect(await pool.zmpop(2, 'z1', 'z2', 'MAX')).to.deep.equal(['z2', [['c', 3]]]);
        expect(await pool.blmpop(0.05, 2, 'l1', 'l2', 'LEFT')).to.equal(null);
      });

      it('sintercard / zintercard with keys and LIMIT flat', async () => {
        await pool.sadd('s1', 'a', 'b', 'c');
        await pool.sadd('s2', 'b', 'c');
        expect(await pool.sintercard(2, 's1', 's2')).to.equal(2);
        expect(await pool.sintercard(2, 's1', 's2', 'LIMIT', 1)).to.equal(1);
        await pool.zadd('zz1', [[1, 'a'], [2, 'b']]);
        await pool.zadd('zz2', [[1, 'b']]);
        expect(await pool.zintercard(2, 'zz1', 'zz2')).to.equal(1);
      });

      it('xread / xreadgroup in Redis order, BLOCK included', async () => {
        await pool.xadd('s1', '1-0', { f: 'v' });
        await pool.xadd('s2', '1-0', { g: 'w' });
        expect(await pool.xread('COUNT', 10, 'BLOCK', 100, 'STREAMS', 's1', 's2', '0', '0')).to.deep.equal([
          { name: 's1', entries: [{ id: '1-0', fields: { f: 'v' } }] },
          { name: 's2', entries: [{ id: '1-0', fields: { g: 'w' } }] },
        ]);
        expect(await pool.xread('BLOCK', 50, 'STREAMS', 's1', '$')).to.equal(null);
        await pool.xgroupCreate('s1', 'g', '0');
        expect(await pool.xreadgroup('GROUP', 'g', 'c', 'COUNT', 1, 'BLOCK', 100, 'STREAMS', 's1', '>')).to.deep.equal([
          { name: 's1', entries: [{ id: '1-0', fields: { f: 'v' } }] },
        ]);
      });

      it('a wrong count is still refused before anything is sent', async () => {
        const error = await (pool.blpop as (...args: unknown[]) => Promise<unknown>)('only-a-key').then(() => null, (e: Error) => e);
        expect(error).to.have.property('code', 'EARGUMENT');
      });
    });
  }
});
