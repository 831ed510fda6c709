import { expect } from 'chai';
import { createPool, type Pool } from '../../lib/index.js';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';
import { CALLS, LIB1, seed, WITH } from './fixtures.js';
import { loadReplyTypes } from './shape.js';

const types = loadReplyTypes();

describe('typed methods: every curated reply type holds against a real server', function () {
  it('has one call per curated command (and per option-dependent reply)', () => {
    expect(Object.keys(CALLS).sort()).to.deep.equal([...types.replies.keys()].sort());
    expect(Object.keys(WITH).sort()).to.deep.equal([...types.with.keys()].sort());
  });

  it('the checker itself refuses a wrong shape', () => {
    expect(types.check({ a: '1' }, types.replies.get('hgetall')!)).to.equal(null);
    expect(types.check(new Map([['a', '1']]), types.replies.get('hgetall')!)).to.match(/expected a plain object/);
    expect(types.check(['a', '1'], types.with.get('zrange')!)).to.match(/expected a tuple/);
    expect(types.check('OK', types.replies.get('set')!)).to.equal(null);
    expect(types.check('KO', types.replies.get('set')!)).to.match(/'OK'/);
    expect(types.check(Buffer.from('v'), types.replies.get('get')!, true)).to.equal(null);
    expect(types.check('v', types.replies.get('get')!, true)).to.match(/Buffer/);
  });

  for (const protocol of [2, 3] as const) {
    describe(`RESP${protocol}`, function () {
      this.timeout(60_000);
      let server: RedisServer;
      let pool: Pool;
      before(async () => {
        // A script counts as busy after 10 ms (SCRIPT KILL / FUNCTION KILL need one running).
        server = await startRedis({ args: ['--busy-reply-threshold', '10', '--enable-debug-command', 'yes'] });
        pool = createPool(server.url, { protocol, size: 2 });
        await seed(pool);
        await pool.functionLoad(LIB1, { REPLACE: true });
      });
      after(async () => {
        await pool?.close();
        await server?.stop();
      });

      it('each call replies what its type says', async () => {
        const failures: string[] = [];
        for (const [name, call] of Object.entries(CALLS)) {
          try {
            const error = types.check(await call(pool), types.replies.get(name)!);
            if (error !== null) failures.push(`${name}: ${error}`);
          } catch (err) {
            failures.push(`${name}: threw ${(err as Error).message}`);
          }
        }
        expect(failures).to.deep.equal([]);
      });

      it('each option-dependent call replies its other type', async () => {
        const failures: string[] = [];
        for (const [name, call] of Object.entries(WITH)) {
          const error = types.check(await call(pool), types.with.get(name)!);
          if (error !== null) failures.push(`${name}: ${error}`);
        }
        expect(failures).to.deep.equal([]);
      });

      it('normalised replies are the same in both protocols, values included', async () => {
        expect(await pool.hgetall('h1')).to.deep.equal({ a: '1', b: '2' });
        expect(await pool.zrange('z1', 0, -1, { WITHSCORES: true })).to.deep.equal([['a', 1], ['b', 2.5], ['c', 3]]);
        expect(await pool.zscore('z1', 'b')).to.equal(2.5);
        expect((await pool.smembers('st1')).sort()).to.deep.equal(['x', 'y', 'z']);
        expect(await pool.xrange('x1', '-', '+')).to.deep.equal([
          { id: '1-0', fields: { f: 'v' } }, { id: '2-0', fields: { f: 'w' } },
        ]);
        expect(await pool.xread([['x1'], ['1-0']])).to.deep.equal([{ name: 'x1', entries: [{ id: '2-0', fields: { f: 'w' } }] }]);
        expect(await pool.configGet('maxmemory')).to.deep.equal({ maxmemory: '0' });
      });

      it('returnBuffers: strings become Buffers, field names stay strings', async () => {
        const hash = await pool.hgetall('h1', { returnBuffers: true });
        expect(types.check(hash, types.replies.get('hgetall')!, true)).to.equal(null);
        expect(hash.a).to.deep.equal(Buffer.from('1'));
        const value = await pool.get('s1', { returnBuffers: true });
        expect(types.check(value, types.replies.get('get')!, true)).to.equal(null);
        const scored = await pool.zrange('z1', 0, 0, { WITHSCORES: true, returnBuffers: true });
        expect(scored).to.deep.equal([[Buffer.from('a'), 1]]);
      });
    });
  }
});
