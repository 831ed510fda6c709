import { expect } from 'chai';
import { AuthError, createPool, type Pool } from '../../lib/index.js';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';

/** `total_connections_received` from INFO stats. */
async function connectionsReceived(server: RedisServer): Promise<number> {
  const info = await server.cli('INFO', 'stats');
  return Number(/total_connections_received:(\d+)/.exec(info)![1]);
}

async function firstError(pool: Pool): Promise<unknown> {
  return pool.command(['PING']).then(() => null, (err: unknown) => err);
}

describe('auth and ACL', () => {
  let server: RedisServer;

  before(async () => {
    server = await startRedis({ args: ['--requirepass', 'secret'] });
    await server.cli('ACL', 'SETUSER', 'alice', 'on', '>wonderland', '~app:*', '+@all');
  });
  after(async () => {
    await server.stop();
  });

  for (const protocol of [2, 3] as const) {
    describe(`RESP${protocol}`, () => {
      it('authenticates the default user with the password option', async () => {
        const pool = createPool(server.url, { password: 'secret', protocol });
        try {
          expect(await pool.command(['ACL', 'WHOAMI'])).to.equal('default');
        } finally {
          await pool.close();
        }
      });

      it('authenticates an ACL user from the URL', async () => {
        const pool = createPool(`redis://alice:wonderland@127.0.0.1:${server.port}?protocol=${protocol}`);
        try {
          expect(await pool.command(['ACL', 'WHOAMI'])).to.equal('alice');
          await pool.command(['SET', 'app:k', 'v']);
          // alice may touch app:* only: the ACL is really in force on this connection.
          const denied = await pool.command(['SET', 'other', 'v']).catch((err: { code: string }) => err.code);
          expect(denied).to.equal('NOPERM');
        } finally {
          await pool.close();
        }
      });

      it('authenticates an ACL user with username/password options', async () => {
        const pool = createPool(server.url, { username: 'alice', password: 'wonderland', protocol });
        try {
          expect(await pool.command(['ACL', 'WHOAMI'])).to.equal('alice');
        } finally {
          await pool.close();
        }
      });

      it('rejects wrong credentials with AuthError quickly, and does not retry for ever', async () => {
        const before = await connectionsReceived(server);
        const pool = createPool(server.url, {
          username: 'alice', password: 'wrong', protocol, reconnectInitialDelay: 10, reconnectMaxDelay: 100,
        });
        const reconnecting: unknown[] = [];
        pool.on('reconnecting', (event) => reconnecting.push(event));
        try {
          const started = Date.now();
          const error = await firstError(pool);
          expect(error).to.be.instanceOf(AuthError);
          expect((error as AuthError).code).to.equal('EAUTH');
          expect((error as Error).message).to.not.contain('wrong');
          expect(Date.now() - started).to.be.lessThan(1000);
          // Later commands fail at once with the same cause rather than queueing.
          const second = Date.now();
          expect(await firstError(pool)).to.be.instanceOf(AuthError);
          expect(Date.now() - second).to.be.lessThan(500);
          await new Promise((resolve) => setTimeout(resolve, 1000)); // a second for retries to show
          expect(reconnecting).to.have.length(0);
          // A handful of attempts (each spaced by backoff), not one per 100 ms.
          expect((await connectionsReceived(server)) - before - 1).to.be.at.most(5);
        } finally {
          await pool.close();
        }
      });
    });
  }

  it('an unknown ACL user is an AuthError too', async () => {
    const pool = createPool(server.url, { username: 'nobody', password: 'secret' });
    try {
      expect(await firstError(pool)).to.be.instanceOf(AuthError);
    } finally {
      await pool.close();
    }
  });

  it('a disabled ACL user is refused', async () => {
    await server.cli('ACL', 'SETUSER', 'bob', 'off', '>builder', '+@all');
    const pool = createPool(server.url, { username: 'bob', password: 'builder' });
    try {
      expect(await firstError(pool)).to.be.instanceOf(AuthError);
    } finally {
      await pool.close();
    }
  });
});
