import { expect } from 'chai';
import { once } from 'node:events';
import { createCluster, createPool, RedisError, ReplyError, type Cluster } from '../../lib/index.js';
import { keySlot } from '../../lib/cluster/slot.js';
import { sharedCluster, type RedisCluster } from '../helpers/redis-cluster.js';
import { startRedis } from '../helpers/redis-server.js';
import { freePort } from '../helpers/ports.js';

/** Clients connected to a node, our own raw cli connection excluded. */
async function clientCount(server: { cli: (...a: (string | number)[]) => Promise<string> }): Promise<number> {
  const list = await server.cli('CLIENT', 'LIST');
  return list.split('\n').filter((l) => l.trim() !== '' && !l.includes('cmd=client|list')).length;
}

describe('cluster: commands, pipelines, transactions, use', function () {
  this.timeout(60_000);
  let redis: RedisCluster;
  let cluster: Cluster;

  before(async () => {
    redis = await sharedCluster();
  });
  beforeEach(async () => {
    await redis.flushAll();
    cluster = createCluster({ nodes: [redis.urls[0]!], size: 2 });
  });
  afterEach(async () => {
    await cluster.close();
  });

  it('routes each key to the primary serving its slot', async () => {
    const keys = Array.from({ length: 60 }, (_, i) => `key:${i}`);
    await Promise.all(keys.map((k) => cluster.command(['SET', k, `v-${k}`])));
    expect(await Promise.all(keys.map((k) => cluster.command(['GET', k])))).to.deep.equal(keys.map((k) => `v-${k}`));
    const owners = new Set<number>();
    for (const key of keys.slice(0, 12)) {
      const owner = await redis.ownerOf(keySlot(key));
      owners.add(owner.port);
      expect(await owner.cli('GET', key)).to.equal(`v-${key}`);
    }
    expect(owners.size).to.equal(3);
  });

  it("emits 'ready' and 'topology' with 3 primaries and 3 replicas", async () => {
    const fresh = createCluster({ nodes: redis.urls });
    try {
      const [ready] = await once(fresh, 'ready');
      expect(ready.primaries).to.have.length(3);
      expect(ready.replicas).to.have.length(3);
      const primaryPorts = (await redis.primaries()).map((s) => `127.0.0.1:${s.port}`).sort();
      expect([...ready.primaries].sort()).to.deep.equal(primaryPorts);
    } finally {
      await fresh.close();
    }
  });

  it('splits MGET, MSET, DEL, UNLINK, EXISTS, TOUCH across slots and merges in key order', async () => {
    const keys = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
    expect(new Set(keys.map(keySlot)).size).to.be.greaterThan(4);
    expect(await cluster.command(['MSET', ...keys.flatMap((k) => [k, `v${k}`])])).to.equal('OK');
    expect(await cluster.command(['MGET', 'h', 'a', 'missing', 'c'])).to.deep.equal(['vh', 'va', null, 'vc']);
    expect(await cluster.command(['EXISTS', 'a', 'b', 'nope', 'a'])).to.equal(3);
    expect(await cluster.command(['TOUCH', 'a', 'b', 'c'])).to.equal(3);
    expect(await cluster.command(['DEL', 'a', 'b', 'nope'])).to.equal(2);
    expect(await cluster.command(['UNLINK', 'c', 'd', 'e'])).to.equal(3);
    expect(await cluster.command(['MGET', 'a', 'f', 'g'])).to.deep.equal([null, 'vf', 'vg']);
  });

  it('refuses other commands with keys in several slots (CROSSSLOT) before sending anything', async () => {
    await cluster.command(['SADD', 'a', '1']);
    await cluster.command(['SADD', 'b', '2']);
    expect(keySlot('a')).to.not.equal(keySlot('b'));
    for (const command of [['SUNIONSTORE', 'dest', 'a', 'b'], ['RENAME', 'a', 'b'], ['MSETNX', 'x', '1', 'y', '2']]) {
      const err = await cluster.command(command).catch((e: unknown) => e);
      expect(err, command[0]).to.be.instanceOf(RedisError).and.not.instanceOf(ReplyError);
      expect((err as RedisError).code).to.equal('CROSSSLOT');
    }
    expect(await cluster.command(['EXISTS', 'dest', 'x', 'y'])).to.equal(0);
    expect(await cluster.command(['SUNION', '{t}a', '{t}b'])).to.deep.equal([]);
  });

  it('pipelines commands of any slots: replies in input order, errors in place', async () => {
    const commands = Array.from({ length: 300 }, (_, i) => ['SET', `p:${i}`, String(i)]);
    const replies = await cluster.pipeline([...commands, ['LPUSH', 'p:0', 'x'], ['GET', 'p:299'], ['MGET', 'p:1', 'p:2']]);
    expect(replies.slice(0, 300)).to.deep.equal(commands.map(() => 'OK'));
    expect(replies[300]).to.be.instanceOf(ReplyError).with.property('code', 'WRONGTYPE');
    expect(replies.slice(301)).to.deep.equal(['299', ['1', '2']]);
    expect(await cluster.command(['GET', 'p:150'])).to.equal('150');
  });

  it('runs a transaction on one slot, and refuses one across slots with nothing sent', async () => {
    expect(await cluster.transaction([['SET', '{u1}a', 1], ['INCR', '{u1}a'], ['INCR', '{u1}b']])).to.deep.equal(['OK', 2, 1]);
    const err = await cluster.transaction([['SET', 'a', 1], ['SET', 'b', 1]]).catch((e: unknown) => e);
    expect(err).to.have.property('code', 'CROSSSLOT');
    expect(await cluster.command(['EXISTS', 'a', 'b'])).to.equal(0);
  });

  it('binds a use() handle to the node of its first keyed command; MULTI/WATCH work there', async () => {
    const result = await cluster.use(async (c) => {
      expect(await c.command(['MULTI'])).to.equal('OK');
      await c.command(['INCR', '{u2}n']);
      await c.command(['INCR', '{u2}n']);
      const exec = await c.command(['EXEC']);
      const owner = await redis.ownerOf(keySlot('{u2}n'));
      expect(c.address).to.equal(`127.0.0.1:${owner.port}`);
      return exec;
    });
    expect(result).to.deep.equal([1, 2]);
    const watched = await cluster.use(async (c) => {
      await c.watch('{u2}n');
      const n = Number(await c.command(['GET', '{u2}n']));
      await redis.ownerOf(keySlot('{u2}n')).then((s) => s.cli('SET', '{u2}n', '100'));
      return c.transaction([['SET', '{u2}n', n + 1]]);
    });
    expect(watched).to.equal(null);
    expect(await cluster.command(['GET', '{u2}n'])).to.equal('100');
  });

  it('a shared use() handle sends keys of other nodes through the cluster; an exclusive one refuses them', async () => {
    const home = (await redis.ownerOf(keySlot('{u3}x'))).port;
    let other = '';
    for (const k of ['a', 'b', 'c', 'd', 'e', 'f', 'g']) {
      if ((await redis.ownerOf(keySlot(k))).port !== home) other = k;
    }
    expect(other).to.not.equal('');
    await cluster.use(async (c) => {
      await c.command(['SET', '{u3}x', '1']);
      expect(await c.command(['SET', other, '2'])).to.equal('OK');
      await c.command(['MULTI']);
      const err = await c.command(['SET', other, '3']).catch((e: unknown) => e);
      expect(err).to.have.property('code', 'CROSSSLOT');
      await c.command(['DISCARD']);
    });
    expect(await cluster.command(['GET', other])).to.equal('2');
  });

  it('runs scripts on the node of their keys (EVALSHA, EVAL on NOSCRIPT)', async () => {
    const script = cluster.script("return redis.call('INCRBY', KEYS[1], ARGV[1])");
    const keys = ['s1', 's2', 's3', 's4', 's5', 's6'];
    for (const key of keys) expect(await script.run([key], [5])).to.equal(5);
    for (const key of keys) expect(await script.run([key], [1])).to.equal(6);
  });

  it('scans every primary, each key once', async () => {
    const keys = Array.from({ length: 500 }, (_, i) => `scan:${i}`);
    await cluster.pipeline(keys.map((k) => ['SET', k, '1']));
    await cluster.command(['SET', 'other', '1']);
    const found: string[] = [];
    for await (const key of cluster.scan({ match: 'scan:*', count: 50 })) found.push(key);
    expect(found.sort()).to.deep.equal([...keys].sort());
  });

  it("gives each primary's pool for per-node work (nodes('primary'))", async () => {
    const primaries = await cluster.nodes('primary');
    expect(primaries).to.have.length(3);
    const ids = await Promise.all(primaries.map((p) => p.command(['CLUSTER', 'MYID'])));
    expect(new Set(ids).size).to.equal(3);
    await cluster.command(['SET', 'k', 'v']);
    await Promise.all(primaries.map((p) => p.command(['FLUSHALL'])));
    expect(await cluster.command(['GET', 'k'])).to.equal(null);
  });

  it('reports stats per node with its role', async () => {
    await Promise.all(['a', 'b', 'c', 'd'].map((k) => cluster.command(['GET', k])));
    const stats = cluster.stats;
    expect(stats.nodes.filter((n) => n.role === 'primary')).to.have.length(3);
    for (const node of stats.nodes) expect(node).to.include.keys('address', 'size', 'inFlight', 'shared');
  });

  it('closes every node pool: no connection left on any node; close() is idempotent', async () => {
    const before = await Promise.all(redis.servers.map(clientCount));
    const other = createCluster({ nodes: [redis.urls[1]!], readFrom: 'replica' });
    await Promise.all(['a', 'b', 'c', 'd', 'e'].map((k) => other.command(['GET', k])));
    await Promise.all([other.close(), other.close()]);
    const after = await Promise.all(redis.servers.map(clientCount));
    expect(after).to.deep.equal(before);
    expect(await other.command(['GET', 'a']).catch((e: unknown) => e)).to.have.property('code', 'ECLOSED');
  });
});

describe('cluster: seeds and bad input', function () {
  this.timeout(60_000);
  let redis: RedisCluster;
  before(async () => {
    redis = await sharedCluster();
  });

  it('works when some seeds are dead', async () => {
    const dead = await freePort();
    const cluster = createCluster({ nodes: [`redis://127.0.0.1:${dead}`, redis.urls[2]!] });
    try {
      expect(await cluster.command(['SET', 'seeded', '1'])).to.equal('OK');
    } finally {
      await cluster.close();
    }
  });

  it('names each seed and its error when none answers', async () => {
    const [a, b] = [await freePort(), await freePort()];
    const cluster = createCluster({ nodes: [`redis://127.0.0.1:${a}`, { host: '127.0.0.1', port: b }], acquireTimeout: 300 });
    try {
      const err = await cluster.command(['GET', 'k']).catch((e: unknown) => e);
      expect(err).to.have.property('code', 'ETOPOLOGY');
      expect((err as Error).message).to.include(`127.0.0.1:${a}`).and.include(`127.0.0.1:${b}`)
        .and.match(/ECONNREFUSED/);
    } finally {
      await cluster.close();
    }
  });

  it('says so when a seed is not a cluster node', async () => {
    const plain = await startRedis();
    const cluster = createCluster({ nodes: [plain.url], acquireTimeout: 300 });
    try {
      const err = await cluster.command(['GET', 'k']).catch((e: unknown) => e);
      expect(err).to.have.property('code', 'ETOPOLOGY');
      expect((err as Error).message).to.match(/not a cluster node/);
    } finally {
      await cluster.close();
      await plain.stop();
    }
  });

  it('rejects bad options before connecting', () => {
    expect(() => createCluster({ nodes: [] })).to.throw(TypeError, /nodes/);
    expect(() => createCluster({ nodes: ['redis://h:1'], sise: 2 } as never)).to.throw(TypeError, /sise.*size/);
    expect(() => createCluster({ nodes: ['redis://h:1'], db: 2 } as never)).to.throw(TypeError, /database 0/);
    expect(() => createCluster({ nodes: ['redis://h:1'], readFrom: 'any' as never })).to.throw(TypeError, /readFrom/);
    expect(() => createCluster({ nodes: ['redis://h:1'], maxRedirections: 0 })).to.throw(RangeError, /maxRedirections/);
    expect(() => createCluster({ nodes: [42 as never] })).to.throw(TypeError, /nodes\[0\]/);
  });

  it('refuses state-changing commands outside use()', async () => {
    const cluster = createCluster({ nodes: redis.urls });
    try {
      const err = await cluster.command(['MULTI']).catch((e: unknown) => e);
      expect(err).to.have.property('code', 'EUSAGE');
    } finally {
      await cluster.close();
    }
  });
});

void createPool;

describe('cluster: what is split (from the command table)', () => {
  it('splits multi_shard commands whose merge keeps their meaning, and nothing else', async () => {
    const { splitPolicy } = await import('../../lib/cluster/keys.js');
    const split = ['MGET', 'MSET', 'DEL', 'UNLINK', 'EXISTS', 'TOUCH'];
    for (const name of split) expect(splitPolicy([name, 'a', 'b']), name).to.not.equal(null);
    for (const name of ['MSETNX', 'SUNION', 'RENAME', 'SINTERSTORE', 'GET']) {
      expect(splitPolicy([name, 'a', 'b']), name).to.equal(null);
    }
    expect(splitPolicy(['DEL', 'a'])).to.deep.equal({ response: 'agg_sum' });
    expect(splitPolicy(['MGET', 'a'])).to.deep.equal({ response: undefined });
  });
});
