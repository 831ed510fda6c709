import { expect } from 'chai';
import { AuthError } from '../../lib/index.js';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';
import { closePools, nextEvent, settle, trackedPool } from './support.js';

/** `CLIENT INFO` fields as a map: db, name, resp... */
function clientInfo(line: unknown): Map<string, string> {
  const fields = new Map<string, string>();
  for (const pair of String(line).trim().split(' ')) {
    const eq = pair.indexOf('=');
    fields.set(pair.slice(0, eq), pair.slice(eq + 1));
  }
  return fields;
}

/** Counts connections the server accepted so far (the counting connection included). */
async function connectionsReceived(server: RedisServer): Promise<number> {
  const info = await server.cli('INFO', 'stats');
  return Number(/total_connections_received:(\d+)/.exec(info)![1]);
}

describe('resilience: reconnect and handshake replay', function () {
  let server: RedisServer;
  afterEach(async () => {
    await closePools();
    await server?.stop();
  });

  for (const protocol of [2, 3] as const) {
    it(`replays AUTH, SETNAME, SELECT (RESP${protocol}) after the server is killed and restarted`, async () => {
      server = await startRedis({ args: ['--requirepass', 'secret'] });
      const pool = trackedPool(server.url, {
        password: 'secret', name: 'resilient', db: 3, protocol, size: 2,
      });
      const before = clientInfo(await pool.command(['CLIENT', 'INFO']));
      expect(before.get('db')).to.equal('3');
      expect(before.get('name')).to.equal('resilient');
      expect(before.get('resp')).to.equal(String(protocol));

      const reconnecting = nextEvent(pool, 'reconnecting');
      await server.kill();
      await reconnecting;
      const ready = nextEvent(pool, 'ready');
      await server.restart();
      await ready;

      const after = clientInfo(await pool.command(['CLIENT', 'INFO']));
      expect(after.get('addr')).to.not.equal(before.get('addr')); // truly a new socket
      expect(after.get('db')).to.equal('3');
      expect(after.get('name')).to.equal('resilient');
      expect(after.get('resp')).to.equal(String(protocol));
      // The write lands in db 3, as the caller configured, not in the new socket's default db 0.
      await pool.command(['SET', 'where', 'here']);
      expect(await server.cli('GET', 'where')).to.equal('(nil)');
      expect(await pool.command(['GET', 'where'])).to.equal('here');
    });
  }

  it('reconnects by itself when the server closes every client (CLIENT KILL)', async () => {
    server = await startRedis();
    const pool = trackedPool(server.url, { size: 1 });
    expect(await pool.command(['PING'])).to.equal('PONG');
    const events: string[] = [];
    pool.on('reconnecting', () => events.push('reconnecting'));
    const ready = nextEvent(pool, 'ready');
    await server.cli('CLIENT', 'KILL', 'TYPE', 'normal');
    await ready;
    expect(events).to.deep.equal(['reconnecting']);
    expect(await pool.command(['PING'])).to.equal('PONG');
  });

  it('does not retry a refused password forever: AuthError, and only a few attempts', async () => {
    server = await startRedis({ args: ['--requirepass', 'secret'] });
    const start = await connectionsReceived(server);
    const pool = trackedPool(server.url, {
      password: 'wrong', size: 4, acquireTimeout: 2000, reconnectInitialDelay: 50,
    });
    const first = await settle(pool.command(['PING']));
    expect(first.ok).to.equal(false);
    expect((first as { error: Error }).error).to.be.instanceOf(AuthError);
    expect((first as { error: Error }).error.message).to.match(/WRONGPASS|invalid/i);

    // Keep asking for a second: each command fails with the AuthError, never a timeout, and the
    // server sees creations spaced by backoff, not a connect/refuse loop.
    const t0 = Date.now();
    let failures = 0;
    while (Date.now() - t0 < 1000) {
      const outcome = await settle(pool.command(['PING']));
      expect(outcome.ok).to.equal(false);
      expect((outcome as { error: Error }).error).to.be.instanceOf(AuthError);
      failures++;
      await new Promise((resolve) => setImmediate(resolve));
    }
    const attempts = (await connectionsReceived(server)) - start - 1; // minus this counting one
    expect(failures).to.be.greaterThan(10);
    expect(attempts).to.be.at.most(8);
    console.log(`      refused password: ${failures} commands failed with AuthError, ${attempts} connection attempts in all`);
  });

  it('recovers by itself once the refused password is accepted again', async () => {
    server = await startRedis({ args: ['--requirepass', 'old'] });
    const pool = trackedPool(server.url, { password: 'new', size: 2, reconnectInitialDelay: 20, reconnectMaxDelay: 200 });
    const first = await settle(pool.command(['PING']));
    expect((first as { error: Error }).error).to.be.instanceOf(AuthError);
    await server.cli('CONFIG', 'SET', 'requirepass', 'new');
    server.password = 'new';
    const ready = nextEvent(pool, 'ready');
    // Commands keep failing fast until a retry (spaced by backoff) gets through.
    while (true) {
      const outcome = await Promise.race([settle(pool.command(['PING'])), ready.then(() => null)]);
      if (outcome === null || outcome.ok) break;
      expect((outcome as { error: Error }).error).to.be.instanceOf(AuthError);
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(await pool.command(['PING'])).to.equal('PONG');
  });
});
