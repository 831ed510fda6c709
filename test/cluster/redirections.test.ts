/**
 * MOVED, ASK and live resharding against a real cluster of its own (these tests move slots).
 */
import { expect } from 'chai';
import { ConnectionError, createCluster, type Cluster } from '../../lib/index.js';
import type { RedirectionEvent } from '../../lib/cluster/sender.js';
import { keySlot } from '../../lib/cluster/slot.js';
import { startCluster, type RedisCluster } from '../helpers/redis-cluster.js';

/** Total calls of a command on every node, from INFO commandstats. */
async function calls(redis: RedisCluster, stat: string): Promise<number> {
  let total = 0;
  for (const server of redis.servers) {
    const info = await server.cli('INFO', 'commandstats');
    const match = new RegExp(`cmdstat_${stat.replace('|', '\\|')}:calls=(\\d+)`).exec(info);
    total += Number(match?.[1] ?? 0);
  }
  return total;
}

/** A primary other than the one serving `slot`. */
async function otherPrimary(redis: RedisCluster, slot: number): Promise<number> {
  const owner = await redis.ownerOf(slot);
  return (await redis.primaries()).find((s) => s.port !== owner.port)!.port;
}

/**
 * Runs `callers` callers, each looping `step(key, n, wrong)` on its own key (`n`: its count so
 * far; `step` returns the new count and notes replies that were not the caller's in `wrong`),
 * while a third of their slots move, one key per MIGRATE so moves overlap the traffic. A
 * caller stops at its first error.
 */
async function reshardUnderLoad(
  redis: RedisCluster,
  callers: number,
  prefix: string,
  step: (key: string, n: number, wrong: string[]) => Promise<number>,
): Promise<{ keys: string[]; errors: unknown[]; wrong: string[]; done: number }> {
  const keys = Array.from({ length: callers }, (_, i) => `${prefix}:${i}`);
  const slots = [...new Set(keys.map(keySlot))];
  let running = true;
  const errors: unknown[] = [];
  const wrong: string[] = [];
  let done = 0;
  const loop = async (key: string) => {
    for (let n = 0; running;) {
      try {
        n = await step(key, n, wrong);
        done++;
      } catch (err) {
        errors.push(err);
        return;
      }
    }
  };
  const loops = keys.map(loop);
  const primaries = await redis.primaries();
  for (const slot of slots.slice(0, Math.ceil(slots.length / 3))) {
    const owner = await redis.ownerOf(slot);
    await redis.migrateSlot(slot, primaries.find((p) => p.port !== owner.port)!.port, { batch: 1 });
  }
  running = false;
  await Promise.all(loops);
  return { keys, errors, wrong, done };
}

describe('cluster: redirections and live resharding', function () {
  this.timeout(120_000);
  let redis: RedisCluster;
  let cluster: Cluster;

  before(async () => {
    redis = await startCluster();
  });
  after(async () => {
    await redis?.stop();
  });
  beforeEach(async () => {
    await redis.flushAll();
    cluster = createCluster({ nodes: redis.urls, refreshInterval: 0 });
    await cluster.refresh();
  });
  afterEach(async () => {
    await cluster.close();
  });

  it('follows MOVED to the new owner, patches the slot, and refreshes once for 200 callers', async () => {
    const key = 'moved:key';
    const slot = keySlot(key);
    await cluster.command(['SET', key, 'v']);
    const events: RedirectionEvent[] = [];
    cluster.on('redirection', (e: RedirectionEvent) => events.push(e));
    const target = await otherPrimary(redis, slot);
    await redis.migrateSlot(slot, target);
    const before = await calls(redis, 'cluster|shards');
    const replies = await Promise.all(Array.from({ length: 200 }, () => cluster.command(['GET', key])));
    expect(replies.every((r) => r === 'v')).to.equal(true);
    expect(events.length).to.be.greaterThan(0);
    expect(events[0]).to.include({ kind: 'moved', to: `127.0.0.1:${target}`, slot });
    // Single flight and a minimum interval: a couple of refreshes (each asks up to 5 nodes), not 200.
    const refreshes = (await calls(redis, 'cluster|shards')) - before;
    expect(refreshes).to.be.at.most(12);
    expect(await cluster.command(['GET', key])).to.equal('v');
    expect(events.length).to.be.at.most(200);
  });

  it('follows ASK with ASKING for a key already moved mid-migration', async () => {
    const key = 'ask:key';
    const slot = keySlot(key);
    await cluster.command(['SET', key, 'moved-value']);
    await cluster.command(['SET', `{${key}}stays`, 'x']);
    const from = await redis.ownerOf(slot);
    const to = await otherPrimary(redis, slot);
    const [fromId, toId] = [await redis.idOf(from.port), await redis.idOf(to)];
    await redis.server(to).cli('CLUSTER', 'SETSLOT', slot, 'IMPORTING', fromId);
    await from.cli('CLUSTER', 'SETSLOT', slot, 'MIGRATING', toId);
    await from.cli('MIGRATE', '127.0.0.1', to, key, 0, 5000);
    const events: RedirectionEvent[] = [];
    cluster.on('redirection', (e: RedirectionEvent) => events.push(e));
    expect(await cluster.command(['GET', key])).to.equal('moved-value');
    expect(events.map((e) => e.kind)).to.deep.equal(['ask']);
    // ASK is one-shot: the map still says the old owner, which serves the keys it still has.
    expect(await cluster.command(['GET', `{${key}}stays`])).to.equal('x');
    // A multi-key command over both halves gets TRYAGAIN, and is retried until the move ends.
    const mget = cluster.command(['MGET', key, `{${key}}stays`]);
    await from.cli('MIGRATE', '127.0.0.1', to, `{${key}}stays`, 0, 5000);
    for (const server of [redis.server(to), from, ...await redis.primaries()]) {
      await server.cli('CLUSTER', 'SETSLOT', slot, 'NODE', toId);
    }
    expect(await mget).to.deep.equal(['moved-value', 'x']);
  });

  it('a shared use() handle whose slot moved follows MOVED; an exclusive one keeps its connection', async () => {
    const key = 'use:moved';
    const slot = keySlot(key);
    await cluster.command(['SET', key, 'v']);
    const target = await otherPrimary(redis, slot);
    const got = await cluster.use(async (handle) => {
      await handle.command(['GET', key]); // binds the handle to the old owner
      await redis.migrateSlot(slot, target);
      // The map still names the old owner (refreshInterval 0), so these go there and get MOVED;
      // sent again in the order issued, the GET sees the SET before it.
      const [, read] = await Promise.all([handle.command(['SET', key, 'w']), handle.command(['GET', key])]);
      return read;
    });
    expect(got).to.equal('w');
    const other = 'use:moved:exclusive';
    const otherSlot = keySlot(other);
    await cluster.command(['SET', other, '1']);
    const back = await otherPrimary(redis, otherSlot);
    const err = await cluster.use(async (handle) => {
      await handle.command(['WATCH', other]); // exclusive: a connection of its own on the old owner
      await redis.migrateSlot(otherSlot, back);
      return handle.command(['GET', other]);
    }).catch((e: unknown) => e);
    expect(err).to.have.property('code', 'MOVED');
  });

  describe('use() handles follow refusals that prove nothing ran, as cluster.command does', () => {
    it("a handle's pipeline: refused commands are sent again in input order, replies in place", async () => {
      const key = 'use:pipeline';
      const slot = keySlot(key);
      await cluster.command(['SET', key, '0']);
      const target = await otherPrimary(redis, slot);
      const events: RedirectionEvent[] = [];
      cluster.on('redirection', (e: RedirectionEvent) => events.push(e));
      const replies = await cluster.use(async (handle) => {
        await handle.command(['GET', key]); // binds the handle to the old owner
        await redis.migrateSlot(slot, target);
        // The stale map sends all to the old owner: the INCRs get MOVED, PING runs there.
        return handle.pipeline([['INCR', key], ['PING'], ['INCR', key], ['GET', key]]);
      });
      expect(replies).to.deep.equal([1, 'PONG', 2, '2']);
      expect(events.map((e) => e.kind)).to.include('moved');
      expect(await redis.server(target).cli('GET', key)).to.equal('2');
    });

    it("a handle's transaction refused while queueing (MOVED: EXECABORT, nothing ran) runs on the new owner", async () => {
      const key = 'use:transaction';
      const slot = keySlot(key);
      await cluster.command(['SET', key, '10']);
      const target = await otherPrimary(redis, slot);
      const result = await cluster.use(async (handle) => {
        await handle.command(['GET', key]);
        await redis.migrateSlot(slot, target);
        return handle.transaction([['INCR', key], ['INCR', key]]);
      });
      expect(result).to.deep.equal([11, 12]);
      expect(await redis.server(target).cli('GET', key)).to.equal('12');
    });

    it('a handle exclusive only for a blocking command still follows; one in WATCH does not re-run', async () => {
      const list = 'use:blocking';
      const slot = keySlot(list);
      const target = await otherPrimary(redis, slot);
      const popped = await cluster.use(async (handle) => {
        // BLPOP takes a connection of its own on the owner; an empty list times out: null.
        expect(await handle.command(['BLPOP', list, 0.05])).to.equal(null);
        expect(handle.exclusive).to.equal(true);
        await redis.migrateSlot(slot, target);
        expect(await handle.command(['RPUSH', list, 'x'])).to.equal(1);
        return handle.command(['BLPOP', list, 5]);
      });
      expect(popped).to.deep.equal([list, 'x']);
      const watched = 'use:watched';
      const watchedSlot = keySlot(watched);
      await cluster.command(['SET', watched, '1']);
      const away = await otherPrimary(redis, watchedSlot);
      const outcome = await cluster.use(async (handle) => {
        await handle.watch(watched);
        await redis.migrateSlot(watchedSlot, away);
        return handle.transaction([['INCR', watched]]).catch((e: unknown) => e);
      });
      // The WATCH was on the old owner: following would drop it, so the refusal is the caller's.
      expect(outcome).to.have.property('code', 'EXECABORT');
      expect(await redis.server(away).cli('GET', watched)).to.equal('1');
    });

    it('ASK mid-migration: a handle reads and writes keys already moved and keys not yet moved', async () => {
      const keys = Array.from({ length: 30 }, (_, i) => `{use:ask}${i}`);
      const slot = keySlot(keys[0]!);
      await cluster.pipeline(keys.map((k) => ['SET', k, k]));
      const target = await otherPrimary(redis, slot);
      const events: RedirectionEvent[] = [];
      cluster.on('redirection', (e: RedirectionEvent) => events.push(e));
      const seen: unknown[][] = [];
      await cluster.use(async (handle) => {
        await handle.command(['GET', keys[0]!]);
        await redis.migrateSlot(slot, target, {
          batch: 10,
          onBatch: async () => {
            seen.push(await handle.pipeline(keys.map((k) => ['GET', k])));
            seen.push([await handle.command(['GET', keys[0]!])]);
          },
        });
      });
      expect(seen.length).to.be.greaterThan(0);
      for (let b = 0; b < seen.length; b += 2) {
        expect(seen[b]).to.deep.equal(keys);
        expect(seen[b + 1]).to.deep.equal([keys[0]]);
      }
      expect(events.map((e) => e.kind)).to.include('ask');
    });

    it('a command that may have run (its connection lost after writing) is not sent again', async () => {
      const source = 'use:lost:src';
      const slot = keySlot(source);
      const owner = await redis.ownerOf(slot);
      const before = await calls(redis, 'blmove');
      const outcome = await cluster.use(async (handle) => {
        // BLMOVE blocks on an empty source: then the owner drops every normal connection.
        const blocked = handle.command(['BLMOVE', source, `{${source}}dst`, 'LEFT', 'RIGHT', 0]).catch((e: unknown) => e);
        while ((await owner.cli('CLIENT', 'LIST')).indexOf('cmd=blmove') === -1) await new Promise((r) => setImmediate(r));
        await owner.cli('CLIENT', 'KILL', 'TYPE', 'normal');
        return blocked;
      });
      expect(outcome).to.be.instanceOf(ConnectionError);
      expect((outcome as ConnectionError).unsent).to.equal(false);
      expect((await calls(redis, 'blmove')) - before).to.equal(1);
    });

    it('live resharding under 100 callers using handles (command, pipeline, transaction): zero errors', async () => {
      const callers = 100;
      const { errors, wrong, done } = await reshardUnderLoad(redis, callers, 'handle', (key, n, wrong) =>
        cluster.use(async (handle) => {
          const value = await handle.command(['INCR', key]);
          const [read] = await handle.pipeline([['GET', key]]);
          const [after] = (await handle.transaction([['INCR', key]]))!;
          if (value !== n + 1 || read !== String(n + 1) || after !== n + 2) {
            wrong.push(`${key}: INCR ${String(value)}, GET ${String(read)}, EXEC INCR ${String(after)}; expected ${n + 1}, ${n + 2}`);
          }
          return n + 2;
        }));
      expect(errors.map((e) => String(e)).slice(0, 3)).to.deep.equal([]);
      expect(wrong.slice(0, 3)).to.deep.equal([]);
      expect(done).to.be.greaterThan(callers);
    });
  });

  it('a pipeline whose slot moved sends the redirected commands again in input order', async () => {
    const key = 'pipeline:moved';
    const slot = keySlot(key);
    await cluster.command(['SET', key, '0']);
    await redis.migrateSlot(slot, await otherPrimary(redis, slot));
    // Every INCR gets MOVED from the old owner (the map is stale) and is sent again: in order,
    // the replies count up one by one.
    const replies = await cluster.pipeline(Array.from({ length: 100 }, () => ['INCR', key]));
    expect(replies).to.deep.equal(Array.from({ length: 100 }, (_, i) => i + 1));
  });

  it('fails with ETOOMANYREDIRECTS naming the last redirection when MOVED never ends', async () => {
    const capped = createCluster({ nodes: redis.urls, maxRedirections: 2, refreshInterval: 0, minRefreshInterval: 0 });
    try {
      await capped.refresh();
      // The owner says MIGRATING (ASK over there for a key it lacks), but the other side was
      // never told IMPORTING, so it answers MOVED back: a loop only the cap ends.
      const slot = keySlot('pingpong');
      const from = await redis.ownerOf(slot);
      const toId = await redis.idOf(await otherPrimary(redis, slot));
      await from.cli('CLUSTER', 'SETSLOT', slot, 'MIGRATING', toId);
      const err = await capped.command(['GET', 'pingpong']).catch((e: unknown) => e);
      await from.cli('CLUSTER', 'SETSLOT', slot, 'STABLE');
      expect(err).to.have.property('code', 'ETOOMANYREDIRECTS');
      expect((err as Error).message).to.match(/more than 2 times.*(MOVED|ASK)/);
    } finally {
      await capped.close();
    }
  });

  it('live resharding under 200 callers: zero errors, every reply its caller\'s own', async () => {
    const callers = 200;
    const { keys, errors, wrong, done } = await reshardUnderLoad(redis, callers, 'caller', async (key, n, wrong) => {
      const value = await cluster.command(['INCR', key]);
      if (value !== n + 1) wrong.push(`${key}: expected ${n + 1}, got ${String(value)}`);
      const [echo] = (await cluster.pipeline([['GET', key]])) as [unknown];
      if (echo !== String(n + 1)) wrong.push(`${key}: pipeline read ${String(echo)}, expected ${n + 1}`);
      return n + 1;
    });
    expect(errors.map((e) => String(e)).slice(0, 3)).to.deep.equal([]);
    expect(wrong.slice(0, 3)).to.deep.equal([]);
    expect(done).to.be.greaterThan(callers * 3);
    // Every key ended where the cluster says its slot lives, with its caller's last count.
    for (const key of keys.slice(0, 20)) {
      const owner = await redis.ownerOf(keySlot(key));
      expect(await owner.cli('EXISTS', key), key).to.equal('1');
    }
  });
});
