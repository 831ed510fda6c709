import { expect } from 'chai';
import { createPool, RedisError, type Pool } from '../../lib/index.js';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';

/** The first command's outcome: its reply, or the error it rejected with. */
async function outcome(pool: Pool): Promise<unknown> {
  try {
    return await pool.command(['PING']);
  } catch (err) {
    return err;
  } finally {
    await pool.close();
  }
}

describe('TLS', () => {
  let server: RedisServer;

  before(async () => {
    server = await startRedis({ tls: true });
  });
  after(async () => {
    await server.stop();
  });

  it('connects to a rediss:// URL, verifying the server with the given CA', async () => {
    const pool = createPool(server.tlsUrl!, { tls: { ca: server.certs!.ca.pem } });
    try {
      expect(await pool.command(['PING'])).to.equal('PONG');
      // The TLS port, not the plain one, carried the command.
      const info = (await pool.command(['CLIENT', 'INFO'])) as string;
      expect(info).to.contain(`laddr=127.0.0.1:${server.tlsPort}`);
    } finally {
      await pool.close();
    }
  });

  it('connects with the tls option and host/port', async () => {
    const pool = createPool({
      port: server.tlsPort,
      tls: { ca: server.certs!.ca.pem, servername: 'localhost' },
    });
    expect(await outcome(pool)).to.equal('PONG');
  });

  // Refusals end in a RedisError that names the TLS failure, within acquireTimeout. (The core
  // retries them like any dropped socket, so today that error is a TimeoutError carrying the
  // last error; failing fast with a ConnectionError is reported as a core change.)
  async function refused(pool: Pool, why: RegExp): Promise<void> {
    const started = Date.now();
    const result = await outcome(pool);
    expect(result).to.be.instanceOf(RedisError);
    expect((result as Error).message).to.match(why);
    expect(Date.now() - started).to.be.lessThan(1000 + 1500);
  }

  it('refuses a server whose certificate does not match the servername', async () => {
    const pool = createPool(server.tlsUrl!, {
      tls: { ca: server.certs!.ca.pem, servername: 'not-this-server.example' },
      acquireTimeout: 1000,
    });
    await refused(pool, /does not match certificate's altnames/);
  });

  it('refuses the server\'s certificate without the CA (verified by default)', async () => {
    await refused(createPool(server.tlsUrl!, { acquireTimeout: 1000 }), /self-signed certificate/);
  });

  describe('with client certificates required', () => {
    let strict: RedisServer;

    before(async () => {
      strict = await startRedis({ tls: true, args: ['--tls-auth-clients', 'yes'] });
    });
    after(async () => {
      await strict.stop();
    });

    it('connects with a client certificate', async () => {
      const { ca, clientCert, clientKey } = strict.certs!;
      const pool = createPool(strict.tlsUrl!, { tls: { ca: ca.pem, cert: clientCert.pem, key: clientKey.pem } });
      expect(await outcome(pool)).to.equal('PONG');
    });

    it('is refused without one', async () => {
      const pool = createPool(strict.tlsUrl!, { tls: { ca: strict.certs!.ca.pem }, acquireTimeout: 1000 });
      await refused(pool, /certificate required/);
    });
  });
});
