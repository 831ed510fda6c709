/**
 * Pub/sub on a cluster of its own (these tests move slots, fail over and kill nodes): classic
 * subscribe/psubscribe on one node, moving when that node dies; sharded ssubscribe on the
 * slot's primary, following migrations, failovers and a killed primary.
 */
import { expect } from 'chai';
import { createCluster, RedisError, type Cluster, type Subscription } from '../../lib/index.js';
import { keySlot } from '../../lib/cluster/slot.js';
import { failover, untilPrimary } from '../helpers/cluster-faults.js';
import { startCluster, type RedisCluster } from '../helpers/redis-cluster.js';
import type { RedisServer } from '../helpers/redis-server.js';

/** Messages as they arrive, and a way to await the next one matching. */
function inbox() {
  const got: string[] = [];
  const waiters: { want: string; resolve: () => void }[] = [];
  return {
    got,
    push(entry: string) {
      got.push(entry);
      for (let i = waiters.length - 1; i >= 0; i--) {
        if (waiters[i]!.want === entry) waiters.splice(i, 1)[0]!.resolve();
      }
    },
    next(want: string): Promise<void> {
      if (got.includes(want)) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ want, resolve }));
    },
  };
}

/** The next `event` of `emitter`. */
function next(emitter: NodeJS.EventEmitter, event: string): Promise<unknown[]> {
  return new Promise((resolve) => emitter.once(event, (...args: unknown[]) => resolve(args)));
}

/** The node whose clients include a subscriber (CLIENT LIST sub/psub/ssub > 0). */
async function subscriberNode(redis: RedisCluster): Promise<RedisServer[]> {
  const found: RedisServer[] = [];
  for (const server of redis.servers) {
    const list = await server.cli('CLIENT', 'LIST').catch(() => '');
    if (/ (sub|psub|ssub)=[1-9]/.test(list)) found.push(server);
  }
  return found;
}

/** Resolves once the only subscriber connection is on `port` (server state: polled). */
async function untilSubscribedOn(redis: RedisCluster, port: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  let where: number[] = [];
  while (Date.now() < deadline) {
    where = (await subscriberNode(redis)).map((s) => s.port);
    if (where.length === 1 && where[0] === port) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`the subscription is on ${where.join(', ') || 'no node'}, not ${port}`);
}


/** A live replica of the primary on `port` (gossip about replicas may lag: asked until known). */
async function replicaOf(redis: RedisCluster, port: number): Promise<RedisServer> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const nodes = await redis.nodes();
    const id = nodes.find((n) => n.port === port)!.id;
    const replica = nodes.find((n) => n.primaryId === id && !n.flags.includes('fail'));
    if (replica !== undefined) return redis.server(replica.port);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no live replica of ${port}`);
}

describe('cluster: pub/sub (classic and sharded) through moves, failovers and kills', function () {
  this.timeout(120_000);
  let redis: RedisCluster;
  let cluster: Cluster;
  let publisher: Cluster;

  before(async () => {
    redis = await startCluster({ nodeTimeout: 1000 });
  });
  after(async () => {
    await redis?.stop();
  });
  beforeEach(async () => {
    cluster = createCluster({ nodes: redis.urls });
    publisher = createCluster({ nodes: redis.urls });
    for (const c of [cluster, publisher]) c.on('error', () => {});
    await Promise.all([cluster.refresh(), publisher.refresh()]);
  });
  afterEach(async () => {
    await Promise.all([cluster.close(), publisher.close()]);
    for (const server of redis.servers) {
      if (!(await server.cli('PING').then(() => true, () => false))) await server.restart();
    }
    await redis.waitForOk(30_000);
  });

  it('subscribe and psubscribe hear PUBLISH sent to any node; unsubscribe stops them', async () => {
    const box = inbox();
    const sub = await cluster.subscribe('news', (m, ch) => box.push(`${ch}:${String(m)}`));
    const psub = await cluster.psubscribe('news.*', (m, ch, p) => box.push(`${p}|${ch}:${String(m)}`));
    // PUBLISH through every primary in turn: the cluster bus carries it to the subscriber's node.
    for (const primary of await redis.primaries()) {
      await primary.cli('PUBLISH', 'news', `via ${primary.port}`);
      await box.next(`news:via ${primary.port}`);
    }
    await publisher.command(['PUBLISH', 'news.eu', 'hello']);
    await box.next('news.*|news.eu:hello');
    expect((await subscriberNode(redis)).length).to.equal(1);
    await sub.unsubscribe();
    await psub.unsubscribe();
    expect(await subscriberNode(redis)).to.deep.equal([]);
  });

  it('classic subscriptions move to another node when theirs is killed', async () => {
    const box = inbox();
    const sub = await cluster.subscribe('alerts', (m) => box.push(String(m)));
    const psub = await cluster.psubscribe('alerts.*', (m, ch) => box.push(`${ch}:${String(m)}`));
    const [node] = await subscriberNode(redis);
    const restored = Promise.all([next(sub, 'restored'), next(psub, 'restored')]);
    const lost = next(sub, 'lost');
    await node!.kill();
    await lost;
    await restored;
    const now = await subscriberNode(redis);
    expect(now.map((s) => s.port)).to.have.length(1).and.not.include(node!.port);
    await publisher.command(['PUBLISH', 'alerts', 'after']);
    await publisher.command(['PUBLISH', 'alerts.fire', 'after']);
    await box.next('after');
    await box.next('alerts.fire:after');
  });

  it('ssubscribe listens on the slot owner; SPUBLISH arrives before and after a slot migration', async () => {
    const channel = '{room1}chat';
    const slot = keySlot(channel);
    const box = inbox();
    const sub = await cluster.ssubscribe([channel, '{room1}typing'], (m, ch) => box.push(`${ch}:${String(m)}`));
    const owner = await redis.ownerOf(slot);
    expect((await subscriberNode(redis)).map((s) => s.port)).to.deep.equal([owner.port]);
    expect(await publisher.command(['SPUBLISH', channel, 'one'])).to.equal(1);
    await box.next(`${channel}:one`);
    // Move the slot: the old owner ends the subscription (SUNSUBSCRIBE); it follows the slot.
    const to = (await redis.primaries()).find((p) => p.port !== owner.port)!;
    const restored = next(sub, 'restored');
    await redis.migrateSlot(slot, to.port);
    await restored;
    await untilSubscribedOn(redis, to.port);
    expect(await publisher.command(['SPUBLISH', channel, 'two'])).to.equal(1);
    expect(await publisher.command(['SPUBLISH', '{room1}typing', 'x'])).to.equal(1);
    await box.next(`${channel}:two`);
    await box.next('{room1}typing:x');
    expect(box.got.filter((m) => m === `${channel}:two`)).to.have.length(1);
  });

  it('ssubscribe follows a graceful failover and a killed primary', async () => {
    const channel = 'shard-news';
    const slot = keySlot(channel);
    const box = inbox();
    const sub = await cluster.ssubscribe(channel, (m) => box.push(String(m)));
    const owner = await redis.ownerOf(slot);
    const replica = await replicaOf(redis, owner.port);
    // Graceful: the replica takes over; the subscription moves to it.
    let restored = next(sub, 'restored');
    await failover(redis, replica.port);
    await restored;
    await publisher.command(['SPUBLISH', channel, 'after-failover']);
    await box.next('after-failover');
    // It may first land on the old primary (still serving the slot's messages as a replica)
    // while gossip spreads; it ends on the new primary.
    await untilSubscribedOn(redis, replica.port);
    // SIGKILL of the new primary: the old one (its replica now) is promoted; it moves there.
    restored = next(sub, 'restored');
    await replica.kill();
    await untilPrimary(redis, owner.port);
    await restored;
    await publisher.command(['SPUBLISH', channel, 'after-kill']);
    await box.next('after-kill');
    await untilSubscribedOn(redis, owner.port);
  });

  it('refuses ssubscribe channels in several slots (CROSSSLOT), nothing sent', async () => {
    const err = await cluster.ssubscribe(['a', 'b'], () => {}).catch((e: unknown) => e);
    expect(keySlot('a')).to.not.equal(keySlot('b'));
    expect(err).to.be.instanceOf(RedisError).with.property('code', 'CROSSSLOT');
    expect(await subscriberNode(redis)).to.deep.equal([]);
    const sub: Subscription = await cluster.ssubscribe('a', () => {});
    await sub.unsubscribe();
  });
});
