/**
 * The compat clients on what else a respool backend can be: a RESP3 pool (replies reshaped as
 * RESP2 gives them, compared call by call with a RESP2 pool on the same server), a pool created
 * with `returnBuffers: true` (the views still answer text), and a Cluster (batches, scripts in
 * batches, SCAN over every primary, CLIENT SETNAME). The libraries' own flows on each backend
 * are in test/ecosystem/.
 */
import { expect } from 'chai';
import { createCluster, createPool, ReplyError, type Cluster, type Pool } from '../../lib/index.js';
import { ioredisCompat, nodeRedisCompat, type IoredisArg, type IoredisBatch, type IoredisCompat, type NodeRedisCompat } from '../../lib/compat/index.js';
import { sharedCluster, type RedisCluster } from '../helpers/redis-cluster.js';
import { rawCommands } from '../helpers/raw-client.js';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';
import { withServer } from '../helpers/suite.js';

// The commands these tests define (defineCommand), declared as ioredis users declare theirs.
declare module '../../lib/compat/ioredis/client.js' {
  interface IoredisCompat {
    incrTwice(...args: IoredisArg[]): Promise<unknown>;
  }
}
declare module '../../lib/compat/ioredis/batch.js' {
  interface IoredisBatch {
    incrTwice(...args: IoredisArg[]): IoredisBatch;
  }
}

type Calls = Record<string, (io: IoredisCompat, nr: NodeRedisCompat) => Promise<unknown>>;

/** Calls whose RESP3 reply differs from RESP2's in shape or type (maps, sets, doubles, booleans). */
const CALLS: Calls = {
  hgetall: (io) => io.hgetall('h'),
  hgetallRaw: (io) => io.call('HGETALL', 'h'),
  smembers: async (io) => ((await io.smembers('s')) as string[]).sort(),
  zscore: (io) => io.zscore('z', 'a'),
  zincrby: (io) => io.zincrby('z2', 0.25, 'a'),
  zaddIncr: (io) => io.zadd('z3', 'INCR', 1.5, 'm'),
  zaddPlain: (io) => io.zadd('z4', 1, 'a', 2, 'b'),
  zmscore: (io) => io.zmscore('z', 'a', 'nope'),
  zrangeWithScores: (io) => io.zrange('z', 0, -1, 'WITHSCORES'),
  zrangebyscore: (io) => io.zrangebyscore('z', '-inf', '+inf', 'WITHSCORES'),
  zpopmin: (io) => io.zpopmin('zp1'),
  zpopminCount: (io) => io.zpopmin('zp2', 2),
  bzpopmax: (io) => io.bzpopmax('zp3', 1),
  zmpop: (io) => io.zmpop(1, 'zp4', 'MIN', 'COUNT', 2),
  hrandfield: (io) => io.hrandfield('h1', 1, 'WITHVALUES'),
  incrbyfloat: (io) => io.incrbyfloat('f', 0.5),
  geodist: (io) => io.geodist('geo', 'a', 'b'),
  geopos: (io) => io.geopos('geo', 'a', 'nope'),
  geosearchWithAll: (io) => io.geosearch('geo', 'FROMMEMBER', 'a', 'BYRADIUS', 300, 'km', 'ASC', 'WITHCOORD', 'WITHDIST', 'WITHHASH'),
  georadiusWithCoord: (io) => io.georadius('geo', 15, 37, 200, 'km', 'WITHCOORD', 'ASC'),
  georadiusbymemberRoWithDist: (io) => io.georadiusbymember_ro('geo', 'a', 300, 'km', 'WITHDIST', 'ASC'),
  georadiusStore: (io) => io.georadius('geo', 15, 37, 200, 'km', 'STORE', 'geo2'),
  geosearchPlain: (io) => io.geosearch('geo', 'FROMLONLAT', 15, 37, 'BYBOX', 400, 400, 'km', 'ASC'),
  nrGeosearch: (_io, nr) => nr.sendCommand(['GEOSEARCH', 'geo', 'FROMLONLAT', '15', '37', 'BYRADIUS', '200', 'km', 'WITHCOORD']),
  pipelineGeo: (io) => io.pipeline().geopos('geo', 'b').georadius('geo', 15, 37, 200, 'km', 'WITHCOORD').exec(),
  configGet: (io) => io.config('GET', 'maxmemory'),
  xread: (io) => io.xread('STREAMS', 'x', '0'),
  luaTrue: (io) => io.eval('return true', 0),
  luaFalse: (io) => io.eval('return false', 0),
  luaTable: (io) => io.eval("return {1, 'two', {3}}", 0),
  multi: (io) => io.multi().zscore('z', 'a').hgetall('h').smembers('one').exec(),
  pipeline: (io) => io.pipeline().zrange('z', 0, 0, 'WITHSCORES').eval('return true', 0).exec(),
  nrHGetAll: (_io, nr) => nr.hGetAll('h'),
  nrZScore: (_io, nr) => nr.zScore('z', 'a'),
  nrSendCommand: (_io, nr) => nr.sendCommand(['ZRANGE', 'z', '0', '-1', 'WITHSCORES']),
  nrMulti: (_io, nr) => nr.multi().hGetAll('h').zScore('z', 'a').exec(),
  nrScan: async (_io, nr) => ((await nr.scan('0', { MATCH: 'h*', COUNT: 100 })) as { keys: string[] }).keys.sort(),
};

async function seed(pool: Pool): Promise<void> {
  await pool.command(['FLUSHALL']);
  await pool.pipeline([
    ['HSET', 'h', 'f', 'v', 'g', 'w'], ['HSET', 'h1', 'only', 'one'], ['SADD', 's', 'a', 'b'], ['SADD', 'one', 'x'],
    ['ZADD', 'z', '1.5', 'a', '2', 'b'], ['ZADD', 'z2', '1', 'a'],
    ['ZADD', 'zp1', '1', 'a'], ['ZADD', 'zp2', '1', 'a', '2', 'b'], ['ZADD', 'zp3', '3', 'c'], ['ZADD', 'zp4', '1', 'a', '2', 'b'],
    ['SET', 'f', '1'], ['GEOADD', 'geo', '13.361389', '38.115556', 'a', '15.087269', '37.502669', 'b'],
    ['XADD', 'x', '1-0', 'f', 'v'],
  ]);
}

describe('compat: other backends', function () {
  this.timeout(30_000);

  describe('a RESP3 pool answers as a RESP2 pool does', () => {
    const ctx = withServer();

    async function run(protocol: 2 | 3): Promise<Record<string, unknown>> {
      const pool = createPool(ctx.server.url, { protocol, size: 2 });
      const io = ioredisCompat(pool);
      const nr = await nodeRedisCompat(pool).connect();
      try {
        await seed(pool);
        const out: Record<string, unknown> = {};
        for (const [name, call] of Object.entries(CALLS)) {
          out[name] = await call(io, nr).catch((err: Error) => `threw ${err.message}`);
        }
        return out;
      } finally {
        io.disconnect();
        nr.destroy();
        await pool.close();
      }
    }

    it('call by call, the same values and types', async () => {
      const resp2 = await run(2);
      const resp3 = await run(3);
      for (const name of Object.keys(CALLS)) expect(resp3[name], name).to.deep.equal(resp2[name]);
      // And RESP2's shapes indeed: text scores, flat pairs, 1/null for Lua booleans.
      expect(resp3.zscore).to.equal('1.5');
      expect(resp3.zrangeWithScores).to.deep.equal(['a', '1.5', 'b', '2']);
      expect(resp3.hgetallRaw).to.deep.equal(['f', 'v', 'g', 'w']);
      expect([resp3.luaTrue, resp3.luaFalse]).to.deep.equal([1, null]);
      expect(resp3.xread).to.deep.equal([['x', [['1-0', ['f', 'v']]]]]);
      // Coordinates as the server prints them on RESP2 (17 decimals), not JavaScript's shortest text.
      expect(resp3.geopos).to.deep.equal([['13.36138933897018433', '38.11555639549629859'], null]);
      const [first] = resp3.geosearchWithAll as [unknown[]];
      expect(first).to.deep.equal(['a', '0.0000', 3479099956230698, ['13.36138933897018433', '38.11555639549629859']]);
    });
  });

  describe('scores on a RESP3 pool: the text the same server sends on RESP2', () => {
    const ctx = withServer();
    // Awkward doubles: %.17g (Redis < 7.2) prints 0.1 as 0.10000000000000001, 1e-7 with a
    // padded exponent, 2251799813685246.25 rounded half to even; -0 keeps its sign.
    const SCORES = [
      '0.1', String(1 / 3), '1e-7', '1e21', '+inf', '-inf', '3', '-42', '1e16', '123456789012345678',
      '2251799813685246.25', '5e-324', '-0', '0.30000000000000004', '1.7976931348623157e308',
    ];
    const members = SCORES.map((_, i) => `m${i}`);

    it('ZSCORE, ZMSCORE, ZRANGE WITHSCORES, ZINCRBY, ZADD INCR, ZPOPMIN, a pipeline and a multi (ioredis), sendCommand (node-redis)', async () => {
      const port = { port: ctx.server.port };
      await rawCommands(port, [['DEL', 'zs', 'zi', 'za', 'zp'], ['ZADD', 'zs', ...SCORES.flatMap((s, i) => [s, members[i]!])]]);
      const raw = await rawCommands(port, [
        ...members.map((m) => ['ZSCORE', 'zs', m]),
        ['ZMSCORE', 'zs', ...members],
        ['ZRANGE', 'zs', '0', '-1', 'WITHSCORES'],
      ]);
      const rawScores = raw.slice(0, members.length) as string[];
      // The server's own RESP2 text, as this test expects it of Redis 7.0 (%.17g).
      expect(rawScores.slice(0, 3)).to.deep.equal(['0.10000000000000001', '0.33333333333333331', '9.9999999999999995e-08']);

      const pool = createPool(ctx.server.url, { protocol: 3, size: 2 });
      const io = ioredisCompat(pool);
      const nr = await nodeRedisCompat(pool).connect();
      try {
        const scores: unknown[] = [];
        for (const m of members) scores.push(await io.zscore('zs', m));
        expect(scores).to.deep.equal(rawScores);
        expect(await io.zmscore('zs', ...members)).to.deep.equal(raw[members.length]);
        expect(await io.zrange('zs', 0, -1, 'WITHSCORES')).to.deep.equal(raw[members.length + 1]);
        // node-redis's zScore turns the text into a number, as node-redis does; its raw command keeps it.
        expect(await nr.sendCommand(['ZSCORE', 'zs', 'm0'])).to.equal(rawScores[0]);
        expect(await nr.sendCommand(['ZRANGE', 'zs', '0', '-1', 'WITHSCORES'])).to.deep.equal(raw[members.length + 1]);
        const batch = await io.pipeline().zscore('zs', 'm1').zrange('zs', 0, 2, 'WITHSCORES').exec();
        expect(batch).to.deep.equal([[null, rawScores[1]], [null, (raw[members.length + 1] as string[]).slice(0, 6)]]);
        expect(await io.multi().zscore('zs', 'm2').exec()).to.deep.equal([[null, rawScores[2]]]);
        // ...Buffer methods: the same text as a Buffer, as RESP2 sends it.
        expect(await io.zscoreBuffer('zs', 'm0')).to.deep.equal(Buffer.from(rawScores[0]!));
        expect(await io.pipeline().zscoreBuffer('zs', 'm1').exec()).to.deep.equal([[null, Buffer.from(rawScores[1]!)]]);

        // Commands that compute a double: run the same on RESP2 (raw) and RESP3 (compat).
        const twice = [['ZINCRBY', 'zi', '0.1', 'a'], ['ZINCRBY', 'zi', '0.2', 'a'], ['ZADD', 'za', 'INCR', '1e-7', 'a']];
        const rawComputed = await rawCommands(port, twice);
        await pool.command(['DEL', 'zi', 'za']);
        const computed = [await io.zincrby('zi', 0.1, 'a'), await io.zincrby('zi', 0.2, 'a'), await io.zadd('za', 'INCR', 1e-7, 'a')];
        expect(computed).to.deep.equal(rawComputed);
        expect(computed[1]).to.equal('0.30000000000000004');
        await rawCommands(port, [['ZADD', 'zp', '0.1', 'a', '1e21', 'b']]);
        const rawPopped = await rawCommands(port, [['ZPOPMIN', 'zp', '2']]);
        await rawCommands(port, [['ZADD', 'zp', '0.1', 'a', '1e21', 'b']]);
        expect(await io.zpopmin('zp', 2)).to.deep.equal(rawPopped[0]);
      } finally {
        io.disconnect();
        nr.destroy();
        await pool.close();
      }
    });
  });

  describe('scripts that call redis.setresp(3), on a RESP3 pool (the documented limit)', () => {
    const ctx = withServer();

    it('maps, sets and booleans as on RESP2; doubles and big numbers keep their RESP3 types', async () => {
      const replies: Record<number, unknown[]> = {};
      for (const protocol of [2, 3] as const) {
        const pool = createPool(ctx.server.url, { protocol, size: 1 });
        const io = ioredisCompat(pool);
        try {
          await pool.command(['DEL', 'lh', 'ls']);
          await pool.command(['HSET', 'lh', 'f', 'v']);
          await pool.command(['SADD', 'ls', 'm']);
          const lua = (body: string) => io.eval(`redis.setresp(3); ${body}`, 0);
          replies[protocol] = [
            await lua("return redis.call('HGETALL', 'lh')"),
            await lua("return redis.call('SMEMBERS', 'ls')"),
            await lua("return redis.call('EXISTS', 'lh') == 1"),
            await lua('return {double = 1.5}'),
            await lua("return {big_number = '123456789012345678901234567890'}"),
          ];
        } finally {
          io.disconnect();
          await pool.close();
        }
      }
      expect(replies[3]!.slice(0, 3)).to.deep.equal(replies[2]!.slice(0, 3));
      expect(replies[2]!.slice(0, 3)).to.deep.equal([['f', 'v'], ['m'], 1]);
      // RESP2 sends these as text; decoded from RESP3 they are a number and a bigint (README).
      expect(replies[2]!.slice(3)).to.deep.equal(['1.5', '123456789012345678901234567890']);
      expect(replies[3]!.slice(3)).to.deep.equal([1.5, 123456789012345678901234567890n]);
    });
  });

  describe('a pool created with returnBuffers: true', () => {
    let server: RedisServer;
    let pool: Pool<true>;
    before(async () => {
      server = await startRedis();
      pool = createPool(server.url, { returnBuffers: true });
    });
    after(async () => {
      await pool?.close();
      await server?.stop();
    });

    it('still answers the compat clients in text, and Buffers where they ask', async () => {
      const io = ioredisCompat(pool);
      const nr = nodeRedisCompat(pool);
      try {
        await io.set('k', 'v');
        expect(await io.get('k')).to.equal('v');
        expect(await io.getBuffer('k')).to.deep.equal(Buffer.from('v'));
        expect(await io.multi().get('k').exec()).to.deep.equal([[null, 'v']]);
        expect(await nr.get('k')).to.equal('v');
        expect(await nr.multi().get('k').exec()).to.deep.equal(['v']);
      } finally {
        io.disconnect();
        nr.destroy();
      }
    });
  });

  describe('a Cluster', () => {
    let redis: RedisCluster;
    let cluster: Cluster;
    let io: IoredisCompat;
    let nr: NodeRedisCompat;
    before(async () => {
      redis = await sharedCluster();
      cluster = createCluster({ nodes: [redis.urls[0]!] });
    });
    after(async () => {
      await cluster?.close();
    });
    beforeEach(async () => {
      await redis.flushAll();
      io = ioredisCompat(cluster);
      nr = nodeRedisCompat(cluster);
    });
    afterEach(() => {
      io.disconnect();
      nr.destroy();
    });

    it('routes each command by its key; a pipeline spans nodes, in order', async () => {
      const keys = Array.from({ length: 30 }, (_, i) => `key:${i}`);
      const set = io.pipeline();
      for (const k of keys) set.set(k, k.toUpperCase());
      expect((await set.exec()).every(([err, reply]) => err === null && reply === 'OK')).to.equal(true);
      const get = io.pipeline();
      for (const k of keys) get.get(k);
      expect((await get.exec()).map(([, reply]) => reply)).to.deep.equal(keys.map((k) => k.toUpperCase()));
      expect(await nr.mGet(keys.slice(0, 3))).to.deep.equal(['KEY:0', 'KEY:1', 'KEY:2']);
      expect(await io.client('SETNAME', 'worker-1')).to.equal('OK');
    });

    it('a defined script runs alone, in a pipeline and in a one-slot multi', async () => {
      io.defineCommand('incrTwice', { numberOfKeys: 1, lua: "redis.call('INCR', KEYS[1]); return redis.call('INCR', KEYS[1])" });
      expect(await io.incrTwice('{t}n')).to.equal(2);
      const piped = await io.pipeline().incrTwice('{t}n').incrTwice('other').exec();
      expect(piped).to.deep.equal([[null, 4], [null, 2]]);
      const multi = await io.multi().incrTwice('{t}n').get('{t}n').exec();
      expect(multi).to.deep.equal([[null, 6], [null, '6']]);
    });

    it('a multi across slots is refused (CROSSSLOT), nothing run', async () => {
      const error = await io.multi().set('a', '1').set('b', '2').exec().then(() => null, (err: Error) => err);
      expect(error).to.be.instanceOf(Error).with.property('code', 'CROSSSLOT');
      expect(await io.exists('a', 'b')).to.equal(0);
      const nrError = await nr.multi().set('a', '1').set('b', '2').exec().then(() => null, (err: Error) => err);
      expect(nrError).to.have.property('code', 'CROSSSLOT');
    });

    it('SCAN walks every primary: scanStream, node-redis scan cursors, scanIterator', async () => {
      const keys = Array.from({ length: 40 }, (_, i) => `scan:${i}`);
      await Promise.all(keys.map((k) => io.set(k, '1')));
      await io.set('other', '1');
      const streamed: string[] = [];
      for await (const page of io.scanStream({ match: 'scan:*', count: 7 })) {
        expect((page as string[]).length).to.be.within(1, 7);
        streamed.push(...(page as string[]));
      }
      expect(streamed.sort()).to.deep.equal([...keys].sort());

      const walked: string[] = [];
      let cursor = '0';
      do {
        const reply = (await nr.scan(cursor, { MATCH: 'scan:*', COUNT: 10 })) as { cursor: string; keys: string[] };
        walked.push(...reply.keys);
        cursor = reply.cursor;
      } while (cursor !== '0');
      expect(walked.sort()).to.deep.equal([...keys].sort());

      const iterated: string[] = [];
      for await (const page of nr.scanIterator({ MATCH: 'scan:*' })) iterated.push(...(page as string[]));
      expect(iterated.sort()).to.deep.equal([...keys].sort());

      const bad = await nr.scan('12345').then(() => null, (err: Error) => err);
      expect(bad).to.be.instanceOf(TypeError);
    });

    it('a RESP3 cluster answers in RESP2 shapes too', async () => {
      const resp3 = createCluster({ nodes: [redis.urls[0]!], protocol: 3 });
      const view = ioredisCompat(resp3);
      try {
        await view.zadd('{r}z', 1.5, 'a');
        await view.hset('{r}h', 'f', 'v');
        expect(await view.zscore('{r}z', 'a')).to.equal('1.5');
        expect(await view.call('HGETALL', '{r}h')).to.deep.equal(['f', 'v']);
        expect(await view.multi().zrange('{r}z', 0, -1, 'WITHSCORES').hgetall('{r}h').exec())
          .to.deep.equal([[null, ['a', '1.5']], [null, { f: 'v' }]]);
        const error = await view.call('NOSUCHCOMMAND').then(() => null, (err: Error) => err);
        expect(error).to.be.instanceOf(ReplyError);
      } finally {
        view.disconnect();
        await resp3.close();
      }
    });
  });
});
