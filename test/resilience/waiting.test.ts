import { expect } from 'chai';
import { ConnectionError, QueueFullError, TimeoutError } from '../../lib/index.js';
import { freePort } from '../helpers/ports.js';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';
import { closePools, nextEvent, settle, trackedPool } from './support.js';

/** Commands issued while no connection is ready: they wait, within bounds, or fail fast. */
describe('resilience: commands while no connection is ready', function () {
  let server: RedisServer | undefined;
  afterEach(async () => {
    await closePools();
    await server?.stop();
    server = undefined;
  });

  it('waits for a server that does not exist yet, then succeeds once it starts', async () => {
    const port = await freePort();
    const pool = trackedPool({ host: '127.0.0.1', port, reconnectMaxDelay: 100, acquireTimeout: 10_000 });
    const reconnecting = nextEvent(pool, 'reconnecting');
    const commands = Array.from({ length: 20 }, (_, i) => pool.command(['ECHO', `early-${i}`]));
    await reconnecting; // proof that the first attempt failed: the commands are truly waiting
    server = await startRedis({ port });
    const replies = await Promise.all(commands);
    expect(replies).to.deep.equal(Array.from({ length: 20 }, (_, i) => `early-${i}`));
  });

  it('rejects waiting commands with TimeoutError after acquireTimeout, saying why', async () => {
    const port = await freePort();
    const pool = trackedPool({ host: '127.0.0.1', port, acquireTimeout: 300 });
    const start = Date.now();
    const outcome = await settle(pool.command(['GET', 'k']));
    const elapsed = Date.now() - start;
    expect(outcome.ok).to.equal(false);
    const error = (outcome as { error: Error }).error;
    expect(error).to.be.instanceOf(TimeoutError);
    expect(error.message).to.match(/waiting for a connection/);
    expect(error.message).to.match(/ECONNREFUSED/); // the last connection error, for the operator
    expect(elapsed).to.be.within(290, 800);
  });

  it('rejects commands past maxPending with QueueFullError at once, and the rest still run', async () => {
    const port = await freePort();
    const pool = trackedPool({ host: '127.0.0.1', port, maxPending: 10, size: 1, reconnectMaxDelay: 100 });
    const commands = Array.from({ length: 25 }, (_, i) => settle(pool.command(['ECHO', String(i)])));
    // 'At once' is an order, not a clock: refused before the event loop's next turn (no I/O,
    // no timer in between), which a loaded host cannot make late.
    const full = await Promise.race([
      Promise.all(commands.slice(10)),
      new Promise<'still waiting'>((resolve) => setImmediate(resolve, 'still waiting')),
    ]);
    expect(full).to.not.equal('still waiting');
    for (const outcome of full as Awaited<(typeof commands)[number]>[]) {
      expect(outcome.ok).to.equal(false);
      const error = (outcome as { error: Error }).error;
      expect(error).to.be.instanceOf(QueueFullError);
      expect(error.message).to.match(/maxPending/);
    }
    server = await startRedis({ port });
    const first = await Promise.all(commands.slice(0, 10));
    expect(first.map((o) => (o.ok ? o.value : o.error.message))).to.deep.equal(
      Array.from({ length: 10 }, (_, i) => String(i)),
    );
  });

  it('with failFast, rejects at once with ConnectionError when the server is unreachable', async () => {
    const port = await freePort();
    const pool = trackedPool({ host: '127.0.0.1', port, failFast: true, acquireTimeout: 5000 });
    const start = Date.now();
    const outcome = await settle(pool.command(['GET', 'k']));
    // Bounds: failing on the first refused connect (a few ms here, loaded or not) rather than
    // waiting out acquireTimeout (5000 ms, which would also end in TimeoutError, not
    // ConnectionError). The margin is for a slow CI host.
    expect(Date.now() - start).to.be.below(2000);
    expect(outcome.ok).to.equal(false);
    expect((outcome as { error: Error }).error).to.be.instanceOf(ConnectionError);
  });

  it('with failFast, a new pool\'s first commands wait for its first connect (not a failure)', async () => {
    server = await startRedis();
    const pool = trackedPool(server.url, { failFast: true });
    expect(await Promise.all([pool.command(['PING']), pool.command(['ECHO', 'x'])])).to.deep.equal(['PONG', 'x']);
  });

  it('with failFast, rejects at once while reconnecting, and serves again afterwards', async () => {
    server = await startRedis();
    const pool = trackedPool(server.url, { failFast: true, size: 1, reconnectInitialDelay: 200 });
    expect(await pool.command(['PING'])).to.equal('PONG');
    const reconnecting = nextEvent(pool, 'reconnecting');
    await server.kill();
    await reconnecting;
    // 'At once' is an order, not a clock (a 50 ms bound is one GC pause or descheduling away
    // from failing on a loaded host): rejected before the event loop's next turn, so before any
    // reconnect attempt could run.
    const outcome = await Promise.race([
      settle(pool.command(['PING'])),
      new Promise<'still waiting'>((resolve) => setImmediate(resolve, 'still waiting')),
    ]);
    if (outcome === 'still waiting') expect.fail('the command waited past a turn of the event loop');
    expect(outcome.ok).to.equal(false);
    const error = (outcome as { error: Error }).error;
    expect(error).to.be.instanceOf(ConnectionError);
    expect(error.message).to.match(/not connected/);

    const ready = nextEvent(pool, 'ready');
    await server.restart();
    await ready;
    expect(await pool.command(['PING'])).to.equal('PONG');
  });

  it('without failFast, a command issued during a reconnect waits and succeeds', async () => {
    server = await startRedis();
    const pool = trackedPool(server.url, { size: 1, reconnectMaxDelay: 100 });
    await pool.command(['PING']);
    const reconnecting = nextEvent(pool, 'reconnecting');
    await server.kill();
    await reconnecting;
    const waiting = pool.command(['ECHO', 'patient']);
    await server.restart();
    expect(await waiting).to.equal('patient');
  });
});
