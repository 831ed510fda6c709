import { once } from 'node:events';
import type { Socket } from 'node:net';
import { expect } from 'chai';
import { ConnectionError, createPool, type Pool } from '../../lib/index.js';
import { reply, startScriptedServer } from '../helpers/fake-server.js';
import { serverBehindProxy } from '../helpers/suite.js';

const invalidate = (...keys: string[]) =>
  reply.push([reply.bulk('invalidate'), reply.array(keys.map((k) => reply.bulk(k)))]);

function nextInvalidation(pool: Pool): Promise<void> {
  return new Promise((resolve) => {
    const onPush = (frame: unknown[]) => {
      if (String(frame[0]) !== 'invalidate') return;
      pool.off('push', onPush);
      resolve();
    };
    pool.on('push', onPush);
  });
}

describe('client-side cache: the in-flight race (scripted server)', () => {
  // What Redis does to a pool of several tracking connections (or to REDIRECT): the
  // invalidation for a key reaches us before the reply of a read of it that ran earlier.
  const pools: Pool[] = [];
  afterEach(async () => {
    await Promise.all(pools.splice(0).map((p) => p.close()));
  });
  const open = (url: string) => {
    const pool = createPool(url, { protocol: 3, clientCache: true });
    pools.push(pool);
    return pool;
  };

  it('an invalidation decoded before the reply: the reply goes to its caller but is not kept', async () => {
    let gets = 0;
    const server = await startScriptedServer({
      GET: () => (++gets === 1 ? Buffer.concat([invalidate('k'), reply.bulk('old')]) : reply.bulk('new')),
    });
    try {
      const pool = open(server.url);
      expect(await pool.command(['GET', 'k'])).to.equal('old');
      expect(pool.clientCache.stats.entries).to.equal(0);
      expect(await pool.command(['GET', 'k'])).to.equal('new');
      expect(gets).to.equal(2);
      expect(await pool.command(['GET', 'k'])).to.equal('new'); // this one was kept
      expect(gets).to.equal(2);
    } finally {
      await server.close();
    }
  });

  it('a reply held back while the invalidation arrives; later callers do not join the stale read', async () => {
    const held: Socket[] = [];
    const server = await startScriptedServer({
      GET: (_args, socket) => {
        held.push(socket); // answered by the test, in order
        return undefined;
      },
    });
    const getsSeen = async (n: number) => {
      while (held.length < n) await new Promise((resolve) => setImmediate(resolve));
    };
    try {
      const pool = open(server.url);
      const first = pool.command(['GET', 'k']);
      const joined = pool.command(['GET', 'k']); // single flight: joins the first
      await getsSeen(1);
      const pushed = nextInvalidation(pool);
      held[0]!.write(invalidate('k'));
      await pushed;
      // Asked after the invalidation: must not join the read that may hold the old value.
      const after = pool.command(['GET', 'k']);
      await getsSeen(2);
      held[0]!.write(reply.bulk('old'));
      held[1]!.write(reply.bulk('new'));
      expect(await first).to.equal('old');
      expect(await joined).to.equal('old');
      expect(await after).to.equal('new');
      expect(await pool.command(['GET', 'k'])).to.equal('new'); // kept: asked after the change
      expect(held).to.have.length(2);
      expect(pool.clientCache.stats).to.include({ entries: 1, coalesced: 1, hits: 1 });
    } finally {
      await server.close();
    }
  });

  it('our own write answered without a push yet: the next read still goes to the server', async () => {
    let value = 'v1';
    let gets = 0;
    const server = await startScriptedServer({
      GET: () => {
        gets++;
        return reply.bulk(value);
      },
      SET: (args) => {
        value = args[1]!;
        return reply.simple('OK'); // no invalidation push at all
      },
    });
    try {
      const pool = open(server.url);
      expect(await pool.command(['GET', 'k'])).to.equal('v1');
      expect(await pool.command(['SET', 'k', 'v2'])).to.equal('OK');
      expect(await pool.command(['GET', 'k'])).to.equal('v2');
      expect(gets).to.equal(2);
    } finally {
      await server.close();
    }
  });

  it('a server that refuses CLIENT TRACKING fails the handshake: nothing is cached untracked', async () => {
    const server = await startScriptedServer({
      CLIENT: (args) => (args[0]?.toUpperCase() === 'TRACKING' ? reply.error('ERR unknown subcommand') : reply.simple('OK')),
      GET: reply.bulk('v'),
    });
    try {
      const pool = open(server.url);
      const err = await pool.command(['GET', 'k']).then(() => null, (e: unknown) => e);
      expect(err).to.be.instanceOf(ConnectionError);
      expect((err as ConnectionError).code).to.equal('EHANDSHAKE');
      expect(server.commands.filter((c) => c[0] === 'GET')).to.have.length(0);
    } finally {
      await server.close();
    }
  });
});

describe('client-side cache: faults on a real server behind a fault proxy', () => {
  const pools: Pool[] = [];
  const ctx = serverBehindProxy('each', async () => {
    await Promise.all(pools.splice(0).map((p) => p.close()));
  });
  const open = (options: Parameters<typeof createPool>[1] = {}) => {
    const pool = createPool(ctx.proxy.url, { protocol: 3, clientCache: true, ...options });
    pools.push(pool);
    return pool;
  };
  const gets = async () => Number(/cmdstat_get:calls=(\d+)/.exec(await ctx.server.cli('INFO', 'commandstats'))?.[1] ?? 0);

  it('a reply on its way while the key changes: the old value is dropped when the invalidation lands', async () => {
    const pool = open();
    await ctx.server.cli('SET', 'k', 'v1');
    await pool.command(['PING']); // connected and tracking
    ctx.proxy.setMode('split', { chunkSize: 1, delayMs: 5 }); // the reply trickles in
    const first = pool.command(['GET', 'k']);
    while ((await gets()) === 0); // the server ran the GET: its reply is on its way
    const pushed = nextInvalidation(pool);
    await ctx.server.cli('SET', 'k', 'v2');
    expect(await first).to.equal('v1');
    await pushed;
    ctx.proxy.setMode('pass');
    expect(await pool.command(['GET', 'k'])).to.equal('v2');
  });

  it('connection lost with an invalidation in transit: entries dropped before the next read', async () => {
    const pool = open();
    await ctx.server.cli('SET', 'k', 'v1');
    expect(await pool.command(['GET', 'k'])).to.equal('v1');
    expect(await pool.command(['GET', 'k'])).to.equal('v1');
    ctx.proxy.setMode('blackhole');
    await ctx.server.cli('SET', 'k', 'v2'); // its invalidation is held by the proxy, then lost
    const lost = once(pool, 'reconnecting');
    ctx.proxy.cutAll();
    await lost;
    ctx.proxy.setMode('pass');
    expect(pool.clientCache.stats).to.include({ entries: 0, flushes: 1 });
    expect(await pool.command(['GET', 'k'])).to.equal('v2');
  });

  it('a tracking connection replaced by the health check: entries dropped before the next read', async () => {
    const pool = open({ healthCheckInterval: 100 });
    await ctx.server.cli('SET', 'k', 'v1');
    expect(await pool.command(['GET', 'k'])).to.equal('v1');
    ctx.proxy.setMode('blackhole'); // the server's pushes no longer reach us
    await ctx.server.cli('SET', 'k', 'v2');
    const lost = once(pool, 'reconnecting');
    const stuck = pool.command(['GET', 'other']).catch((e: unknown) => e); // in flight, unanswered
    const [event] = await lost as [{ error: Error }];
    expect(event.error.message).to.match(/no reply/);
    ctx.proxy.setMode('pass');
    expect(await stuck).to.be.instanceOf(ConnectionError);
    expect(pool.clientCache.stats.entries).to.equal(0);
    expect(await pool.command(['GET', 'k'])).to.equal('v2');
  });
});
