import { expect } from 'chai';
import { ConnectionError } from '../../lib/index.js';
import { isHeld } from '../../lib/connection/probe.js';
import { closePools, settle, trackedPool } from './support.js';
import { serverBehindProxy } from '../helpers/suite.js';

const INTERVAL = 100;

/**
 * Silent is not always dead: during CLUSTER FAILOVER the old primary runs CLIENT PAUSE WRITE
 * for up to 5 s, and every connection that sent a write hears nothing until it ends. Before the
 * health check drops a silent connection it asks the server, on a socket of its own, whether it
 * holds that connection (lib/connection/probe.ts).
 */
describe('resilience: silent connections the server holds on purpose', function () {
  const ctx = serverBehindProxy('each', closePools);

  it('keeps a connection held by CLIENT PAUSE WRITE past two health-check intervals, and answers its write', async () => {
    const pool = trackedPool(ctx.server.url, { size: 1, healthCheckInterval: INTERVAL });
    expect(await pool.command(['PING'])).to.equal('PONG');
    let reconnects = 0;
    pool.on('reconnecting', () => reconnects++);
    await ctx.server.cli('CLIENT', 'PAUSE', String(10 * INTERVAL), 'WRITE');
    const start = Date.now();
    expect(await pool.command(['SET', 'held', 'yes'])).to.equal('OK');
    // Held well past the two silent intervals after which it used to be dropped.
    expect(Date.now() - start).to.be.at.least(5 * INTERVAL);
    expect(reconnects).to.equal(0);
    expect(await ctx.server.cli('GET', 'held')).to.equal('yes');
  });

  it('still drops a silent connection the live server does not hold (its flow lost on the way)', async () => {
    const pool = trackedPool(ctx.proxy.url, {
      size: 1, healthCheckInterval: INTERVAL, connectTimeout: 500, reconnectMaxDelay: 100,
    });
    expect(await pool.command(['PING'])).to.equal('PONG');
    const before = ctx.proxy.connections();
    ctx.proxy.silenceOpen();
    const start = Date.now();
    const outcome = await settle(pool.command(['INCR', 'n']));
    expect(outcome.ok).to.equal(false);
    const error = (outcome as { error: Error }).error;
    expect(error).to.be.instanceOf(ConnectionError);
    expect(error.message).to.match(/no reply/);
    // Two silent intervals, one more for the check to run, half of one for the probe.
    expect(Date.now() - start).to.be.within(2 * INTERVAL, 5 * INTERVAL);
    expect(before).to.equal(1);
    // The replacement connects through the same proxy, and works.
    expect(await pool.command(['ECHO', 'back'])).to.equal('back');
  });

  it('reads CLIENT LIST: held only when the id is listed with the b flag', async () => {
    const line = (id: number, flags: string) =>
      `id=${id} addr=127.0.0.1:5 laddr=127.0.0.1:6379 fd=8 name= age=0 idle=0 flags=${flags} db=0 cmd=set\n`;
    expect(isHeld(line(7, 'b'), 7)).to.equal(true);
    expect(isHeld(line(7, 'N'), 7)).to.equal(false);
    expect(isHeld(line(17, 'b'), 7)).to.equal(false);
    expect(isHeld(line(70, 'b') + line(7, 'b'), 7)).to.equal(true);
    expect(isHeld('', 7)).to.equal(false);
    expect(isHeld(Buffer.from(line(7, 'b')), 7)).to.equal(true);
    expect(isHeld(null, 7)).to.equal(false);
  });
});
