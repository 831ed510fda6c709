import { expect } from 'chai';
import { ConnectionError } from '../../lib/index.js';
import { closePools, nextEvent, nextTurn, settle, trackedPool, until } from './support.js';
import { serverBehindProxy } from '../helpers/suite.js';

/**
 * A command in flight when its socket drops may have run on the server: it must fail at once
 * with ConnectionError and never be written again on the next socket.
 */
describe('resilience: in-flight commands when the connection drops', function () {
  const ctx = serverBehindProxy('each', closePools);

  it('rejects an INCR swallowed by a blackhole at once when the socket is cut, and never re-sends it', async () => {
    const pool = trackedPool(ctx.proxy.url, { size: 1, reconnectInitialDelay: 10 });
    await pool.command(['SET', 'counter', 0]);
    ctx.proxy.setMode('blackhole');
    const incr = settle(pool.command(['INCR', 'counter']));
    await nextTurn(); // written to the socket (the flush runs once per tick)
    expect(pool.stats.inFlight).to.equal(1);
    const ready = nextEvent(pool, 'ready');
    ctx.proxy.setMode('pass');
    const cutAt = Date.now();
    ctx.proxy.cutAll();
    const outcome = await incr;
    expect(Date.now() - cutAt).to.be.below(200);
    expect(outcome.ok).to.equal(false);
    const error = (outcome as { error: Error }).error;
    expect(error).to.be.instanceOf(ConnectionError);
    expect(error.message).to.match(/not retried/);

    await ready;
    // A round trip on the new socket: a re-sent INCR would have been written before it.
    expect(await pool.command(['PING'])).to.equal('PONG');
    expect(await ctx.server.cli('GET', 'counter')).to.equal('0');
  });

  it('rejects an INCR that did reach the server, which then runs it exactly once', async () => {
    const pool = trackedPool(ctx.proxy.url, { size: 1, reconnectInitialDelay: 10 });
    await pool.command(['SET', 'counter', 0]);
    ctx.server.pause();
    const sentBefore = ctx.proxy.bytesToServer;
    const incr = settle(pool.command(['INCR', 'counter']));
    await until(() => ctx.proxy.bytesToServer > sentBefore, 'the INCR to reach the server socket');
    const cutAt = Date.now();
    ctx.proxy.cutAll();
    const outcome = await incr;
    expect(Date.now() - cutAt).to.be.below(200);
    expect(outcome.ok).to.equal(false);
    expect((outcome as { error: Error }).error).to.be.instanceOf(ConnectionError);

    const ready = nextEvent(pool, 'ready');
    ctx.server.resume(); // it now reads the INCR left on the dead socket and runs it
    await ready;
    expect(await pool.command(['PING'])).to.equal('PONG');
    expect(await pool.command(['GET', 'counter'])).to.equal('1');
  });

  it('fails every command of a pipeline in flight, each with ConnectionError, none re-sent', async () => {
    const pool = trackedPool(ctx.proxy.url, { size: 1, reconnectInitialDelay: 10 });
    await pool.command(['DEL', 'list']);
    ctx.proxy.setMode('blackhole');
    const batch = pool.pipeline(Array.from({ length: 50 }, (_, i) => ['RPUSH', 'list', i]));
    await nextTurn();
    expect(pool.stats.inFlight).to.equal(50);
    ctx.proxy.setMode('pass');
    const ready = nextEvent(pool, 'ready');
    ctx.proxy.cutAll();
    const results = await batch;
    expect(results).to.have.length(50);
    for (const result of results) expect(result).to.be.instanceOf(ConnectionError);
    await ready;
    expect(await pool.command(['LLEN', 'list'])).to.equal(0);
  });
});
