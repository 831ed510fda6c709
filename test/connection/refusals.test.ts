import { expect } from 'chai';
import { AuthError, ConnectionError, createPool } from '../../lib/index.js';
import { startRedis } from '../helpers/redis-server.js';

describe('refusals that retrying cannot fix', () => {
  it('a server certificate that fails verification is a ConnectionError (ETLS) at once, not a timeout', async () => {
    const server = await startRedis({ tls: true });
    const pool = createPool(server.tlsUrl!, { acquireTimeout: 5000 });
    const started = Date.now();
    const error = await pool.command(['PING']).catch((err: unknown) => err);
    await pool.close();
    await server.stop();
    expect(error).to.be.instanceOf(ConnectionError);
    expect((error as ConnectionError).code).to.equal('ETLS');
    expect((error as Error).message).to.match(/certificate/);
    // Bounds: failing on the first handshake (109 ms measured under two CPU hogs: TLS costs CPU)
    // rather than waiting out acquireTimeout (5000 ms); the margin is for a slow host.
    expect(Date.now() - started).to.be.lessThan(2500);
  });

  for (const protocol of [2, 3] as const) {
    it(`RESP${protocol}: no password for a server that requires one is an AuthError`, async () => {
      const server = await startRedis({ args: ['--requirepass', 'needed'] });
      const pool = createPool(server.url, { protocol });
      const error = await pool.command(['GET', 'k']).catch((err: unknown) => err);
      await pool.close();
      await server.stop();
      expect(error).to.be.instanceOf(AuthError);
      expect((error as Error).message).to.match(/NOAUTH|auth/i);
    });
  }
});
