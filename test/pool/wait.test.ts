import { expect } from 'chai';
import { createPool, type Pool } from '../../lib/index.js';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';

/**
 * Issue 8.4: WAIT counts the replicas that acknowledged the writes made on *its own*
 * connection. Inside `pool.use` it must cover the handle's earlier writes, wherever they went.
 * The replica is held back with SIGSTOP: a WAIT that covers the handle's writes returns 0 then,
 * and 1 once the replica runs again. (A WAIT on another connection, with nothing written there,
 * returns 1 at once: that was the bug.)
 */
describe('WAIT inside pool.use covers the handle\'s writes (issue 8.4)', function () {
  this.timeout(30_000);
  let primary: RedisServer;
  let replica: RedisServer;
  let pool: Pool;

  before(async function () {
    const args = ['--repl-diskless-sync-delay', '0'];
    primary = await startRedis({ args });
    replica = await startRedis({ args: ['--replicaof', '127.0.0.1', String(primary.port), ...args] });
    // Blocks until the replica is online (a fresh connection has written nothing to wait for).
    expect(await primary.cli('WAIT', 1, 20_000)).to.equal('1');
  });
  beforeEach(function () {
    pool = createPool({ port: primary.port, size: 3 });
  });
  afterEach(async function () {
    replica.resume();
    await pool.close();
  });
  after(async function () {
    await replica?.stop();
    await primary?.stop();
  });

  /** Runs `fn` with the replica stopped, then lets it run again. */
  async function replicaStopped<T>(fn: () => Promise<T>): Promise<T> {
    replica.pause();
    try {
      return await fn();
    } finally {
      replica.resume();
    }
  }

  it('runs on the shared connection that carried the handle\'s writes', async function () {
    await pool.use(async (c) => {
      const id = await c.command(['CLIENT', 'ID']);
      await replicaStopped(async () => {
        expect(await c.command(['SET', 'wait:a', '1'])).to.equal('OK');
        expect(await c.command(['WAIT', 1, 300])).to.equal(0);
      });
      expect(await c.command(['WAIT', 1, 15_000])).to.equal(1);
      // Still the same connection: WAIT did not upgrade the handle to another one.
      expect(await c.command(['CLIENT', 'ID'])).to.equal(id);
    });
  });

  it('still counts writes made before a state-changing command moved the handle to a lease', async function () {
    await pool.use(async (c) => {
      await replicaStopped(async () => {
        await c.command(['SET', 'wait:b', '1']);
        await c.command(['SELECT', 0]); // upgrades: later commands go to an exclusive lease
        expect(c.exclusive).to.equal(true);
        expect(await c.command(['GET', 'wait:b'])).to.equal('1'); // a read: the writes stay where they were
        expect(await c.command(['WAIT', 1, 300])).to.equal(0);
      });
      expect(await c.command(['WAIT', 1, 15_000])).to.equal(1);
    });
  });

  it('covers writes made on the lease (a transaction)', async function () {
    await pool.use(async (c) => {
      await replicaStopped(async () => {
        await c.watch('wait:c');
        expect(await c.transaction([['INCR', 'wait:c']])).to.deep.equal([1]);
        expect(await c.command(['WAIT', 1, 300])).to.equal(0);
      });
      expect(await c.command(['WAIT', 1, 15_000])).to.equal(1);
    });
  });

  it('covers a script\'s writes (EVAL is not flagged write)', async function () {
    await pool.use(async (c) => {
      await replicaStopped(async () => {
        await c.command(['SELECT', 0]); // on the lease from here
        await c.command(['EVAL', "return redis.call('SET', KEYS[1], '1')", 1, 'wait:d']);
        expect(await c.command(['WAIT', 1, 300])).to.equal(0);
      });
    });
  });

  it('pool.pipeline([SET, WAIT]) waits for the SET', async function () {
    const results = await replicaStopped(() => pool.pipeline([['SET', 'wait:e', '1'], ['WAIT', 1, 300]]));
    expect(results).to.deep.equal(['OK', 0]);
  });

  it('a WAIT 0 holding a shared connection blocks neither pool.command nor handles bound beside it', async function () {
    replica.pause();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let bound!: (id: unknown) => void;
    const firstId = new Promise<unknown>((resolve) => (bound = resolve));
    // B binds to the only shared connection, then waits while A's WAIT takes that connection.
    const b = pool.use(async (h) => {
      bound(await h.command(['CLIENT', 'ID']));
      await gate;
      return h.command(['CLIENT', 'ID']);
    });
    await pool.use(async (a) => {
      expect(await a.command(['CLIENT', 'ID'])).to.equal(await firstId);
      await a.command(['SET', 'wait:f', '1']);
      const waited = a.command(['WAIT', 1, 0]);
      // The router keeps new commands off the held connection.
      expect(await pool.command(['PING'], { timeout: 5000 })).to.equal('PONG');
      release();
      const secondId = await withTimeout(b, 5000);
      expect(secondId).to.not.equal(await firstId); // B moved on instead of queueing behind the WAIT
      replica.resume();
      expect(await waited).to.equal(1);
    });
  });

  it('a WAIT 0 that times out on the shared connection is unblocked on the server (CLIENT UNBLOCK)', async function () {
    replica.pause();
    await pool.use(async (c) => {
      await c.command(['SET', 'wait:h', '1']);
      const err = await c.command(['WAIT', 1, 0], { timeout: 300 }).then(() => null, (e: Error) => e);
      expect(err).to.have.property('code', 'ETIMEDOUT');
      expect(await c.command(['GET', 'wait:h'], { timeout: 5000 })).to.equal('1');
    });
    // The connection does not stay held until the replica answers.
    let blocked = '';
    for (let i = 0; i < 100; i++) {
      blocked = /blocked_clients:(\d+)/.exec(await primary.cli('INFO', 'clients'))![1]!;
      if (blocked === '0') break;
      await new Promise((r) => setTimeout(r, 50)); // the unblock is a round trip away
    }
    expect(blocked).to.equal('0');
  });

  it('the connection that carried the writes dropped: WAIT is not sent (ConnectionError, unsent)', async function () {
    await pool.use(async (c) => {
      const id = await c.command(['CLIENT', 'ID']);
      await c.command(['SET', 'wait:i', '1']);
      const lost = new Promise((resolve) => pool.once('reconnecting', resolve));
      await primary.cli('CLIENT', 'KILL', 'ID', String(id));
      await lost;
      const err = await c.command(['WAIT', 1, 100]).then(() => null, (e: Error) => e);
      expect(err).to.have.property('code', 'ECONNECTION');
      expect(err).to.have.property('unsent', true);
      expect((err as Error).message).to.match(/carried this handle's writes was lost/);
    });
  });

  it('close() ends a handle\'s WAIT 0 on a shared connection', async function () {
    replica.pause();
    let issued!: () => void;
    const waiting = new Promise<void>((resolve) => (issued = resolve));
    const use = pool.use(async (c) => {
      await c.command(['SET', 'wait:g', '1']);
      const waited = c.command(['WAIT', 1, 0]);
      issued();
      return waited.catch((err: Error) => err);
    });
    await waiting;
    await pool.close();
    const err = await use;
    expect(err).to.be.instanceOf(Error);
    expect((err as { code?: string }).code).to.equal('ECLOSED');
  });
});

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`not settled within ${ms} ms`)), ms))),
  ]);
}
