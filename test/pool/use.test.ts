import { expect } from 'chai';
import { createPool, RedisError, ReplyError, type Pool } from '../../lib/index.js';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';

/**
 * Connections the server accepted, not counting those of `cli()` itself (each call opens one):
 * a replaced pool connection raises it.
 */
async function connectionsReceived(server: RedisServer): Promise<number> {
  const info = await server.cli('INFO', 'stats');
  cliCalls++;
  return Number(/total_connections_received:(\d+)/.exec(info)![1]) - cliCalls;
}
let cliCalls = 0;

describe('pool.use', function () {
  let server: RedisServer;
  let pool: Pool;

  before(async function () {
    server = await startRedis();
  });
  beforeEach(async function () {
    pool = createPool({ port: server.port, size: 2 });
    await pool.command(['FLUSHALL']);
  });
  afterEach(async function () {
    await pool.close();
  });
  after(async function () {
    await server?.stop();
  });

  it('runs MULTI / INCR / EXEC on a handle and returns fn\'s value', async function () {
    const result = await pool.use(async (c) => {
      expect(await c.command(['MULTI'])).to.equal('OK');
      expect(await c.command(['INCR', 'n'])).to.equal('QUEUED');
      return c.command(['EXEC']);
    });
    expect(result).to.deep.equal([1]);
  });

  it('checks the handle in when fn returns a non-promise, throws, or rejects', async function () {
    const baseline = pool.stats;
    expect(await pool.use(() => 42)).to.equal(42);
    const thrown = await pool.use((c) => {
      void c;
      throw new Error('sync boom');
    }).catch((e: Error) => e.message);
    expect(thrown).to.equal('sync boom');
    const rejected = await pool.use(async (c) => {
      await c.command(['MULTI']);
      throw new Error('async boom');
    }).catch((e: Error) => e.message);
    expect(rejected).to.equal('async boom');
    expect(pool.stats.exclusive).to.equal(0);
    expect(pool.stats.waiting).to.equal(0);
    expect(pool.stats.size).to.be.at.most(2);
    expect(baseline.exclusive).to.equal(0);
    // The connection that held the open MULTI serves others normally.
    const all = await Promise.all(Array.from({ length: 20 }, () => pool.command(['INCR', 'after'])));
    expect(all).to.not.include('QUEUED');
  });

  it('a ReplyError inside fn does not cost the connection', async function () {
    await pool.command(['SET', 'str', 'x']);
    await pool.use(async (c) => {
      await c.command(['WATCH', 'str']); // exclusive lease
      const err = await c.command(['LPUSH', 'str', 'y']).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(ReplyError);
    });
    const before = await connectionsReceived(server);
    for (let i = 0; i < 5; i++) await pool.use((c) => c.command(['WATCH', 'str']));
    expect(await connectionsReceived(server)).to.equal(before);
  });

  it('resets an open MULTI, WATCH and SELECT before anyone else gets the connection', async function () {
    const solo = createPool({ port: server.port, size: 1 });
    await solo.use(async (c) => {
      await c.command(['SELECT', 5]);
      await c.command(['WATCH', 'w']);
      await c.command(['MULTI']);
      await c.command(['SET', 'left', 'behind']);
    });
    const next = await solo.use(async (c) => {
      await c.command(['WATCH', 'probe']); // forces the exclusive connection again
      const info = (await c.command(['CLIENT', 'INFO'])) as string;
      return { info, set: await c.command(['SET', 'fresh', 1]) };
    });
    expect(next.set).to.equal('OK');
    expect(next.info).to.match(/ db=0 /).and.match(/ multi=-1 /);
    expect(await solo.command(['EXISTS', 'left'])).to.equal(0);
    await solo.close();
  });

  it('replaces a connection left in a state that cannot be undone (CLIENT NO-EVICT)', async function () {
    const solo = createPool({ port: server.port, size: 1 });
    await solo.command(['PING']);
    const before = await connectionsReceived(server);
    await solo.use(async (c) => {
      await c.command(['CLIENT', 'NO-EVICT', 'on']);
    });
    expect(await solo.command(['PING'])).to.equal('PONG');
    const info = (await solo.command(['CLIENT', 'INFO'])) as string;
    expect(info).to.not.match(/flags=\S*e/);
    expect(await connectionsReceived(server)).to.equal(before + 1);
    await solo.close();
  });

  it('keeps a connection named with CLIENT SETNAME, renamed back to the pool\'s name', async function () {
    const solo = createPool({ port: server.port, size: 1, name: 'pool-name' });
    await solo.command(['PING']);
    const before = await connectionsReceived(server);
    await solo.use(async (c) => {
      await c.command(['CLIENT', 'SETNAME', 'dirty']);
    });
    const info = (await solo.command(['CLIENT', 'INFO'])) as string;
    expect(info).to.match(/ name=pool-name /);
    expect(await connectionsReceived(server)).to.equal(before);
    await solo.close();
  });

  it('runs one handle\'s commands in the order issued, without awaiting each', async function () {
    const order = await pool.use(async (c) => {
      const writes = [];
      for (let i = 0; i < 200; i++) writes.push(c.command(['RPUSH', 'order', i]));
      // A stateful command in the middle upgrades the handle; order must survive the move.
      writes.push(c.command(['WATCH', 'x']));
      for (let i = 200; i < 400; i++) writes.push(c.command(['RPUSH', 'order', i]));
      await Promise.all(writes);
      return c.command(['LRANGE', 'order', 0, -1]);
    });
    expect(order).to.deep.equal(Array.from({ length: 400 }, (_, i) => String(i)));
  });

  it('refuses a handle used after fn returned', async function () {
    let leaked: { command: (c: string[]) => Promise<unknown> } | undefined;
    await pool.use((c) => {
      leaked = c;
    });
    const err = await leaked!.command(['PING']).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(RedisError);
    expect((err as RedisError).code).to.equal('EUSAGE');
  });

  it('handle.pipeline keeps order and puts errors in place', async function () {
    const results = await pool.use((c) =>
      c.pipeline([['SET', 'hp', 'x'], ['INCR', 'hp'], ['GET', 'hp']]),
    );
    expect(results[0]).to.equal('OK');
    expect(results[1]).to.be.instanceOf(ReplyError);
    expect(results[2]).to.equal('x');
  });
});

describe('pool.use under concurrency (shared pipelines, exclusive upgrades)', function () {
  let server: RedisServer;
  let pool: Pool;

  before(async function () {
    server = await startRedis();
    pool = createPool({ port: server.port, size: 4 });
  });
  after(async function () {
    await pool?.close();
    await server?.stop();
  });

  it('nobody\'s command lands inside another caller\'s MULTI', async function () {
    await pool.command(['SET', 'plain', 'value']);
    const shared: Promise<unknown>[] = [];
    const transactions: Promise<unknown>[] = [];
    for (let round = 0; round < 50; round++) {
      transactions.push(pool.use(async (c) => {
        await c.command(['MULTI']);
        const queued = [c.command(['INCR', `tx${round}`]), c.command(['INCR', `tx${round}`])];
        // Others keep sending while this MULTI is open.
        for (let i = 0; i < 20; i++) shared.push(pool.command(['GET', 'plain']));
        await Promise.all(queued);
        return c.command(['EXEC']);
      }));
      for (let i = 0; i < 20; i++) shared.push(pool.use((c) => c.command(['GET', 'plain'])));
    }
    const execs = await Promise.all(transactions);
    expect(execs.every((r) => JSON.stringify(r) === '[1,2]')).to.equal(true);
    const values = await Promise.all(shared);
    expect(values.filter((v) => v !== 'value')).to.deep.equal([]);
  });

  it('a blocking command never stalls other callers', async function () {
    await pool.command(['DEL', 'queue']);
    const blocked = pool.command(['BLPOP', 'queue', 0]);
    const gets = await Promise.all(Array.from({ length: 1000 }, (_, i) => pool.command(['ECHO', i])));
    expect(gets[999]).to.equal('999');
    const inUse = await pool.use(async (c) => c.command(['ECHO', 'still served']));
    expect(inUse).to.equal('still served');
    await pool.command(['RPUSH', 'queue', 'job']);
    expect(await blocked).to.deep.equal(['queue', 'job']);
  });

  it('exclusive leases beyond the pool size wait, and shared traffic keeps flowing', async function () {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const holders = Array.from({ length: 6 }, (_, i) =>
      pool.use(async (c) => {
        await c.command(['WATCH', `h${i}`]);
        await gate;
        return c.command(['ECHO', `holder${i}`]);
      }),
    );
    // With size 4, at most 3 leases are out at once: one connection stays shared.
    const echoes = await Promise.all(Array.from({ length: 100 }, (_, i) => pool.command(['ECHO', i])));
    expect(echoes.length).to.equal(100);
    expect(pool.stats.exclusive).to.be.at.most(3);
    release();
    expect(await Promise.all(holders)).to.deep.equal(Array.from({ length: 6 }, (_, i) => `holder${i}`));
  });
});
