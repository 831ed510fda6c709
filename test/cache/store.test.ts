import { expect } from 'chai';
import { Store } from '../../lib/cache/store.js';
import { copyReply, sizeOf } from '../../lib/cache/copy.js';
import { CACHEABLE, isCacheable } from '../../lib/cache/cacheable.js';
import { isReadOnly, keyIndexes } from '../../lib/commands/info.js';
import { writtenKeys } from '../../lib/cache/writes.js';
import { ReplyError } from '../../lib/index.js';

describe('cache store (LRU by entries and bytes, ttl, key index)', () => {
  it('evicts the least recently used first, a hit counting as a use', () => {
    const store = new Store({ maxEntries: 3, maxBytes: 1 << 20, ttl: 0 });
    for (const k of ['a', 'b', 'c']) store.set(k, '', [k], k, sizeOf(k));
    expect(store.get('a', '')?.value).to.equal('a'); // a is now the newest
    store.set('d', '', ['d'], 'd', sizeOf('d'));
    expect(store.keys()).to.deep.equal(['c', 'a', 'd']);
    expect(store.get('b', '')).to.equal(undefined);
    expect(store.counters.evictions).to.equal(1);
  });

  it('stays within maxBytes, and refuses a value larger than maxBytes on its own', () => {
    const store = new Store({ maxEntries: 1000, maxBytes: 10_000, ttl: 0 });
    for (let i = 0; i < 100; i++) {
      const value = 'x'.repeat(3000);
      store.set(`k${i}`, '', [`k${i}`], value, sizeOf(value));
      expect(store.bytes).to.be.at.most(10_000);
    }
    expect(store.size).to.equal(3);
    expect(store.keys()).to.deep.equal(['k97', 'k98', 'k99']);
    const huge = 'y'.repeat(20_000);
    store.set('huge', '', ['huge'], huge, sizeOf(huge));
    expect(store.get('huge', '')).to.equal(undefined);
    expect(store.size).to.equal(3);
  });

  it('drops every entry that read an invalidated key, and only those', () => {
    const store = new Store({ maxEntries: 100, maxBytes: 1 << 20, ttl: 0 });
    store.set('GET a', '', ['a'], '1', 8);
    store.set('HGET h f', '', ['h'], '2', 8);
    store.set('HGET h g', '', ['h'], '3', 8);
    store.set('MGET a h', '', ['a', 'h'], ['1', null], 40);
    store.set('GET z', '', ['z'], '4', 8);
    expect(store.invalidate('h')).to.equal(3);
    expect(store.keys()).to.deep.equal(['GET a', 'GET z']);
    expect(store.invalidate('a')).to.equal(1);
    expect(store.invalidate('nothing')).to.equal(0);
    expect(store.keys()).to.deep.equal(['GET z']);
    expect(store.counters.invalidations).to.equal(4);
  });

  it('keeps the byte count exact through replace, evict, invalidate and clear', () => {
    const store = new Store({ maxEntries: 2, maxBytes: 1 << 20, ttl: 0 });
    store.set('a', '', ['a'], 'x', 10);
    const one = store.bytes;
    store.set('a', '', ['a'], 'y', 10); // replaced, not added
    expect(store.bytes).to.equal(one);
    store.set('b', '', ['b'], 'y', 10);
    store.set('c', '', ['c'], 'y', 10);
    expect(store.bytes).to.equal(2 * one);
    store.invalidate('c');
    expect(store.bytes).to.equal(one);
    expect(store.clear()).to.equal(1);
    expect(store.bytes).to.equal(0);
    expect(store.keys()).to.deep.equal([]);
  });

  it('drops an entry whose ttl ran out when it is next read', async () => {
    const store = new Store({ maxEntries: 10, maxBytes: 1 << 20, ttl: 30 });
    store.set('a', '', ['a'], 'x', 10);
    expect(store.get('a', '')?.value).to.equal('x');
    await new Promise((resolve) => setTimeout(resolve, 60)); // the ttl is what is under test
    expect(store.get('a', '')).to.equal(undefined);
    expect(store.counters.expired).to.equal(1);
    expect(store.size).to.equal(0);
  });
});

describe('cache copies and sizes', () => {
  it('shares immutable leaves and copies every container and Buffer', () => {
    const buf = Buffer.from('abc');
    const value = [new Map([['f', buf]]), new Set(['m']), ['x', 1, null]];
    const copy = copyReply(value) as typeof value;
    expect(copy).to.deep.equal(value);
    expect(copy).to.not.equal(value);
    expect(copy[0]).to.not.equal(value[0]);
    expect((copy[0] as Map<string, Buffer>).get('f')).to.not.equal(buf);
    expect(copy[1]).to.not.equal(value[1]);
    expect(copy[2]).to.not.equal(value[2]);
    expect(copyReply('s')).to.equal('s');
  });

  it('charges at least the UTF-8 length of strings, and refuses replies holding errors', () => {
    expect(sizeOf('é'.repeat(100))).to.be.at.least(200);
    expect(sizeOf(Buffer.alloc(1000))).to.be.at.least(1000);
    expect(sizeOf([new ReplyError('ERR x')])).to.equal(-1);
    expect(sizeOf(new Map([['a', new ReplyError('ERR x')]]))).to.equal(-1);
  });
});

describe('cacheable commands and written keys', () => {
  it('knows reads that depend only on their keys, and no clock or random command', () => {
    expect(isCacheable('GET')).to.equal(true);
    expect(isCacheable('get')).to.equal(true);
    for (const name of ['TTL', 'PTTL', 'RANDOMKEY', 'SRANDMEMBER', 'SET', 'EVAL', 'MULTI', 'INCR', 'SORT_RO']) {
      expect(isCacheable(name), name).to.equal(false);
    }
  });

  it('lists only commands the server calls read-only, each with its key first', () => {
    for (const name of CACHEABLE) {
      const command = [name, 'k', 'x', 'y', 'z'];
      expect(isReadOnly(command), name).to.equal(true);
      expect(keyIndexes(command)[0], name).to.equal(1);
    }
  });

  it('names the keys a write may change', () => {
    expect(writtenKeys(['SET', 'k', 'v'])).to.deep.equal(['k']);
    expect(writtenKeys(['DEL', 'a', 'b'])).to.deep.equal(['a', 'b']);
    expect(writtenKeys(['MSET', 'a', '1', 'b', '2'])).to.deep.equal(['a', 'b']);
    expect(writtenKeys(['EVAL', 'return 1', 2, 'x', 'y', 'arg'])).to.deep.equal(['x', 'y']);
    expect(writtenKeys(['FLUSHALL'])).to.equal('all');
    expect(writtenKeys(['GET', 'k'])).to.equal(null);
    expect(writtenKeys(['PING'])).to.equal(null);
    expect(writtenKeys(['SWAPDB', 0, 1])).to.equal('all');
    expect(writtenKeys(['TTL', 'k'])).to.equal(null);
  });
});
