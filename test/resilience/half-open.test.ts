import { expect } from 'chai';
import { ConnectionError } from '../../lib/index.js';
import { closePools, nextEvent, nextTurn, settle, trackedPool } from './support.js';
import { serverBehindProxy } from '../helpers/suite.js';

const INTERVAL = 100;

/**
 * A peer that goes silent without closing (a dead host, a dropped NAT flow, a stopped process)
 * never produces a socket error: only the health check can notice it.
 */
describe('resilience: half-open sockets and the health check', function () {
  const ctx = serverBehindProxy('each', closePools);

  it('fails a command stuck on a blackholed socket with ConnectionError, then replaces the socket', async () => {
    const pool = trackedPool(ctx.proxy.url, {
      size: 1, healthCheckInterval: INTERVAL, connectTimeout: 500, reconnectMaxDelay: 100,
    });
    expect(await pool.command(['PING'])).to.equal('PONG');
    ctx.proxy.setMode('blackhole');
    const start = Date.now();
    const stuck = settle(pool.command(['INCR', 'n']));
    const reconnecting = nextEvent<{ error: Error }>(pool, 'reconnecting');
    const outcome = await stuck;
    const elapsed = Date.now() - start;
    expect(outcome.ok).to.equal(false);
    expect((outcome as { error: Error }).error).to.be.instanceOf(ConnectionError);
    // Bounds: found by the health check (two silent intervals, a third for the check, a probe of
    // half of one: ~350 ms here under load), not by anything slower; the upper margin is for a
    // slow host's late timers. What found it is checked by the message below (/no reply/).
    expect(elapsed).to.be.within(INTERVAL, 10 * INTERVAL);
    expect((await reconnecting).error.message).to.match(/no reply/);

    const ready = nextEvent(pool, 'ready');
    ctx.proxy.setMode('pass');
    await ready;
    expect(await pool.command(['ECHO', 'back'])).to.equal('back');
  });

  it('notices an idle connection gone silent (its PING unanswered) before anyone calls', async () => {
    const pool = trackedPool(ctx.proxy.url, { size: 1, healthCheckInterval: INTERVAL });
    expect(await pool.command(['PING'])).to.equal('PONG');
    ctx.proxy.setMode('blackhole');
    const start = Date.now();
    const event = await nextEvent<{ error: Error }>(pool, 'reconnecting');
    expect(event.error.message).to.match(/no reply/);
    // Bounds: the health check's few intervals (~350 ms here under load), with margin for a slow
    // host's late timers; nothing else would notice an idle connection gone silent.
    expect(Date.now() - start).to.be.below(10 * INTERVAL);
  });

  it('detects a SIGSTOPped server the same way, and recovers after SIGCONT', async () => {
    const pool = trackedPool(ctx.server.url, {
      size: 1, healthCheckInterval: INTERVAL, connectTimeout: 300, reconnectMaxDelay: 100,
    });
    expect(await pool.command(['PING'])).to.equal('PONG');
    ctx.server.pause();
    const calls = Array.from({ length: 10 }, (_, i) => settle(pool.command(['ECHO', String(i)])));
    await nextTurn();
    const outcomes = await Promise.all(calls);
    for (const outcome of outcomes) {
      expect(outcome.ok).to.equal(false);
      expect((outcome as { error: Error }).error).to.be.instanceOf(ConnectionError);
    }
    const ready = nextEvent(pool, 'ready');
    ctx.server.resume();
    await ready;
    expect(await pool.command(['ECHO', 'awake'])).to.equal('awake');
  });

  it('drops a connect attempt a SIGSTOPped server accepts but never answers, well before connectTimeout', async () => {
    // A pool growing while its node is frozen opens such connections (the cluster failover
    // test caught commands waiting on one for acquireTimeout). failFast: they come back unsent.
    ctx.server.pause();
    const pool = trackedPool(ctx.server.url, {
      size: 1, healthCheckInterval: INTERVAL, connectTimeout: 60_000, failFast: true,
    });
    const reconnecting = nextEvent<{ error: Error }>(pool, 'reconnecting');
    const outcome = await settle(pool.command(['ECHO', 'waiting']));
    expect(outcome.ok).to.equal(false);
    const error = (outcome as { error: Error }).error as ConnectionError;
    expect(error).to.be.instanceOf(ConnectionError);
    expect(error.unsent, error.message).to.equal(true);
    expect(error.message).to.match(/no answer to the handshake/);
    expect((await reconnecting).error.message).to.match(/no answer to the handshake/);
    const ready = nextEvent(pool, 'ready');
    ctx.server.resume();
    await ready;
    expect(await pool.command(['ECHO', 'awake'])).to.equal('awake');
  });

  it('leaves a healthy but idle connection alone', async () => {
    // 50 ms, not less: a PING answered later than two intervals (a descheduled server on a
    // loaded host) is the silence this check is meant to find.
    const pool = trackedPool(ctx.server.url, { size: 1, healthCheckInterval: 50 });
    expect(await pool.command(['PING'])).to.equal('PONG');
    let lost = 0;
    pool.on('reconnecting', () => lost++);
    // Ten intervals of idleness: PINGs are answered, so nothing is recycled. The wait is the
    // observation window itself: there is no event for nothing happening.
    await new Promise((resolve) => setTimeout(resolve, 10 * 50));
    expect(lost).to.equal(0);
    const info = await ctx.server.cli('INFO', 'stats');
    expect(Number(/total_connections_received:(\d+)/.exec(info)![1])).to.equal(2); // the pool's one socket and this query's
  });
});
