import { once } from 'node:events';
import { expect } from 'chai';
import { createPool, type Pool } from '../../lib/index.js';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';

/** Calls of `command` the server has run since the last CONFIG RESETSTAT. */
async function calls(server: RedisServer, command: string): Promise<number> {
  const info = await server.cli('INFO', 'commandstats');
  const match = new RegExp(`cmdstat_${command.toLowerCase()}:calls=(\\d+)`).exec(info);
  return match ? Number(match[1]) : 0;
}

/** Resolves with the next invalidation push the pool receives (after the cache handled it). */
function nextInvalidation(pool: Pool): Promise<unknown[]> {
  return new Promise((resolve) => {
    const onPush = (frame: unknown[]) => {
      if (String(frame[0]) !== 'invalidate') return;
      pool.off('push', onPush);
      resolve(frame);
    };
    pool.on('push', onPush);
  });
}

describe('client-side cache against redis-server', () => {
  let server: RedisServer;
  let pool: Pool;
  const pools: Pool[] = [];
  const open = (options: Parameters<typeof createPool>[1] = {}): Pool => {
    const p = createPool(server.url, { protocol: 3, clientCache: true, ...options });
    pools.push(p);
    return p;
  };

  before(async () => {
    server = await startRedis();
  });
  after(async () => {
    await server.stop();
  });
  beforeEach(async () => {
    await server.cli('FLUSHALL');
    await server.cli('CONFIG', 'RESETSTAT');
    pool = open();
  });
  afterEach(async () => {
    await Promise.all(pools.splice(0).map((p) => p.close()));
  });

  it('refuses clientCache without RESP3 when the pool is created', () => {
    expect(() => createPool(server.url, { clientCache: true })).to.throw(TypeError, /protocol: 3/);
    expect(() => createPool(server.url, { protocol: 2, clientCache: { maxEntries: 10 } })).to.throw(TypeError);
    expect(() => createPool(server.url, { protocol: 3, clientCache: { maxEntriez: 10 } as never })).to.throw(TypeError, /maxEntriez/);
    expect(() => createPool(server.url, { protocol: 3, clientCache: { maxBytes: -1 } })).to.throw(RangeError);
    expect(createPool(server.url).clientCache.enabled).to.equal(false);
  });

  it('turns tracking on for every connection of the pool', async () => {
    await pool.command(['GET', 'k']);
    const info = await pool.command(['CLIENT', 'TRACKINGINFO']) as Map<string, unknown>;
    expect(info.get('flags')).to.deep.equal(new Set(['on']));
  });

  it('answers a second read from memory', async () => {
    await server.cli('SET', 'k', 'v1');
    expect(await pool.command(['GET', 'k'])).to.equal('v1');
    expect(await pool.command(['GET', 'k'])).to.equal('v1');
    expect(await pool.command(['get', 'k'])).to.equal('v1'); // its own entry, same invalidation
    expect(await calls(server, 'GET')).to.equal(2);
    expect(pool.clientCache.stats).to.include({ hits: 1, misses: 2, entries: 2 });
  });

  it('a write by another client invalidates: the next read after the push gets the new value', async () => {
    await server.cli('SET', 'k', 'v1');
    expect(await pool.command(['GET', 'k'])).to.equal('v1');
    expect(await pool.command(['GET', 'k'])).to.equal('v1');
    const pushed = nextInvalidation(pool);
    const sent = process.hrtime.bigint();
    await server.cli('SET', 'k', 'v2');
    const acked = process.hrtime.bigint();
    expect(await pushed).to.deep.equal(['invalidate', ['k']]);
    const arrived = process.hrtime.bigint();
    expect(await pool.command(['GET', 'k'])).to.equal('v2');
    expect(pool.clientCache.stats.invalidations).to.equal(1);
    const us = (a: bigint, b: bigint) => Number(b - a) / 1000;
    // The figure the README quotes; bounded loosely for a shared 2-core machine.
    console.log(`      invalidation lag: SET sent -> ack ${us(sent, acked).toFixed(0)} us, -> push ${us(sent, arrived).toFixed(0)} us`);
    expect(us(sent, arrived)).to.be.below(1_000_000);
  });

  it('reads its own writes at once: pool.command, pipeline and transaction', async () => {
    await pool.command(['SET', 'k', 'v1']);
    expect(await pool.command(['GET', 'k'])).to.equal('v1');
    await pool.command(['SET', 'k', 'v2']);
    expect(await pool.command(['GET', 'k'])).to.equal('v2');
    await pool.pipeline([['SET', 'k', 'v3'], ['INCR', 'n']]);
    expect(await pool.command(['GET', 'k'])).to.equal('v3');
    await pool.transaction([['SET', 'k', 'v4']]);
    expect(await pool.command(['GET', 'k'])).to.equal('v4');
    await pool.command(['DEL', 'k']);
    expect(await pool.command(['GET', 'k'])).to.equal(null);
  });

  it('FLUSHALL elsewhere (a null invalidation) drops everything', async () => {
    await server.cli('MSET', 'a', '1', 'b', '2');
    await pool.command(['GET', 'a']);
    await pool.command(['GET', 'b']);
    expect(pool.clientCache.stats.entries).to.equal(2);
    const pushed = nextInvalidation(pool);
    await server.cli('FLUSHALL');
    expect(await pushed).to.deep.equal(['invalidate', null]);
    expect(pool.clientCache.stats).to.include({ entries: 0, flushes: 1 });
    expect(await pool.command(['GET', 'a'])).to.equal(null);
  });

  it('concurrent misses for one key send one request, and every caller gets the value', async () => {
    await server.cli('SET', 'k', 'v');
    const replies = await Promise.all(Array.from({ length: 200 }, () => pool.command(['GET', 'k'])));
    expect(replies.every((r) => r === 'v')).to.equal(true);
    expect(await calls(server, 'GET')).to.equal(1);
    expect(pool.clientCache.stats).to.include({ misses: 200, coalesced: 199, hits: 0 });
    // Callers with their own timeout or signal do not join another's read.
    await pool.clientCache.clear();
    await Promise.all([pool.command(['GET', 'k']), pool.command(['GET', 'k'], { timeout: 5000 })]);
    expect(await calls(server, 'GET')).to.equal(3);
  });

  it('callers cannot corrupt cached replies: Maps, Sets, arrays, Buffers', async () => {
    await server.cli('HSET', 'h', 'a', '1');
    await server.cli('SADD', 's', 'x');
    await server.cli('RPUSH', 'l', 'p', 'q');
    await server.cli('SET', 'b', 'bytes');
    for (let round = 0; round < 2; round++) { // round 0: the miss's reply, round 1: a hit's
      const map = await pool.command(['HGETALL', 'h']) as Map<string, string>;
      map.set('a', 'evil').set('z', 'evil');
      const set = await pool.command(['SMEMBERS', 's']) as Set<string>;
      set.clear();
      const list = await pool.command(['LRANGE', 'l', 0, -1]) as string[];
      list.push('evil');
      list[0] = 'evil';
      const buf = await pool.command(['GET', 'b'], { returnBuffers: true }) as Buffer;
      buf.fill(0);
    }
    expect(await pool.command(['HGETALL', 'h'])).to.deep.equal(new Map([['a', '1']]));
    expect(await pool.command(['SMEMBERS', 's'])).to.deep.equal(new Set(['x']));
    expect(await pool.command(['LRANGE', 'l', 0, -1])).to.deep.equal(['p', 'q']);
    expect(await pool.command(['GET', 'b'], { returnBuffers: true })).to.deep.equal(Buffer.from('bytes'));
    expect(await pool.command(['GET', 'b'])).to.equal('bytes'); // strings are an entry of their own
    expect(await calls(server, 'HGETALL')).to.equal(1);
  });

  it('keeps within maxBytes under a stream of distinct large values, least recently used out first', async () => {
    const small = open({ clientCache: { maxBytes: 1 << 20, maxEntries: 1000 } });
    const value = 'v'.repeat(100 * 1024);
    for (let i = 0; i < 40; i++) await server.cli('SET', `big:${i}`, value);
    let most = 0;
    for (let i = 0; i < 40; i++) {
      expect(await small.command(['GET', `big:${i}`])).to.have.length(value.length);
      if (i >= 5) await small.command(['GET', 'big:0']); // keep big:0 recently used
      most = Math.max(most, small.clientCache.stats.bytes);
    }
    const stats = small.clientCache.stats;
    expect(most).to.be.at.most(1 << 20);
    expect(stats.entries).to.be.within(5, 10);
    expect(stats.evictions).to.equal(40 - stats.entries);
    await server.cli('CONFIG', 'RESETSTAT');
    await small.command(['GET', 'big:0']); // survived: used recently
    await small.command(['GET', 'big:1']); // evicted long ago
    expect(await calls(server, 'GET')).to.equal(1);
  });

  it('caches by entries too, and ttl bounds how long an entry is served', async () => {
    // A ttl of 250 ms, not 50: the read that must hit comes two round trips after the fill,
    // which a loaded host (a GC pause, a descheduled server) can stretch past 50 ms.
    const p = open({ clientCache: { maxEntries: 2, ttl: 250 } });
    for (const k of ['a', 'b', 'c']) await p.command(['GET', k]);
    expect(p.clientCache.stats).to.include({ entries: 2, evictions: 1 });
    await p.command(['GET', 'c']);
    expect(p.clientCache.stats.hits).to.equal(1);
    await new Promise((resolve) => setTimeout(resolve, 300)); // the ttl is what is under test
    await p.command(['GET', 'c']);
    expect(p.clientCache.stats).to.include({ hits: 1, expired: 1 });
  });

  it('pipelines and use() handles neither read nor fill the cache', async () => {
    await server.cli('SET', 'k', 'v1');
    expect(await pool.pipeline([['GET', 'k']])).to.deep.equal(['v1']);
    expect(await pool.use((c) => c.command(['GET', 'k']))).to.equal('v1');
    expect(pool.clientCache.stats).to.include({ hits: 0, misses: 0, entries: 0 });
    await pool.command(['GET', 'k']);
    expect(await pool.pipeline([['GET', 'k']])).to.deep.equal(['v1']);
    expect(pool.clientCache.stats).to.include({ hits: 0, misses: 1, entries: 1 });
    expect(await calls(server, 'GET')).to.equal(4);
  });

  it('never caches commands with side effects, time or randomness, nor error replies', async () => {
    await server.cli('SET', 'k', 'v', 'EX', '100');
    await server.cli('SADD', 's', 'a', 'b');
    for (let i = 0; i < 2; i++) {
      await pool.command(['TTL', 'k']);
      await pool.command(['SRANDMEMBER', 's']);
      await pool.command(['INCR', 'n']);
      await pool.command(['GET', 's']).catch(() => undefined); // WRONGTYPE
    }
    expect(pool.clientCache.stats.entries).to.equal(0);
    expect(await calls(server, 'TTL')).to.equal(2);
    expect(await calls(server, 'GET')).to.equal(2);
  });

  it('MGET is invalidated by a change to any of its keys', async () => {
    await server.cli('MSET', 'a', '1', 'b', '2');
    expect(await pool.command(['MGET', 'a', 'b'])).to.deep.equal(['1', '2']);
    const pushed = nextInvalidation(pool);
    await server.cli('SET', 'b', '3');
    await pushed;
    expect(await pool.command(['MGET', 'a', 'b'])).to.deep.equal(['1', '3']);
  });

  it("BCAST mode: keys under the prefixes are cached and invalidated, others are not cached", async () => {
    const bcast = open({ clientCache: { mode: 'bcast', prefixes: ['user:'] } });
    await server.cli('SET', 'user:1', 'ann');
    await server.cli('SET', 'other', 'x');
    for (let i = 0; i < 2; i++) {
      expect(await bcast.command(['GET', 'user:1'])).to.equal('ann');
      expect(await bcast.command(['GET', 'other'])).to.equal('x');
    }
    expect(bcast.clientCache.stats).to.include({ hits: 1, entries: 1 });
    const info = await bcast.command(['CLIENT', 'TRACKINGINFO']) as Map<string, unknown>;
    expect(info.get('flags')).to.deep.equal(new Set(['on', 'bcast']));
    const pushed = nextInvalidation(bcast);
    await server.cli('SET', 'user:1', 'bob');
    await pushed;
    expect(await bcast.command(['GET', 'user:1'])).to.equal('bob');
  });

  it('a restarted server: every entry is dropped before the next read is served', async () => {
    await server.cli('SET', 'k', 'v1');
    expect(await pool.command(['GET', 'k'])).to.equal('v1');
    const lost = once(pool, 'reconnecting');
    await server.kill();
    await lost;
    expect(pool.clientCache.stats.entries).to.equal(0);
    await server.restart();
    await server.cli('SET', 'k', 'v2');
    expect(await pool.command(['GET', 'k'])).to.equal('v2');
    const info = await pool.command(['CLIENT', 'TRACKINGINFO']) as Map<string, unknown>;
    expect(info.get('flags')).to.deep.equal(new Set(['on'])); // tracking again after the reconnect
  });
});
