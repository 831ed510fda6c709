import { expect } from 'chai';
import { setTimeout as sleep } from 'node:timers/promises';
import { createPool, type Pool } from '../../lib/index.js';
import type { CacheEvictionMessage, CacheHitMessage } from '../../lib/diagnostics/channels.js';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';
import { recordChannel, type PointRecord } from './record.js';

describe('diagnostics channels: client-side cache', () => {
  let server: RedisServer;
  let pool: Pool;
  let hits: PointRecord<CacheHitMessage>;
  let evictions: PointRecord<CacheEvictionMessage>;

  before(async () => {
    server = await startRedis();
  });
  after(async () => {
    await server.stop();
  });
  beforeEach(async () => {
    await server.cli('FLUSHALL');
    hits = recordChannel('respool:cache:hit');
    evictions = recordChannel('respool:cache:eviction');
  });
  afterEach(async () => {
    hits.stop();
    evictions.stop();
    await pool?.close();
  });

  it('respool:cache:hit for a read answered from memory, with the command and its key', async () => {
    pool = createPool(server.url, { protocol: 3, clientCache: true });
    await server.cli('SET', 'k', 'v');
    await pool.command(['GET', 'k']);
    expect(hits.messages).to.deep.equal([]);
    await pool.command(['GET', 'k']);
    expect(hits.messages).to.deep.equal([{ 'db.operation.name': 'GET', key: 'k' }]);
  });

  it('respool:cache:eviction for invalidated, evicted and flushed entries', async () => {
    pool = createPool(server.url, { protocol: 3, clientCache: { maxEntries: 2 } });
    await pool.command(['GET', 'k']);
    await server.cli('SET', 'k', 'changed');
    expect(await evictions.first((m) => m.reason === 'invalidated')).to.deep.equal({ reason: 'invalidated', key: 'k', count: 1 });
    await pool.command(['GET', 'a']);
    await pool.command(['GET', 'b']);
    await pool.command(['GET', 'c']);
    expect(evictions.messages.filter((m) => m.reason === 'evicted')).to.deep.equal([{ reason: 'evicted', key: 'a', count: 1 }]);
    pool.clientCache.clear();
    expect(evictions.messages.filter((m) => m.reason === 'flushed')).to.deep.equal([{ reason: 'flushed', count: 2 }]);
  });

  it('respool:cache:eviction for an expired entry', async () => {
    pool = createPool(server.url, { protocol: 3, clientCache: { ttl: 5 } });
    await pool.command(['GET', 'k']);
    await sleep(20); // the ttl is time itself: there is no event to wait for
    await pool.command(['GET', 'k']);
    expect(evictions.messages).to.deep.equal([{ reason: 'expired', key: 'k', count: 1 }]);
  });
});
