import { expect } from 'chai';
import { once } from 'node:events';
import { ConnectionError, createPool, type Pool } from '../../lib/index.js';
import { reply, startScriptedServer } from '../helpers/fake-server.js';
import { freePort } from '../helpers/ports.js';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';
import { SentinelProcess, startSentinelSet, type SentinelSet } from '../helpers/sentinel-set.js';

/**
 * A scripted sentinel: names the node on `port()` (read at each ask) as the primary, or knows
 * no primary without `port`; confirms the pool's +switch-master subscription, then stays silent.
 */
function scriptedSentinel(port?: () => number): ReturnType<typeof startScriptedServer> {
  return startScriptedServer({
    SENTINEL: (args) => port !== undefined && args[0]!.toUpperCase() === 'GET-MASTER-ADDR-BY-NAME'
      ? reply.array([reply.bulk('127.0.0.1'), reply.bulk(String(port()))])
      : reply.array([]),
    SUBSCRIBE: (args) => Buffer.concat(args.map((channel, i) =>
      reply.array([reply.bulk('subscribe'), reply.bulk(channel), reply.int(i + 1)]))),
  });
}

describe('sentinel: discovery', function () {
  this.timeout(30_000);
  let set: SentinelSet;
  let plain: RedisServer;
  let lone: SentinelProcess;
  let deadPort: number;
  const pools: Pool[] = [];

  before(async () => {
    set = await startSentinelSet({ replicas: 2 });
    plain = await startRedis();
    // A sentinel that monitors nothing: it answers, but does not know 'mymaster'.
    lone = new SentinelProcess([]);
    await lone.start();
    deadPort = await freePort();
  });
  after(async () => {
    await Promise.all(set.sentinels.map((s) => s.kill()));
    await Promise.all(set.nodes.map((n) => n.stop()));
    await plain.stop();
    await lone.kill();
  });
  afterEach(async () => {
    await Promise.all(pools.splice(0).map((pool) => pool.close()));
  });

  function pool(nodes: unknown[], extra: Record<string, unknown> = {}): Pool {
    const p = createPool({ sentinel: { nodes: nodes as never, name: set.name }, name: 'respool-test', ...extra });
    pools.push(p);
    return p;
  }

  it('asks the first sentinel that answers, skipping dead, non-sentinel and unknown-name ones', async () => {
    const p = pool([
      { host: '127.0.0.1', port: deadPort },
      `127.0.0.1:${plain.port}`,
      `redis://127.0.0.1:${lone.port}`,
      ...set.sentinelNodes,
    ]);
    const discovered = once(p, 'discovered');
    await p.command(['SET', 'discovery', 'here']);
    const primary = await set.primary();
    expect((await discovered)[0]).to.deep.equal({ address: `127.0.0.1:${primary.port}` });
    expect(await primary.cli('GET', 'discovery')).to.equal('here');
    expect(await plain.cli('EXISTS', 'discovery')).to.equal('0');
  });

  it('rejects with one ConnectionError naming what each sentinel said when none can answer, at once', async () => {
    const p = pool([{ host: '127.0.0.1', port: deadPort }, `127.0.0.1:${plain.port}`, `127.0.0.1:${lone.port}`]);
    const started = Date.now();
    const err = await p.command(['GET', 'k']).then(() => null, (e: Error) => e);
    expect(err).to.be.instanceOf(ConnectionError);
    expect((err as ConnectionError).code).to.equal('ESENTINEL');
    const message = (err as Error).message;
    expect(message).to.include(`127.0.0.1:${deadPort}: connect ECONNREFUSED`);
    expect(message).to.match(new RegExp(`127\\.0\\.0\\.1:${plain.port}: ERR unknown command`));
    expect(message).to.match(new RegExp(`127\\.0\\.0\\.1:${lone.port}: .*No such master`));
    // Never a hang: each sentinel is asked once per round, failures come back within seconds.
    expect(Date.now() - started).to.be.below(5000);
    // Later commands fail fast with the same reason while no sentinel answers.
    const again = await p.command(['GET', 'k']).then(() => null, (e: Error) => e);
    expect((again as ConnectionError).code).to.equal('ESENTINEL');
  });

  it('does not trust a sentinel that names a replica: ROLE is checked, the next sentinel asked', async () => {
    const replica = (await set.replicas())[0]!;
    // A sentinel answering like one caught mid-failover: it still names the old primary.
    const stale = await startScriptedServer({
      SENTINEL: (args) => args[0]!.toUpperCase() === 'GET-MASTER-ADDR-BY-NAME'
        ? reply.array([reply.bulk('127.0.0.1'), reply.bulk(String(replica.port))])
        : reply.array([]),
    });
    try {
      const alone = pool([`127.0.0.1:${stale.port}`]);
      const err = await alone.command(['SET', 'k', 'v']).then(() => null, (e: Error) => e);
      expect((err as ConnectionError).code).to.equal('ESENTINEL');
      expect((err as Error).message).to.include(`named 127.0.0.1:${replica.port}, which failed its check`);
      expect((err as Error).message).to.include('replica, not a primary');

      const p = pool([`127.0.0.1:${stale.port}`, ...set.sentinelNodes]);
      await p.command(['SET', 'checked', '1']);
      const primary = await set.primary();
      expect(await primary.cli('GET', 'checked')).to.equal('1');
      expect(stale.commands.some((c) => c[0] === 'SENTINEL')).to.equal(true);
    } finally {
      await stale.close();
    }
  });

  it('skips a frozen sentinel (SIGSTOP: connects, never answers) within the probe timeout', async () => {
    const frozen = new SentinelProcess([]);
    await frozen.start();
    frozen.pause();
    try {
      const p = pool([`127.0.0.1:${frozen.port}`, ...set.sentinelNodes]);
      const started = Date.now();
      await p.command(['SET', 'after-frozen', '1']);
      expect(Date.now() - started).to.be.below(8000);
      expect(await (await set.primary()).cli('GET', 'after-frozen')).to.equal('1');
    } finally {
      await frozen.kill();
    }
  });

  // A node that passed its ROLE check, then stopped serving: demoted under the pool (writes say
  // READONLY), or restarted and still loading its dataset (a fake: a real server answers
  // LOADING only for the moments its load takes).
  const misplaced = [
    { code: 'READONLY', command: ['SET', 'k', 'first'], error: "READONLY You can't write against a read only replica." },
    { code: 'LOADING', command: ['GET', 'k'], error: 'LOADING Redis is loading the dataset in memory' },
  ];
  for (const { code, command, error } of misplaced) {
    it(`a ${code} reply makes the pool ask the sentinels again and move (the command itself is not retried)`, async () => {
      const primary = await set.primary();
      const node = await startScriptedServer({
        ROLE: reply.array([reply.bulk('master'), reply.int(0), reply.array([])]),
        [command[0]!]: reply.error(error),
      });
      let named = node.port;
      const sentinel = await scriptedSentinel(() => named);
      try {
        const p = pool([`127.0.0.1:${sentinel.port}`]);
        await p.command(['PING']);
        named = primary.port; // Sentinel has caught up with the failover
        const failover = new Promise<{ from: string; to: string }>((resolve) => p.once('failover', resolve));
        const started = Date.now();
        const err = await p.command(command).then(() => null, (e: Error) => e);
        expect((err as { code?: string }).code).to.equal(code);
        expect(await failover).to.deep.equal({ from: `127.0.0.1:${node.port}`, to: `127.0.0.1:${primary.port}` });
        // Prompted by the reply, not found by the periodic round (every 15 s).
        expect(Date.now() - started).to.be.below(7500);
        await p.command(['SET', 'k', 'second']);
        expect(await primary.cli('GET', 'k')).to.equal('second');
        expect(await p.command(['GET', 'k'])).to.equal('second');
        expect(node.commands.filter((c) => c[0] === command[0])).to.have.length(1);
      } finally {
        await sentinel.close();
        await node.close();
      }
    });
  }

  it('asks the sentinel that answered last first: one that does not know the name is not asked again', async () => {
    const stranger = await scriptedSentinel();
    const knowing = await scriptedSentinel(() => plain.port);
    const asked = (server: typeof stranger) =>
      server.commands.filter((c) => c[0]!.toUpperCase() === 'SENTINEL' && c[1]!.toUpperCase() === 'GET-MASTER-ADDR-BY-NAME').length;
    try {
      const p = pool([`127.0.0.1:${stranger.port}`, `127.0.0.1:${knowing.port}`]);
      await p.command(['PING']);
      expect([asked(stranger), asked(knowing)]).to.deep.equal([1, 1]);
      // Every data connection lost: the pool asks the sentinels again.
      await plain.cli('CLIENT', 'KILL', 'TYPE', 'normal');
      for (let i = 0; i < 2000 && asked(knowing) < 2; i++) await new Promise((r) => setTimeout(r, 5));
      expect(asked(knowing)).to.equal(2);
      expect(asked(stranger)).to.equal(1);
      expect(await p.command(['PING'])).to.equal('PONG');
    } finally {
      await stranger.close();
      await knowing.close();
    }
  });

  it('watches +switch-master on two sentinels', async () => {
    const subscribed = async () => Promise.all(set.sentinels.map(async (s) =>
      String(await s.cli('CLIENT', 'LIST')).split('\n').filter((l) => / sub=1 /.test(l)).length));
    const before = await subscribed();
    const p = pool(set.sentinelNodes);
    await p.command(['PING']);
    let after = await subscribed();
    // Polled with a deadline of 10 s, not 200 rounds (2 s on a fast host): nothing in the pool
    // tells when a watcher's SUBSCRIBE has reached a sentinel.
    const deadline = Date.now() + 10_000;
    while (after.filter((n, i) => n > before[i]!).length < 2 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 10)); // the watchers connect after the first round
      after = await subscribed();
    }
    expect(after.filter((n, i) => n > before[i]!)).to.have.length(2);
  });

  it('serves command, pipeline, use, transaction, subscribe and scan unchanged', async () => {
    const p = pool(set.sentinelNodes);
    expect(await p.pipeline([['SET', 'a', 1], ['INCR', 'a']])).to.deep.equal(['OK', 2]);
    expect(await p.transaction([['INCR', 'a'], ['INCR', 'a']])).to.deep.equal([3, 4]);
    expect(await p.use(async (c) => {
      await c.command(['MULTI']);
      await c.command(['INCR', 'a']);
      return c.command(['EXEC']);
    })).to.deep.equal([5]);
    const got = new Promise((resolve) => void p.subscribe('news', (m) => resolve(m)).then(() =>
      p.command(['PUBLISH', 'news', 'hello'])));
    expect(await got).to.equal('hello');
    const keys: string[] = [];
    for await (const key of p.scan({ match: 'a' })) keys.push(key);
    expect(keys).to.deep.equal(['a']);
  });

  it('reads from the replicas with role: replica, connections spread over them; writes are refused', async () => {
    const primary = await set.primary();
    await primary.cli('SET', 'shared', 'x');
    await primary.cli('WAIT', 2, 2000);
    // minIdle opens four connections: each asks where to go, in turn over the replicas.
    const p = pool(set.sentinelNodes, { role: 'replica', minIdle: 4, size: 4 });
    expect(await p.command(['GET', 'shared'])).to.equal('x');
    while (p.stats.size < 4) await new Promise((r) => setTimeout(r, 10));
    await p.use(async (c) => c.command(['PING']));
    for (const replica of await set.replicas()) {
      let lines = 0;
      while (lines === 0) {
        lines = (await replica.cli('CLIENT', 'LIST')).split('\n').filter((l) => l.includes('name=respool-test')).length;
      }
      expect(lines).to.be.at.least(1);
    }
    expect(await primary.cli('CLIENT', 'LIST')).not.to.include('name=respool-test');
    const err = await p.command(['SET', 'k', 'v']).then(() => null, (e: Error) => e);
    expect((err as { code?: string }).code).to.equal('READONLY');
  });

  it('accepts the redis+sentinel:// URL form', async () => {
    const hosts = set.sentinelNodes.map((n) => `${n.host}:${n.port}`).join(',');
    const p = createPool(`redis+sentinel://${hosts}/${set.name}/2?name=respool-url`);
    pools.push(p);
    await p.command(['SET', 'url', 'db2']);
    const primary = await set.primary();
    expect(await primary.cli('CLIENT', 'LIST')).to.include('name=respool-url');
    expect(await p.command(['GET', 'url'])).to.equal('db2');
    expect(await primary.cli('GET', 'url')).to.equal('(nil)'); // db 0: the URL selected db 2
  });
});
