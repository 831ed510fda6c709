import { expect } from 'chai';
import { once } from 'node:events';
import { createPool, PoolClosedError, ReplyError, type Pool } from '../../lib/index.js';
import { CLOSED_MESSAGE, nodeRedisCompat, type NodeRedisCompat } from '../../lib/compat/index.js';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';

describe('compat: nodeRedisCompat', () => {
  let server: RedisServer;
  let pool: Pool;
  let client: NodeRedisCompat;

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
    client = nodeRedisCompat(pool);
  });
  afterEach(() => client.destroy());

  it('SET takes node-redis options, old and new forms', async () => {
    expect(await client.set('a', 'v', { expiration: { type: 'EX', value: 60 } })).to.equal('OK');
    expect(Number(await server.cli('TTL', 'a'))).to.be.within(1, 60);
    expect(await client.set('b', 'v', { PX: 60_000, NX: true })).to.equal('OK');
    expect(await client.set('b', 'w', { condition: 'NX' })).to.equal(null);
    expect(await client.set('b', 'x', { expiration: 'KEEPTTL' })).to.equal('OK');
    expect(Number(await server.cli('PTTL', 'b'))).to.be.within(1, 60_000);
    expect(await client.set('b', 'y', { XX: true, GET: true })).to.equal('x');
    const err = await client.set('c', 'v', 'EX' as never).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(TypeError);
    expect(await server.cli('EXISTS', 'c')).to.equal('0');
  });

  it('keys, hashes, sorted sets and scripts with node-redis shapes', async () => {
    await client.mSet({ k1: '1', k2: '2' });
    expect(await client.mGet(['k1', 'k2', 'k3'])).to.deep.equal(['1', '2', null]);
    expect(await client.exists(['k1', 'k2', 'k3'])).to.equal(2);
    expect(await client.expire('k1', 100)).to.equal(1);
    expect(await client.del(['k1', 'k2'])).to.equal(2);
    expect(await client.hSet('h', { a: 1, b: 2 })).to.equal(2);
    expect(await client.hSet('h', 'c', '3')).to.equal(1);
    expect(await client.hGetAll('h')).to.deep.equal({ a: '1', b: '2', c: '3' });
    expect(await client.zAdd('z', [{ score: 1.5, value: 'm' }, { score: 2, value: 'n' }])).to.equal(2);
    expect(await client.zScore('z', 'm')).to.equal(1.5);
    expect(await client.zScore('z', 'none')).to.equal(null);
    expect(await client.eval('return {KEYS[1], ARGV[1]}', { keys: ['key'], arguments: ['arg'] })).to.deep.equal(['key', 'arg']);
    expect(await client.sendCommand(['ECHO', 'hi'])).to.equal('hi');
    const err = await client.sendCommand('PING' as never).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(TypeError);
  });

  it('scan answers { cursor, keys }; scanIterator yields arrays until the cursor is 0', async () => {
    for (let i = 0; i < 30; i++) await client.set(`s:${i}`, i);
    await client.set('other', 1);
    const first = await client.scan('0', { MATCH: 's:*', COUNT: 5 });
    expect(first.cursor).to.be.a('string');
    expect(first.keys).to.be.an('array');
    const seen = new Set<string>();
    let batches = 0;
    for await (const keys of client.scanIterator({ MATCH: 's:*', COUNT: 5 })) {
      batches++;
      for (const k of keys) seen.add(k);
    }
    expect(seen.size).to.equal(30);
    expect(batches).to.be.above(1);
  });

  it('multi().exec() is MULTI/EXEC with shaped replies; a failed command rejects it with its error', async () => {
    expect(await client.multi().set('m', '1').incr('m').hGetAll('none').exec()).to.deep.equal(['OK', 2, {}]);
    expect(await client.multi().get('m').addCommand(['ECHO', 'x']).execAsPipeline()).to.deep.equal(['2', 'x']);
    const err = await client.multi().set('s', 'v').lPush('s', 'x').get('s').exec().catch((e: unknown) => e);
    expect(err).to.be.instanceOf(ReplyError);
    expect((err as ReplyError).code).to.equal('WRONGTYPE');
    expect((err as unknown as { replies: unknown[] }).replies).to.have.length(3);
    expect(await client.multi().exec()).to.deep.equal([]);
  });

  it('isOpen/isReady, connect() resolving to the client, close() and reopening; the pool stays open', async () => {
    expect(client.isOpen).to.equal(true);
    expect(await client.connect()).to.equal(client);
    expect(client.isReady).to.equal(true);
    const ended = once(client, 'end');
    await client.close();
    await ended;
    expect([client.isOpen, client.isReady]).to.deep.equal([false, false]);
    const err = await client.get('k').catch((e: unknown) => e);
    expect(err).to.be.instanceOf(PoolClosedError);
    expect((err as Error).message).to.equal(CLOSED_MESSAGE);
    await client.connect();
    expect(await client.ping()).to.equal('PONG');
    expect(client.duplicate().options.url).to.equal(`redis://127.0.0.1:${server.port}/0`);
  });

  it('options.url never carries the password', async () => {
    const secret = createPool({ port: server.port, password: 'hunter2', username: 'u' });
    const c = nodeRedisCompat(secret);
    expect(c.options.url).to.not.include('hunter2');
    c.destroy();
    await secret.close();
  });
});
