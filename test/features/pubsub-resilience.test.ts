import { once } from 'node:events';
import { expect } from 'chai';
import { AuthError, createPool, PoolClosedError } from '../../lib/index.js';
import { startRedis } from '../helpers/redis-server.js';
import { serverBehindProxy } from '../helpers/suite.js';

/** Resolves with the first message `listener` gets. */
function firstMessage(): { listener: (message: string | Buffer) => void; message: Promise<string | Buffer> } {
  let resolve!: (message: string | Buffer) => void;
  const message = new Promise<string | Buffer>((r) => (resolve = r));
  return { listener: (m) => resolve(m), message };
}

describe('pub/sub under faults', () => {
  const ctx = serverBehindProxy('suite');
  afterEach(() => {
    ctx.proxy.setMode('pass');
    ctx.proxy.refuse(false);
  });

  for (const protocol of [2, 3] as const) {
    it(`decodes messages delivered a byte at a time (RESP${protocol})`, async () => {
      const pool = createPool(ctx.proxy.url, { protocol });
      try {
        const bin = firstMessage();
        const text = firstMessage();
        await pool.subscribe('split', bin.listener, { returnBuffers: true });
        await pool.psubscribe('spl*', text.listener);
        ctx.proxy.setMode('split', { chunkSize: 1, delayMs: 0 });
        const bytes = Buffer.from([0x00, 0xff, 0x0d, 0x0a, 0x3e, 0x2a, 0x80, 0xc3]);
        await ctx.server.cli('PUBLISH', 'split', bytes.toString('latin1'));
        // The raw cli sends latin1 text as UTF-8; compare with what the server actually holds.
        const expected = Buffer.from(bytes.toString('latin1'), 'utf8');
        expect((await bin.message as Buffer).equals(expected)).to.equal(true);
        expect(await text.message).to.equal(bytes.toString('latin1'));
      } finally {
        await pool.close();
      }
    });

    it(`restores subscriptions after the connection is cut (RESP${protocol})`, async () => {
      const pool = createPool(ctx.proxy.url, { protocol, reconnectMaxDelay: 100 });
      try {
        const got: string[] = [];
        const sub = await pool.subscribe(['cut1', 'cut2'], (m) => got.push(m as string));
        const lostEvents: unknown[] = [];
        sub.on('lost', (cause) => lostEvents.push(cause));
        const restored = once(sub, 'restored');
        ctx.proxy.cutAll();
        await restored;
        expect(lostEvents).to.have.length(1);
        expect(await ctx.server.cli('PUBSUB', 'NUMSUB', 'cut1', 'cut2')).to.equal('["cut1",1,"cut2",1]');
        await pool.command(['PUBLISH', 'cut2', 'after']);
        await pool.command(['PUBLISH', 'cut1', 'after1']);
        // A command answered after both PUBLISHes went through the server in order: the
        // messages were already pushed to the subscriber. Waiting on one more round trip of
        // the subscriber connection itself makes that certain: subscribe again and await it.
        await pool.subscribe('cut1', () => undefined);
        expect(got).to.deep.equal(['after', 'after1']);
      } finally {
        await pool.close();
      }
    });
  }

  it('a subscribe made while the server is unreachable completes when it is back', async () => {
    const pool = createPool(ctx.proxy.url, { reconnectMaxDelay: 50 });
    try {
      await pool.subscribe('warmup', () => undefined);
      ctx.proxy.refuse(true);
      const lost = once(await pool.subscribe('warm2', () => undefined), 'lost');
      ctx.proxy.cutAll();
      await lost;
      const first = firstMessage();
      const pending = pool.subscribe('later', first.listener, { timeout: 0 });
      let settled = false;
      void pending.then(() => (settled = true), () => (settled = true));
      // One more server round trip on the command pool: the subscribe is still waiting.
      expect(await ctx.server.cli('PING')).to.equal('PONG');
      expect(settled).to.equal(false);
      ctx.proxy.refuse(false);
      await pending;
      await pool.command(['PUBLISH', 'later', 'hello']);
      expect(await first.message).to.equal('hello');
    } finally {
      await pool.close();
    }
  });

  it('close() rejects a subscribe still waiting for its confirmation', async () => {
    ctx.proxy.refuse(true);
    const pool = createPool(ctx.proxy.url, { reconnectMaxDelay: 50 });
    const outcome = pool.subscribe('never', () => undefined, { timeout: 0 }).then(() => null, (err: unknown) => err);
    await pool.close();
    const error = await outcome;
    expect(error).to.be.instanceOf(PoolClosedError);
  });
});

describe('pub/sub with auth', () => {
  it('subscribes on a password-protected server', async () => {
    const server = await startRedis({ args: ['--requirepass', 'pw'] });
    const pool = createPool(server.url, { password: 'pw' });
    try {
      const first = firstMessage();
      await pool.subscribe('secure', first.listener);
      await pool.command(['PUBLISH', 'secure', 'ok']);
      expect(await first.message).to.equal('ok');
    } finally {
      await pool.close();
      await server.stop();
    }
  });

  it('a refused password rejects subscribe with AuthError', async () => {
    const server = await startRedis({ args: ['--requirepass', 'pw'] });
    const pool = createPool(server.url, { password: 'nope' });
    try {
      const error = await pool.subscribe('secure', () => undefined).then(() => null, (err: unknown) => err);
      expect(error).to.be.instanceOf(AuthError);
    } finally {
      await pool.close();
      await server.stop();
    }
  });
});
