import { expect } from 'chai';
import { createPool, PoolClosedError } from '../../lib/index.js';
import { freePort } from '../helpers/ports.js';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';

/**
 * Issue 8.2: commands issued before close(), even while the first connection is still being
 * made, are answered; close() waits for them, bounded by acquireTimeout / connectTimeout.
 */
describe('pool.close() answers the commands issued before it', function () {
  let server: RedisServer;

  before(async function () {
    server = await startRedis();
  });
  beforeEach(async function () {
    await server.cli('FLUSHALL');
  });
  after(async function () {
    await server?.stop();
  });

  it('a command issued right after createPool is answered by a close() that follows at once', async function () {
    const pool = createPool({ port: server.port });
    const reply = pool.command(['SET', 'k', 'v']);
    await pool.close();
    expect(await reply).to.equal('OK');
    expect(await server.cli('GET', 'k')).to.equal('v');
  });

  it('1000 commands and a pipeline issued before the first connection is ready are all answered', async function () {
    const pool = createPool({ port: server.port, size: 4 });
    const replies = Array.from({ length: 1000 }, (_, i) => pool.command(['INCR', `n${i % 10}`]));
    const pipeline = pool.pipeline([['SET', 'p', 1], ['INCR', 'p']]);
    await pool.close();
    const settled = await Promise.allSettled(replies);
    expect(settled.filter((s) => s.status === 'rejected')).to.have.length(0);
    expect(await pipeline).to.deep.equal(['OK', 2]);
    expect(await server.cli('GET', 'n0')).to.equal('100');
  });

  it('waits for a connection that is slow to answer its handshake, then sends', async function () {
    const pool = createPool({ port: server.port });
    server.pause();
    let resumed = false;
    try {
      const reply = pool.command(['SET', 'slow', 'yes']);
      const closing = pool.close();
      // The TCP connect succeeds (the kernel accepts), the handshake waits for the server.
      setTimeout(() => {
        resumed = true;
        server.resume();
      }, 300);
      expect(await reply).to.equal('OK');
      await closing;
      expect(resumed).to.equal(true);
    } finally {
      server.resume();
    }
    expect(await server.cli('GET', 'slow')).to.equal('yes');
  });

  it('stays prompt while the server is down: waiting commands reject with PoolClosedError', async function () {
    const port = await freePort();
    const pool = createPool({ port, acquireTimeout: 0 });
    const reply = pool.command(['SET', 'k', 'v']).catch((e: unknown) => e);
    await new Promise((resolve) => pool.once('reconnecting', resolve));
    const started = Date.now();
    await pool.close();
    expect(Date.now() - started).to.be.below(1500);
    expect(await reply).to.be.instanceOf(PoolClosedError);
  });

  it('is bounded: a handshake that never ends fails the command after connectTimeout, not sent', async function () {
    const pool = createPool({ port: server.port, acquireTimeout: 5000, connectTimeout: 400 });
    server.pause();
    try {
      const started = Date.now();
      const reply = pool.command(['SET', 'never', 'x']).catch((e: unknown) => e);
      await pool.close();
      const err = await reply;
      expect(err).to.be.instanceOf(PoolClosedError);
      expect((err as Error).message).to.match(/could not connect .* within 400 ms\); the command was not sent/);
      expect(Date.now() - started).to.be.below(5000);
    } finally {
      server.resume();
    }
    expect(await server.cli('EXISTS', 'never')).to.equal('0');
  });
});
