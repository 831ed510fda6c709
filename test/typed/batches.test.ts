import { expect } from 'chai';
import { ArgumentError, createCluster, createPool, ReplyError, type Cluster, type Pool } from '../../lib/index.js';
import { sharedCluster, type RedisCluster } from '../helpers/redis-cluster.js';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';

describe('typed batches: multi() and batch()', function () {
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
    await server.cli('CONFIG', 'RESETSTAT');
    pool = createPool(server.url, { protocol: 3 });
  });
  afterEach(async () => {
    await pool.close();
  });

  it('multi(): MULTI ... EXEC, replies typed and normalised in order', async () => {
    const chain = pool.multi().set('k', 'v').incr('n').hset('h', { a: '1' }).hgetall('h').zadd('z', 1, 'm').zrange('z', 0, -1, { WITHSCORES: true });
    expect(chain.length).to.equal(6);
    const [set, n, added, hash, zadded, range] = await chain.exec();
    expect([set, n, added, hash, zadded, range]).to.deep.equal(['OK', 1, 1, { a: '1' }, 1, [['m', 1]]]);
    const log = await server.cli('INFO', 'commandstats');
    expect(log).to.contain('cmdstat_multi:calls=1');
    expect(log).to.contain('cmdstat_exec:calls=1');
  });

  it('batch(): one pipeline, no MULTI', async () => {
    await pool.set('a', '1');
    const [a, b, all] = await pool.batch().get('a').get('b').mget('a', 'b').exec();
    expect([a, b, all]).to.deep.equal(['1', null, ['1', null]]);
    expect(await server.cli('INFO', 'commandstats')).not.to.contain('cmdstat_multi');
  });

  it('exec() rejects with the first failed command\'s error; the others ran', async () => {
    await pool.set('s', 'text');
    const err = await pool.multi().incr('n').lpush('s', 'x').incr('n').exec().then(() => null, (e: unknown) => e);
    expect(err).to.be.instanceOf(ReplyError);
    expect((err as ReplyError).code).to.equal('WRONGTYPE');
    expect(await pool.get('n')).to.equal('2');
  });

  it('a bad argument rejects exec() with ArgumentError, and nothing of the batch is sent', async () => {
    // @ts-expect-error EX takes a number
    const chain = pool.multi().incr('n').set('k', 'v', { EX: 'soon' }).incr('n');
    const err = await chain.exec().then(() => null, (e: unknown) => e);
    expect(err).to.be.instanceOf(ArgumentError);
    expect(await server.cli('EXISTS', 'n')).to.equal('0');
    const options = await pool.batch().get('k', { timeout: 5 }).exec().then(() => null, (e: unknown) => e);
    expect((options as Error).message).to.match(/pass them to exec\(\)/);
  });

  it('on a handle: multi() after WATCH resolves null when the key changed', async () => {
    const result = await pool.use(async (h) => {
      await h.watch('w');
      await server.cli('SET', 'w', 'changed');
      return h.multi().set('w', 'mine').exec();
    });
    expect(result).to.equal(null);
    expect(await pool.get('w')).to.equal('changed');
    const ok = await pool.use(async (h) => {
      await h.set('x', '1');
      return h.batch().get('x').incr('x').exec();
    });
    expect(ok).to.deep.equal(['1', 2]);
  });

  describe('on a cluster', function () {
    this.timeout(60_000);
    let redis: RedisCluster;
    let cluster: Cluster;
    before(async () => {
      redis = await sharedCluster();
    });
    beforeEach(async () => {
      await redis.flushAll();
      cluster = createCluster({ nodes: [redis.urls[0]!] });
    });
    afterEach(async () => {
      await cluster.close();
    });

    it('typed methods route by key; batch() splits by node; multi() runs in one slot', async () => {
      await cluster.set('a', '1');
      await cluster.set('b', '2', { EX: 100 });
      expect(await cluster.get('b')).to.equal('2');
      expect(await cluster.ttl('b')).to.be.within(1, 100);
      const [a, b, c] = await cluster.batch().get('a').get('b').incr('c').exec();
      expect([a, b, c]).to.deep.equal(['1', '2', 1]);
      const [n, h] = await cluster.multi().incr('{u}n').hgetall('{u}h').exec();
      expect([n, h]).to.deep.equal([1, {}]);
      const handled = await cluster.use((h) => h.multi().incr('{u}n').get('{u}n').exec());
      expect(handled).to.deep.equal([2, '2']);
    });
  });
});
