import { once } from 'node:events';
import { expect } from 'chai';
import { createPool, PoolClosedError, TimeoutError, type Pool } from '../../lib/index.js';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';
import { freePort } from '../helpers/ports.js';

type Received = [message: string | Buffer, channel: string, pattern?: string];

/** A listener that records what it gets, and lets a test await the n-th message. */
function recorder() {
  const got: Received[] = [];
  let wake: (() => void) | null = null;
  const listener = (message: string | Buffer, channel: string, pattern?: string) => {
    got.push(pattern === undefined ? [message, channel] : [message, channel, pattern]);
    wake?.();
  };
  const count = async (n: number): Promise<Received[]> => {
    while (got.length < n) await new Promise<void>((resolve) => (wake = resolve));
    return got;
  };
  return { got, listener, count };
}

for (const protocol of [2, 3] as const) {
  describe(`pub/sub (RESP${protocol})`, () => {
    let server: RedisServer;
    let pool: Pool;

    before(async () => {
      server = await startRedis();
    });
    after(async () => {
      await server.stop();
    });
    beforeEach(() => {
      pool = createPool(server.url, { protocol, reconnectMaxDelay: 100 });
    });
    afterEach(async () => {
      await pool.close();
    });

    it('delivers published messages to a channel listener as strings', async () => {
      const r = recorder();
      const sub = await pool.subscribe('news', r.listener);
      expect(sub.kind).to.equal('channel');
      expect(sub.channels).to.deep.equal(['news']);
      const clients = (await server.cli('CLIENT', 'LIST')).split('\n');
      const subscriber = clients.filter((line) => line.includes(' sub=1 '));
      expect(subscriber).to.have.length(1);
      expect(subscriber[0]).to.contain(` resp=${protocol}`);
      expect(await pool.command(['PUBLISH', 'news', 'héllo'])).to.equal(1);
      await pool.command(['PUBLISH', 'other', 'ignored']);
      await pool.command(['PUBLISH', 'news', 'again']);
      expect(await r.count(2)).to.deep.equal([['héllo', 'news'], ['again', 'news']]);
    });

    it('delivers to pattern listeners with the matching pattern', async () => {
      const r = recorder();
      await pool.psubscribe('news.*', r.listener);
      expect(await pool.command(['PUBLISH', 'news.uk', 'a'])).to.equal(1);
      await pool.command(['PUBLISH', 'sport.uk', 'b']);
      await pool.command(['PUBLISH', 'news.fr', 'c']);
      expect(await r.count(2)).to.deep.equal([['a', 'news.uk', 'news.*'], ['c', 'news.fr', 'news.*']]);
    });

    it('delivers Buffers, byte for byte, when asked to', async () => {
      const r = recorder();
      const text = recorder();
      await pool.subscribe('bin', r.listener, { returnBuffers: true });
      await pool.subscribe('bin', text.listener);
      const bytes = Buffer.from([0xff, 0x00, 0x0d, 0x0a, 0x80]);
      await pool.command(['PUBLISH', 'bin', bytes]);
      const [[message, channel]] = await r.count(1) as [Received];
      expect(Buffer.isBuffer(message)).to.equal(true);
      expect((message as Buffer).equals(bytes)).to.equal(true);
      expect(channel).to.equal('bin');
      expect(typeof (await text.count(1))[0]![0]).to.equal('string');
    });

    it('gives every subscription of a channel each message; unsubscribing one keeps the rest', async () => {
      const a = recorder();
      const b = recorder();
      const subA = await pool.subscribe(['ch1', 'ch2'], a.listener);
      const subB = await pool.subscribe('ch1', b.listener);
      await pool.command(['PUBLISH', 'ch1', 'one']);
      await a.count(1);
      await b.count(1);
      await subA.unsubscribe();
      expect(await server.cli('PUBSUB', 'NUMSUB', 'ch1', 'ch2')).to.equal('["ch1",1,"ch2",0]');
      await pool.command(['PUBLISH', 'ch1', 'two']);
      expect(await b.count(2)).to.deep.equal([['one', 'ch1'], ['two', 'ch1']]);
      expect(a.got).to.have.length(1);
      await subB.unsubscribe();
      await subB.unsubscribe(); // idempotent
      expect(await server.cli('PUBSUB', 'NUMSUB', 'ch1')).to.equal('["ch1",0]');
      expect(await pool.command(['PUBLISH', 'ch1', 'three'])).to.equal(0);
    });

    it('keeps pattern and channel subscriptions apart', async () => {
      const p = recorder();
      const c = recorder();
      const ps = await pool.psubscribe('x*', p.listener);
      await pool.subscribe('x1', c.listener);
      await ps.unsubscribe();
      expect(await server.cli('PUBSUB', 'NUMPAT')).to.equal('0');
      expect(await pool.command(['PUBLISH', 'x1', 'm'])).to.equal(1);
      await c.count(1);
      expect(p.got).to.have.length(0);
    });

    it('re-subscribes by itself after the server restarts', async () => {
      const r = recorder();
      const p = recorder();
      const sub = await pool.subscribe('resume', r.listener);
      const psub = await pool.psubscribe('resume.*', p.listener);
      const lost = once(sub, 'lost');
      await server.kill();
      const [cause] = await lost;
      expect(cause).to.be.instanceOf(Error);
      const restored = Promise.all([once(sub, 'restored'), once(psub, 'restored')]);
      await server.restart();
      await restored;
      expect(await pool.command(['PUBLISH', 'resume', 'back'])).to.equal(1);
      await pool.command(['PUBLISH', 'resume.x', 'back too']);
      expect(await r.count(1)).to.deep.equal([['back', 'resume']]);
      expect(await p.count(1)).to.deep.equal([['back too', 'resume.x', 'resume.*']]);
    });

    it('restores thousands of channels after a restart', async () => {
      const names = Array.from({ length: 2500 }, (_, i) => `many:${i}`);
      const r = recorder();
      const sub = await pool.subscribe(names, r.listener);
      expect(JSON.parse(await server.cli('PUBSUB', 'CHANNELS', 'many:*'))).to.have.length(2500);
      await server.kill();
      const restored = once(sub, 'restored');
      await server.restart();
      await restored;
      expect(JSON.parse(await server.cli('PUBSUB', 'CHANNELS', 'many:*'))).to.have.length(2500);
      await pool.command(['PUBLISH', 'many:2499', 'last']);
      expect(await r.count(1)).to.deep.equal([['last', 'many:2499']]);
    });

    it('answers health-check PINGs while subscribed without mistaking them for messages', async () => {
      const checked = createPool(server.url, { protocol, healthCheckInterval: 20 });
      try {
        const r = recorder();
        const sub = await checked.subscribe('hc', r.listener);
        let lost = 0;
        sub.on('lost', () => lost++);
        await server.cli('CONFIG', 'RESETSTAT');
        // No event marks a health check: count the server's PINGs, one round trip at a time.
        const pings = async () => Number(/cmdstat_ping:calls=(\d+)/.exec(await server.cli('INFO', 'commandstats'))?.[1] ?? 0);
        while ((await pings()) < 6) { /* every ~20 ms each idle connection PINGs */ }
        await checked.command(['PUBLISH', 'hc', 'still here']);
        expect(await r.count(1)).to.deep.equal([['still here', 'hc']]);
        expect(lost).to.equal(0);
      } finally {
        await checked.close();
      }
    });

    it('reports a throwing listener on the subscription and keeps delivering', async () => {
      const r = recorder();
      const sub = await pool.subscribe('boom', (message) => {
        if (message === 'bad') throw new Error('listener failed');
      });
      await pool.subscribe('boom', r.listener);
      const failed = once(sub, 'error');
      await pool.command(['PUBLISH', 'boom', 'bad']);
      const [err] = await failed;
      expect((err as Error).message).to.equal('listener failed');
      await pool.command(['PUBLISH', 'boom', 'good']);
      expect(await r.count(2)).to.deep.equal([['bad', 'boom'], ['good', 'boom']]);
    });

    it('closes the subscriber connection with the pool', async () => {
      await pool.subscribe('bye', () => undefined);
      expect(await server.cli('PUBSUB', 'NUMSUB', 'bye')).to.equal('["bye",1]');
      await pool.close();
      expect(await server.cli('PUBSUB', 'NUMSUB', 'bye')).to.equal('["bye",0]');
      let error: unknown;
      await pool.subscribe('bye', () => undefined).catch((err) => (error = err));
      expect(error).to.be.instanceOf(PoolClosedError);
    });
  });
}

describe('pub/sub without a server', () => {
  it('rejects subscribe with TimeoutError when no confirmation comes in time', async () => {
    const pool = createPool({ port: await freePort(), reconnectMaxDelay: 50 });
    try {
      const started = Date.now();
      let error: unknown;
      await pool.subscribe('nobody', () => undefined, { timeout: 300 }).catch((err) => (error = err));
      expect(error).to.be.instanceOf(TimeoutError);
      expect((error as Error).message).to.match(/SUBSCRIBE within 300 ms \(last error: /);
      expect(Date.now() - started).to.be.lessThan(2000);
    } finally {
      await pool.close();
    }
  });

  it('refuses SUBSCRIBE through pool.command', async () => {
    const pool = createPool({ port: await freePort() });
    try {
      let error: unknown;
      await pool.command(['SUBSCRIBE', 'ch']).catch((err) => (error = err));
      expect((error as { code?: string }).code).to.equal('EUSAGE');
    } finally {
      await pool.close();
    }
  });
});
