/**
 * Following failovers, against a real primary, replica and three sentinels (quorum 2,
 * down-after 1 s), all password-protected so the secrets are exercised on every path. One set
 * for the suite; each test leaves it healed (one primary, one linked replica).
 */
import { expect } from 'chai';
import { inspect } from 'node:util';
import { ConnectionError, createPool, type Pool, type PoolOptions, type RedisError } from '../../lib/index.js';
import type { RedisServer } from '../helpers/redis-server.js';
import { startSentinelSet, type SentinelSet } from '../helpers/sentinel-set.js';
import { recordChannel } from '../diagnostics/record.js';
import type { SentinelFailoverMessage } from '../../lib/diagnostics/channels.js';

const DATA_SECRET = 'data-pw-7f3a';
const SENTINEL_SECRET = 'sentinel-pw-91c2';
const CLIENT_NAME = 'respool-failover';

describe('sentinel: following failovers', function () {
  this.timeout(60_000);
  let set: SentinelSet;
  const pools: Pool[] = [];

  before(async () => {
    set = await startSentinelSet({
      nodeArgs: ['--requirepass', DATA_SECRET, '--masterauth', DATA_SECRET],
      sentinelConf: [`sentinel auth-pass mymaster ${DATA_SECRET}`],
      sentinelPassword: SENTINEL_SECRET,
    });
  });
  after(async () => {
    await Promise.all(set.sentinels.map((s) => s.kill()));
    await Promise.all(set.nodes.map((n) => n.stop()));
  });
  afterEach(async () => {
    await Promise.all(pools.splice(0).map((pool) => pool.close()));
    await set.heal();
  });

  function pool(extra: PoolOptions = {}, nodes = set.sentinelNodes): Pool {
    const p = createPool({
      sentinel: { nodes, name: set.name, password: SENTINEL_SECRET },
      password: DATA_SECRET,
      name: CLIENT_NAME,
      ...extra,
    });
    pools.push(p);
    return p;
  }

  /**
 * The next `event` of `emitter`. Not `events.once`: that rejects on an 'error' event, which a
 * pool emits for every lost connection once someone listens.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function next<T = any>(emitter: NodeJS.EventEmitter, event: string): Promise<T[]> {
  return new Promise((resolve) => emitter.once(event, (...args: T[]) => resolve(args)));
}

const address = (node: RedisServer) => `127.0.0.1:${node.port}`;
  const ourClients = async (node: RedisServer) =>
    (await node.cli('CLIENT', 'LIST')).split('\n').filter((line) => line.includes(`name=${CLIENT_NAME}`)).length;

  it('SIGKILL under 200 callers: in-flight commands reject with ConnectionError, later ones run on the new primary', async () => {
    const CALLERS = 200;
    const SPAN = 1_000_000;
    const p = pool();
    const old = await set.primary();
    // Each caller's key starts at its own offset: a reply meant for another caller would be
    // out of this caller's range, so a misattributed reply cannot pass unnoticed.
    await p.pipeline(Array.from({ length: CALLERS }, (_, i) => ['SET', `k:${i}`, i * SPAN]));
    await old.cli('WAIT', 1, 5000);
    const messages: string[] = [];
    const subscription = await p.subscribe('events', (m) => messages.push(m as string));
    const lost = next(subscription, 'lost');
    const restored = next(subscription, 'restored');
    const failover = next(p, 'failover');

    let stop = false;
    let killedAt = Infinity;
    let firstAfterKill = Infinity;
    const stats = Array.from({ length: CALLERS }, () => ({ ok: 0, okAfter: 0, maybeRan: 0, other: [] as Error[] }));
    const caller = async (i: number) => {
      const mine = stats[i]!;
      while (!stop) {
        const sentAt = Date.now();
        try {
          const value = (await p.command(['INCR', `k:${i}`])) as number;
          expect(value).to.be.within(i * SPAN + 1, (i + 1) * SPAN - 1);
          mine.ok++;
          if (sentAt >= killedAt) {
            mine.okAfter++;
            firstAfterKill = Math.min(firstAfterKill, Date.now() - killedAt);
          }
        } catch (err) {
          if (err instanceof ConnectionError && err.code === 'ECONNECTION') mine.maybeRan++;
          else if (mine.other.push(err as Error) > 3) stop = true;
          // A rejected promise resumes in a microtask: let timers and sockets run.
          await new Promise((r) => setImmediate(r));
        }
      }
    };
    const running = Array.from({ length: CALLERS }, (_, i) => caller(i));
    while (stats.reduce((n, s) => n + s.ok, 0) < CALLERS * 5) await new Promise((r) => setImmediate(r));

    killedAt = Date.now();
    await old.kill();
    const [{ from, to }] = await failover;
    expect(from).to.equal(address(old));
    const primary = await set.primary();
    expect(to).to.equal(address(primary));
    // Serving again: every caller gets replies from the new primary.
    while (!stop && stats.some((s) => s.okAfter < 3)) await new Promise((r) => setTimeout(r, 20));
    stop = true;
    await Promise.all(running);

    const unexpected = stats.flatMap((s) => s.other);
    expect(unexpected, unexpected.map((e) => `${e.name}: ${e.message}`).join('\n')).to.deep.equal([]);
    const maybeRan = stats.reduce((n, s) => n + s.maybeRan, 0);
    expect(maybeRan, 'commands in flight when the primary died').to.be.greaterThan(0);
    // Only what was in flight fails: one command per caller at most; the rest waited.
    expect(Math.max(...stats.map((s) => s.maybeRan))).to.equal(1);
    // Never re-sent: no counter went further than what its caller sent (acknowledged writes the
    // replica had not received yet may be lost: asynchronous replication, not ours to hide).
    const counters = await primary.cli('MGET', ...Array.from({ length: CALLERS }, (_, i) => `k:${i}`));
    (JSON.parse(counters) as string[]).forEach((value, i) => {
      expect(Number(value) - i * SPAN).to.be.at.most(stats[i]!.ok + stats[i]!.maybeRan);
    });
    expect(firstAfterKill).to.be.below(15_000);

    await lost;
    await restored;
    await p.command(['PUBLISH', 'events', 'after-failover']);
    while (!messages.includes('after-failover')) await new Promise((r) => setTimeout(r, 10));
    expect(await ourClients(primary)).to.be.greaterThan(0);
  });

  it('the old primary comes back (as a primary, then a replica): the pool never goes there', async () => {
    const p = pool();
    await p.command(['SET', 'before', '1']);
    const old = await set.primary();
    const failover = next(p, 'failover');
    await old.kill();
    const [{ to }] = (await failover) as [{ to: string }];
    expect(to).to.not.equal(address(old));
    // Back, empty, and claiming to be a primary (as a node restarted without its replicaof
    // line does until a sentinel reconfigures it): the sentinels still name the new one.
    await old.restart();
    await old.cli('REPLICAOF', 'NO', 'ONE');
    for (let i = 0; i < 50; i++) await p.command(['INCR', 'after']);
    expect(await ourClients(old)).to.equal(0);
    expect(await old.cli('EXISTS', 'after')).to.equal('0');
    // The node the pool moved to (the sentinel that announced +switch-master named it; the one
    // set.primary() asks first may still name the old primary for a moment: seen once).
    const primary = set.nodes.find((n) => address(n) === to)!;
    expect((JSON.parse(await primary.cli('ROLE')) as unknown[])[0]).to.equal('master');
    expect(await primary.cli('GET', 'after')).to.equal('50');
  });

  it('follows a manual SENTINEL FAILOVER: shared connections, a use() lease and the subscriber all move', async () => {
    const p = pool({ size: 4 });
    const old = await set.primary();
    const subscription = await p.subscribe('manual', () => undefined);
    const restored = next(subscription, 'restored');
    const failover = next(p, 'failover');
    // A lease in use across the failover: its connection is moved too (MULTI state is lost,
    // so EXEC fails, and nothing queued before the move runs on the new primary).
    let inMulti!: () => void;
    const queued = new Promise<void>((resolve) => (inMulti = resolve));
    const lease = p.use(async (c) => {
      await c.command(['MULTI']);
      await c.command(['INCR', 'in-multi']);
      inMulti();
      await failover;
      return c.command(['EXEC']).then(() => 'ran', (e: Error) => e);
    });
    await queued; // the lease holds a transaction under way when the failover starts
    const published = recordChannel<SentinelFailoverMessage>('respool:sentinel:failover');
    await set.failover();
    const [{ from, to }] = await failover;
    published.stop();
    expect(from).to.equal(address(old));
    // The same news on the diagnostics channel, without a secret.
    expect(published.messages).to.have.length(1);
    expect(published.messages[0]).to.deep.include({ masterName: set.name, from, to });
    expect(published.messages[0]!.sentinel).to.match(/^127\.0\.0\.1:\d+$/);
    expect(inspect(published.messages)).to.not.include(DATA_SECRET).and.not.include(SENTINEL_SECRET);
    expect(await lease).to.be.instanceOf(Error);
    await restored;
    await p.pipeline(Array.from({ length: 100 }, () => ['INCR', 'manual']));
    const primary = await set.primary();
    expect(to).to.equal(address(primary));
    expect(await primary.cli('GET', 'manual')).to.equal('100');
    expect(await primary.cli('EXISTS', 'in-multi')).to.equal('0');
    expect(await ourClients(old)).to.equal(0);
  });

  it('learns the other sentinels: given one, which then dies, it still follows a failover', async () => {
    const [first] = set.sentinels;
    const p = pool({}, [{ host: '127.0.0.1', port: first!.port }]);
    await p.command(['SET', 'k', 'v']);
    await first!.kill();
    const old = await set.primary();
    const failover = next(p, 'failover');
    await old.kill();
    await failover;
    await p.command(['SET', 'k', 'w']);
    expect(await (await set.primary()).cli('GET', 'k')).to.equal('w');
  });

  it('every sentinel down: keeps serving the primary, reports each round with bounded backoff, heals when they return', async () => {
    const p = pool({ reconnectMaxDelay: 500 });
    await p.command(['SET', 'k', 'v']);
    await Promise.all(set.sentinels.map((s) => s.kill()));
    const errors: { error: Error; delay: number }[] = [];
    p.on('discoveryError', (e) => errors.push(e));
    // A lost connection makes the pool ask the sentinels again.
    await (await set.primary().catch(() => set.nodes[0]!)).cli('CLIENT', 'KILL', 'TYPE', 'normal');
    while (errors.length < 3) await new Promise((r) => setTimeout(r, 20));
    expect(await p.command(['GET', 'k'])).to.equal('v');
    for (const { error, delay } of errors) {
      expect((error as ConnectionError).code).to.equal('ESENTINEL');
      expect(delay).to.be.at.most(500);
      for (const s of set.sentinels) expect(error.message).to.include(`127.0.0.1:${s.port}`);
      expect(error.message).not.to.include(SENTINEL_SECRET);
    }
    const discovered = next(p, 'discovered');
    await Promise.all(set.sentinels.map((s) => s.start()));
    const [{ address: found }] = await discovered;
    expect(found).to.equal(address(await set.primary()));
  });

  it('a frozen primary (SIGSTOP) is left: in-flight commands fail, the pool serves from the new primary', async () => {
    const p = pool({ healthCheckInterval: 300 });
    const old = await set.primary();
    await p.command(['SET', 'k', 'v']);
    const failover = next(p, 'failover');
    let switched = false;
    void failover.then(() => (switched = true));
    const started = Date.now();
    old.pause();
    const inFlight = p.command(['INCR', 'frozen']).then(() => null, (e: Error) => e);
    const err = await inFlight;
    expect(err).to.be.instanceOf(ConnectionError);
    // Found by the health check (2 x 300 ms of silence), before Sentinel's switch: an order,
    // which a slow host cannot upset (down-after alone is 1000 ms); and a bound on the health
    // check's own time (~1050 ms here with two CPU hogs beside it), with margin for a slow host.
    expect(switched, 'the failover came first').to.equal(false);
    expect(Date.now() - started).to.be.below(5000);
    await failover;
    expect(await p.command(['INCR', 'frozen'])).to.be.a('number');
    expect(inspect(err)).not.to.include(DATA_SECRET);
  });

  it('client-side cache: a failover drops what came from the old primary (issue 13)', async () => {
    // No health check: only the failover itself may drop what the frozen primary gave us.
    const p = pool({ protocol: 3, clientCache: true, healthCheckInterval: 0 });
    await p.command(['SET', 'cc:k', 'v1']);
    expect(await p.command(['GET', 'cc:k'])).to.equal('v1');
    expect(await p.command(['GET', 'cc:k'])).to.equal('v1');
    expect(p.clientCache.stats).to.include({ hits: 1, entries: 1 });
    const old = await set.primary();
    const failover = next(p, 'failover');
    // Frozen, the old primary can send no invalidation; the sentinels promote the replica.
    old.pause();
    try {
      await failover;
      const primary = await set.primary();
      await primary.cli('SET', 'cc:k', 'v2');
      expect(await p.command(['GET', 'cc:k'])).to.equal('v2');
      expect(p.clientCache.stats.hits).to.equal(1);
    } finally {
      old.resume();
    }
  });

  it('while the primary is down, new commands wait at most acquireTimeout, at most maxPending of them, then run on the new one', async () => {
    const p = pool({ size: 1, acquireTimeout: 500, maxPending: 5 });
    await p.command(['PING']);
    const old = await set.primary();
    const failover = next(p, 'failover');
    await old.kill();
    const started = Date.now();
    const results = await Promise.all(Array.from({ length: 20 }, () =>
      p.command(['INCR', 'during-failover']).then(() => 'ok', (e: RedisError) => e.code)));
    // Nothing waits forever or past its bound: refused as queue-full at once, or timed out.
    expect(Date.now() - started).to.be.below(500 + 2500);
    expect(results.filter((r) => r === 'EQUEUEFULL').length, results.join()).to.be.at.least(15);
    expect(results.every((r) => r === 'EQUEUEFULL' || r === 'ETIMEDOUT' || r === 'ok'), results.join()).to.equal(true);
    await failover;
    expect(await p.command(['INCR', 'during-failover'])).to.be.a('number');
  });

  it('role replica: reads spread over the replicas, follows them through a failover', async () => {
    const p = pool({ role: 'replica' });
    const primary = await set.primary();
    await primary.cli('SET', 'r', '1');
    await primary.cli('WAIT', 1, 5000);
    expect(await p.command(['GET', 'r'])).to.equal('1');
    const [replica] = await set.replicas();
    expect(await ourClients(replica!)).to.be.greaterThan(0);
    expect(await ourClients(primary)).to.equal(0);
    // The replica is promoted: the read pool must leave it for the new replica (the old primary).
    const switched = set.nextSwitch();
    await set.failover();
    await switched;
    await set.heal();
    while ((await ourClients(primary)) === 0) await p.command(['GET', 'r']).catch(() => undefined);
    expect(await p.command(['GET', 'r'])).to.equal('1');
    expect(await ourClients(replica!)).to.equal(0);
  });

  it('secrets never show: wrong sentinel password, wrong data password, inspect', async () => {
    const wrongSentinel = createPool({
      sentinel: { nodes: set.sentinelNodes, name: set.name, password: 'nope-sentinel-guess' },
      password: DATA_SECRET,
    });
    pools.push(wrongSentinel);
    const e1 = await wrongSentinel.command(['PING']).then(() => null, (e: Error) => e);
    expect((e1 as ConnectionError).code).to.equal('ESENTINEL');
    expect(e1!.message).to.match(/WRONGPASS|invalid password|invalid username-password/i);
    const wrongData = createPool({
      sentinel: { nodes: set.sentinelNodes, name: set.name, password: SENTINEL_SECRET },
      password: 'nope-data-guess',
    });
    pools.push(wrongData);
    const e2 = await wrongData.command(['PING']).then(() => null, (e: Error) => e);
    expect(e2).to.be.instanceOf(ConnectionError);
    for (const text of [inspect(e1), inspect(e2), inspect(wrongSentinel, { depth: 5 }), inspect(wrongData.options)]) {
      for (const secret of [SENTINEL_SECRET, DATA_SECRET, 'nope-sentinel-guess', 'nope-data-guess']) {
        expect(text).not.to.include(secret);
      }
    }
  });
});
