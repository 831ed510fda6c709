import { expect } from 'chai';
import { once } from 'node:events';
import { createPool, PoolClosedError, ReplyError, type Pool } from '../../lib/index.js';
import { CLOSED_MESSAGE, ioredisCompat, type IoredisArg, type IoredisBatch, type IoredisCompat } from '../../lib/compat/index.js';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';

// The commands these tests define (defineCommand), declared as ioredis users declare theirs.
declare module '../../lib/compat/ioredis/client.js' {
  interface IoredisCompat {
    bump(...args: IoredisArg[]): Promise<unknown>;
    bumpAny(...args: IoredisArg[]): Promise<unknown>;
    bumpBuffer(...args: IoredisArg[]): Promise<unknown>;
    mine(...args: IoredisArg[]): Promise<unknown>;
  }
}
declare module '../../lib/compat/ioredis/batch.js' {
  interface IoredisBatch {
    bump(...args: IoredisArg[]): IoredisBatch;
    bumpBuffer(...args: IoredisArg[]): IoredisBatch;
    mine(...args: IoredisArg[]): IoredisBatch;
  }
}

describe('compat: ioredisCompat', () => {
  let server: RedisServer;
  let pool: Pool;
  let redis: IoredisCompat;

  before(async () => {
    server = await startRedis();
    pool = createPool(server.url, { size: 3 });
  });
  after(async () => {
    await pool.close();
    await server.stop();
  });
  beforeEach(async () => {
    await server.cli('FLUSHALL');
    redis = ioredisCompat(pool);
  });
  afterEach(() => redis.disconnect());

  describe('commands', () => {
    it('every command of the table is a method, with a ...Buffer twin', async () => {
      expect(await redis.set('k', 'v', 'EX', 60)).to.equal('OK');
      expect(await redis.get('k')).to.equal('v');
      expect(await redis.getBuffer('k')).to.deep.equal(Buffer.from('v'));
      expect(await redis.ttl('k')).to.be.within(1, 60);
      expect(await redis.xadd('s', '*', 'f', 'v')).to.match(/^\d+-\d+$/);
      expect(await redis.client('SETNAME', 'bull:abc')).to.equal('OK');
      expect(await redis.call('INCRBY', 'n', 5)).to.equal(5);
      expect(await redis.callBuffer('GET', 'n')).to.deep.equal(Buffer.from('5'));
    });

    it('HSET/HMSET/MSET take objects and Maps; HGETALL answers an object, __proto__ a plain field', async () => {
      expect(await redis.hset('h', { a: 1, b: 'two' })).to.equal(2);
      expect(await redis.hmset('h', new Map([['__proto__', 'x']]))).to.equal('OK');
      const all = await redis.hgetall('h');
      expect(all).to.deep.equal({ a: '1', b: 'two', ['__proto__']: 'x' });
      expect(Object.getPrototypeOf(all)).to.equal(Object.prototype);
      expect(await redis.mset({ m1: 'a', m2: 'b' })).to.equal('OK');
      expect(await redis.mget(['m1', 'm2'])).to.deep.equal(['a', 'b']);
      expect(await redis.hgetall('missing')).to.deep.equal({});
    });

    it('arguments as ioredis sends them: arrays spread, undefined/null as empty, big integers exact', async () => {
      await redis.set('u', undefined);
      await redis.set('z', null);
      expect(await server.cli('GET', 'u')).to.equal('');
      expect(await server.cli('GET', 'z')).to.equal('');
      await redis.rpush('l', ['a', 'b'], 'c');
      expect(await redis.lrange('l', 0, -1)).to.deep.equal(['a', 'b', 'c']);
      await redis.set('big', 2 ** 60, 'PX', true ? 60_000 : 0);
      expect(await server.cli('GET', 'big')).to.equal('1152921504606846976');
    });

    it('an object where a value belongs is a TypeError, and nothing is sent', async () => {
      const err = await redis.set('obj', { no: 'pe' }).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(TypeError);
      expect((err as Error).message).to.match(/^set: an argument is a string/);
      expect(await server.cli('EXISTS', 'obj')).to.equal('0');
    });

    it('a trailing callback gets (null, reply) or (error); what it returns is ignored', async () => {
      const got = await new Promise((resolve) => void redis.set('cb', 'v', (err: Error | null, r: unknown) => resolve([err, r])));
      expect(got).to.deep.equal([null, 'OK']);
      const failed = await new Promise<[Error | null]>((resolve) => {
        void redis.lpush('cb', 'x', (err: Error | null) => {
          resolve([err]);
          return Promise.reject(new Error('ignored, not an unhandled rejection'));
        }).catch(() => {});
      });
      expect(failed[0]).to.be.instanceOf(ReplyError);
      expect((failed[0] as ReplyError).code).to.equal('WRONGTYPE');
    });

    it('scanStream yields arrays of keys', async () => {
      await redis.mset({ 'a:1': 1, 'a:2': 2, 'b:1': 3 });
      const keys: string[] = [];
      for await (const batch of redis.scanStream({ match: 'a:*', count: 1 })) keys.push(...(batch as string[]));
      expect(keys.sort()).to.deep.equal(['a:1', 'a:2']);
    });
  });

  describe('pipeline and multi', () => {
    it('exec resolves to [error, reply] pairs, errors in place', async () => {
      await redis.set('s', 'v');
      const results = await redis.pipeline().set('a', 1).incr('a').lpush('s', 'x').hgetall('nope').exec();
      expect(results.slice(0, 2)).to.deep.equal([[null, 'OK'], [null, 2]]);
      expect(results[2]![0]).to.be.instanceOf(ReplyError);
      expect(results[2]![1]).to.equal(null);
      expect(results[3]).to.deep.equal([null, {}]);
      const multi = await redis.multi([['set', 'm', 1], ['incrby', 'm', 2]]).get('m').exec();
      expect(multi).to.deep.equal([[null, 'OK'], [null, 3], [null, '3']]);
      expect(await redis.multi().exec()).to.deep.equal([]);
    });

    it('a multi the server refuses while queueing rejects with EXECABORT; nothing ran', async () => {
      const err = await redis.multi().set('x', 1).call('NOSUCHCOMMAND').exec().catch((e: unknown) => e);
      expect(err).to.be.instanceOf(ReplyError);
      expect((err as ReplyError).code).to.equal('EXECABORT');
      expect(await server.cli('EXISTS', 'x')).to.equal('0');
    });

    it('an argument error rejects exec and sends nothing', async () => {
      const err = await redis.multi().set('x', 1).set('y', { bad: 1 }).exec().catch((e: unknown) => e);
      expect(err).to.be.instanceOf(TypeError);
      expect(await server.cli('EXISTS', 'x')).to.equal('0');
    });
  });

  describe('defineCommand', () => {
    const lua = "return {KEYS[1], ARGV[1], redis.call('INCRBY', KEYS[1], ARGV[1])}";

    it('runs alone (EVALSHA, EVAL once on NOSCRIPT), with fixed or caller-given key counts', async () => {
      await server.cli('SCRIPT', 'FLUSH');
      redis.defineCommand('bump', { numberOfKeys: 1, lua });
      redis.defineCommand('bumpAny', { lua });
      expect(await redis.bump('n', 2)).to.deep.equal(['n', '2', 2]);
      expect(await redis.bump(['n', 3])).to.deep.equal(['n', '3', 5]);
      expect(await redis.bumpAny(1, 'n', 1)).to.deep.equal(['n', '1', 6]);
      expect(await redis.bumpBuffer('n', 1)).to.deep.equal([Buffer.from('n'), Buffer.from('1'), 7]);
    });

    it('in MULTI and pipelines: loaded ahead; after a SCRIPT FLUSH the next batch reports NOSCRIPT in place, once', async () => {
      redis.defineCommand('bump', { numberOfKeys: 1, lua });
      await server.cli('SCRIPT', 'FLUSH');
      expect(await redis.multi().bump('m', 1).bump('m', 1).exec()).to.deep.equal([[null, ['m', '1', 1]], [null, ['m', '1', 2]]]);
      await server.cli('SCRIPT', 'FLUSH');
      // The client still believes the server holds it: the EVALSHA inside EXEC fails in place...
      const [[err]] = (await redis.multi().bump('m', 1).exec()) as [[Error | null, unknown]];
      expect((err as ReplyError).code).to.equal('NOSCRIPT');
      // ...and the next MULTI loads it again.
      expect(await redis.multi().bump('m', 1).exec()).to.deep.equal([[null, ['m', '1', 3]]]);
      await server.cli('SCRIPT', 'FLUSH');
      // Same in a pipeline: the commands behind it still run, in order; the next one reloads.
      const [[stale], ...rest] = (await redis.pipeline().bump('p', 4).incr('p').exec()) as [Error | null, unknown][];
      expect((stale as ReplyError).code).to.equal('NOSCRIPT');
      expect(rest).to.deep.equal([[null, 1]]);
      expect(await redis.pipeline().bump('p', 4).incr('p').exec()).to.deep.equal([[null, ['p', '4', 5]], [null, 6]]);
    });

    it('after a server restart, batches load their scripts again (the pool reconnected): no NOSCRIPT', async () => {
      const own = await startRedis();
      const ownPool = createPool(own.url, { reconnectMaxDelay: 100 });
      try {
        const client = ioredisCompat(ownPool);
        client.defineCommand('bump', { numberOfKeys: 1, lua });
        expect(await client.multi().bump('r', 1).exec()).to.deep.equal([[null, ['r', '1', 1]]]);
        await own.restart();
        // Sockets cut by the restart fail what was written on them: wait for one that answers.
        while ((await ownPool.command(['PING']).catch(() => null)) !== 'PONG');
        expect(await client.multi().bump('r', 2).exec()).to.deep.equal([[null, ['r', '2', 2]]]);
        expect(await client.pipeline().bump('r', 3).exec()).to.deep.equal([[null, ['r', '3', 5]]]);
        client.disconnect();
      } finally {
        await ownPool.close();
        await own.stop();
      }
    });

    it('defines on this client only; a bad definition is a TypeError', () => {
      redis.defineCommand('mine', { numberOfKeys: 0, lua: 'return 1' });
      expect(redis.duplicate().mine).to.equal(undefined);
      expect(() => redis.defineCommand('bad', { lua: 'return 1', numberOfKeys: -1 })).to.throw(TypeError, /numberOfKeys/);
    });
  });

  describe('lifecycle', () => {
    it("starts 'connecting', emits 'connect' and 'ready', then reports 'ready'", async () => {
      const client = ioredisCompat(pool);
      expect(client.status).to.equal('connecting');
      await once(client, 'ready');
      expect(client.status).to.equal('ready');
      client.disconnect();
    });

    it("lazyConnect waits in 'wait' until connect()", async () => {
      const client = ioredisCompat(pool, { lazyConnect: true });
      expect(client.status).to.equal('wait');
      await client.connect();
      expect(client.status).to.equal('ready');
      client.disconnect();
    });

    it("disconnect(): 'close' then 'end', commands reject as ioredis's do; connect() reopens; the pool stays open", async () => {
      await redis.connect();
      const ended = once(redis, 'end');
      redis.disconnect();
      expect(redis.status).to.equal('end');
      await ended;
      const err = await redis.get('k').catch((e: unknown) => e);
      expect(err).to.be.instanceOf(PoolClosedError);
      expect((err as Error).message).to.equal(CLOSED_MESSAGE);
      await redis.connect();
      expect(await redis.ping()).to.equal('PONG');
      expect(await pool.command(['PING'])).to.equal('PONG');
    });

    it('quit() waits for the commands already sent', async () => {
      const gets = Array.from({ length: 200 }, (_, i) => redis.set(`q${i}`, i));
      expect(await redis.quit()).to.equal('OK');
      expect(await Promise.all(gets)).to.have.length(200);
      expect(redis.status).to.equal('end');
    });

    it('closing aborts a blocking command at once; it steals nothing and gives its connection back', async () => {
      const blpop = redis.blpop('jobs', 0);
      while (pool.stats.exclusive === 0) await new Promise((r) => setTimeout(r, 5));
      redis.disconnect();
      const err = await blpop.catch((e: unknown) => e);
      expect((err as Error).message).to.equal(CLOSED_MESSAGE);
      await pool.command(['RPUSH', 'jobs', 'j1']);
      expect(await pool.command(['LLEN', 'jobs'])).to.equal(1);
      while (pool.stats.exclusive > 0) await new Promise((r) => setTimeout(r, 5));
    });

    it('duplicate() shares the pool and keeps the options; quitting it leaves the original working', async () => {
      const named = ioredisCompat(pool, { connectionName: 'svc' });
      const copy = named.duplicate({ extra: 1 });
      expect(copy.options.connectionName).to.equal('svc');
      expect(copy.options.extra).to.equal(1);
      expect(copy.options.maxRetriesPerRequest).to.equal(null);
      const size = pool.stats.size;
      expect(await copy.ping()).to.equal('PONG');
      await copy.quit();
      expect(await named.ping()).to.equal('PONG');
      expect(pool.stats.size).to.equal(size);
      named.disconnect();
    });

    it('refuses keyPrefix (it would be ignored) with a TypeError', () => {
      expect(() => ioredisCompat(pool, { keyPrefix: 'app:' })).to.throw(TypeError, /keyPrefix/);
    });

    it('refuses what is not a respool Pool or Cluster with a TypeError', () => {
      expect(() => ioredisCompat({} as never)).to.throw(TypeError, /Pool .* or Cluster/);
    });
  });
});
