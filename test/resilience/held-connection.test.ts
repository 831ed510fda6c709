import { expect } from 'chai';
import { ConnectionError, type HeldMessage } from '../../lib/index.js';
import { Connection } from '../../lib/connection/connection.js';
import { heldByServer, isHeld } from '../../lib/connection/probe.js';
import { connectionConfig } from '../../lib/pool/connection-config.js';
import { resolveOptions } from '../../lib/options.js';
import { recordChannel } from '../diagnostics/record.js';
import { closePools, nextTurn, settle, trackedPool } from './support.js';
import { serverBehindProxy } from '../helpers/suite.js';

/** The first Connection to send a command from now on (a pool's own are not reachable otherwise). */
function nextConnection(): Promise<Connection> {
  const send = Connection.prototype.send;
  return new Promise((resolve) => {
    Connection.prototype.send = function (this: Connection, pending) {
      Connection.prototype.send = send;
      resolve(this);
      send.call(this, pending);
    };
  });
}

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
    const held = recordChannel<HeldMessage>('respool:held');
    try {
      expect(await pool.command(['PING'])).to.equal('PONG');
      const clientId = Number(await pool.command(['CLIENT', 'ID']));
      let reconnects = 0;
      pool.on('reconnecting', () => reconnects++);
      await ctx.server.cli('CLIENT', 'PAUSE', String(10 * INTERVAL), 'WRITE');
      const start = Date.now();
      expect(await pool.command(['SET', 'held', 'yes'])).to.equal('OK');
      // Held well past the two silent intervals after which it used to be dropped.
      expect(Date.now() - start).to.be.at.least(5 * INTERVAL);
      expect(reconnects).to.equal(0);
      expect(await ctx.server.cli('GET', 'held')).to.equal('yes');
      // Each time the probe found it held, respool:held said so.
      expect(held.messages.length).to.be.at.least(1);
      for (const m of held.messages) {
        expect(m.clientId).to.equal(clientId);
        expect(m.connectionId).to.be.a('number');
        expect(m.silentFor).to.be.at.least(INTERVAL);
        expect(m['server.port']).to.equal(ctx.server.port);
      }
    } finally {
      held.stop();
    }
  });

  it('cancels a probe under way when the pool closes: no socket to the server is left', async () => {
    // An interval of a minute: the probe would keep its socket for 30 s. The checks are run by
    // hand instead of waiting for them.
    const pool = trackedPool(ctx.proxy.url, { size: 1, healthCheckInterval: 60_000, connectTimeout: 500 });
    const connection = nextConnection();
    expect(await pool.command(['PING'])).to.equal('PONG');
    const held = recordChannel<HeldMessage>('respool:held');
    try {
      // Everything through the proxy goes silent, the probe's new socket included.
      ctx.proxy.setMode('blackhole');
      const silent = settle(pool.command(['INCR', 'n']));
      const c = await connection;
      await nextTurn(); // the INCR is written
      for (let i = 0; i < 3; i++) c.checkHealth(); // heard, silent once, silent twice: probe
      await ctx.proxy.whenConnections(2);
      await pool.close();
      // Before, the probe's socket stayed open until its half interval ran out.
      await ctx.proxy.whenConnections(0);
      expect((await silent).ok).to.equal(false);
      expect(held.messages).to.deep.equal([]);
    } finally {
      held.stop();
    }
  });

  it('heldByServer: cancelled by its signal, it answers false at once and closes its socket', async () => {
    const config = connectionConfig(resolveOptions(ctx.proxy.url));
    const where = { host: '127.0.0.1', port: ctx.proxy.port, address: `127.0.0.1:${ctx.proxy.port}` };
    ctx.proxy.setMode('blackhole');
    const aborted = new AbortController();
    aborted.abort();
    expect(await heldByServer(config, where, 1, 60_000, aborted.signal)).to.equal(false);
    expect(ctx.proxy.connections()).to.equal(0); // never opened one
    const controller = new AbortController();
    const answer = heldByServer(config, where, 1, 60_000, controller.signal);
    await ctx.proxy.whenConnections(1);
    controller.abort();
    expect(await answer).to.equal(false);
    await ctx.proxy.whenConnections(0);
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
    // Two silent intervals, one more for the check to run, and the probe's answer (~300 ms here
    // under load); the upper margin is for a slow host's late timers.
    expect(Date.now() - start).to.be.within(2 * INTERVAL, 10 * INTERVAL);
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
