import { expect } from 'chai';
import {
  AuthError,
  ConnectionError,
  createPool,
  ReplyError,
  type CommandOptions,
  type Pool,
} from '../../lib/index.js';
import { freePort } from '../helpers/ports.js';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';

/** Issue 8.5: errors that misled (failFast), per-command options, 'error' events, username. */
describe('errors say what happened', function () {
  let server: RedisServer;
  let pool: Pool;

  before(async function () {
    server = await startRedis();
    pool = createPool({ port: server.port });
  });
  after(async function () {
    await pool?.close();
    await server?.stop();
  });

  it('failFast: a command that never reached a connection says it was not sent', async function () {
    const failing = createPool({ port: await freePort(), failFast: true, reconnectMaxDelay: 50 });
    try {
      const err = await failing.command(['SET', 'k', 'v']).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(ConnectionError);
      expect((err as Error).message).to.match(/not sent/);
      expect((err as Error).message).to.not.match(/may have run/);
      // While reconnecting, failFast rejects at once, saying the same.
      const again = await failing.command(['SET', 'k', 'v']).catch((e: unknown) => e);
      expect((again as Error).message).to.match(/not sent/);
    } finally {
      await failing.close();
    }
  });

  describe('per-command options are checked before anything is sent', function () {
    const cases: [string, unknown, typeof TypeError | typeof RangeError, RegExp][] = [
      ['a typo', { timout: 5 }, TypeError, /unknown command option 'timout'; did you mean 'timeout'\?/],
      ['an unknown key', { bogusKey: 1 }, TypeError, /unknown command option 'bogusKey' \(known: returnBuffers, timeout, signal\)/],
      ['a negative timeout', { timeout: -5 }, RangeError, /'timeout' must be from 0 to 2147483647 ms \(got -5\)/],
      ['a timeout past a timer\'s range', { timeout: 2 ** 31 }, RangeError, /'timeout' must be from 0/],
      ['NaN', { timeout: NaN }, RangeError, /'timeout' must be from 0/],
      ['a string timeout', { timeout: '5' }, TypeError, /'timeout' must be a number of milliseconds \(got "5"\)/],
      ['a string for options', 'fast', TypeError, /command options must be an object .*\(got "fast"\)/],
      ['null for options', null, TypeError, /command options must be an object/],
      ['a non-boolean returnBuffers', { returnBuffers: 1 }, TypeError, /'returnBuffers' must be a boolean/],
      ['a signal that is not an AbortSignal', { signal: {} }, TypeError, /'signal' must be an AbortSignal/],
    ];
    const ways: [string, (p: Pool, o: CommandOptions) => Promise<unknown>][] = [
      ['pool.command', (p, o) => p.command(['SET', 'sent', 1], o)],
      ['pool.pipeline', (p, o) => p.pipeline([['SET', 'sent', 1]], o)],
      ['pool.transaction', (p, o) => p.transaction([['SET', 'sent', 1]], o)],
      ['c.command', (p, o) => p.use((c) => c.command(['SET', 'sent', 1], o))],
      ['c.pipeline', (p, o) => p.use((c) => c.pipeline([['SET', 'sent', 1]], o))],
    ];
    for (const [what, options, Kind, message] of cases) {
      it(`${what}: ${Kind.name} through every entry point`, async function () {
        for (const [way, send] of ways) {
          const err = await send(pool, options as CommandOptions).catch((e: unknown) => e);
          expect(err, way).to.be.instanceOf(Kind);
          expect((err as Error).message, way).to.match(message);
        }
        expect(await pool.command(['EXISTS', 'sent'])).to.equal(0);
      });
    }

    it('accepts what is valid, undefined values included', async function () {
      const signal = new AbortController().signal;
      expect(await pool.command(['PING'], { timeout: 0, returnBuffers: false, signal })).to.equal('PONG');
      expect(await pool.command(['PING'], { timeout: 1500.5, signal: undefined })).to.equal('PONG');
    });
  });

  it("'error' and 'reconnecting' events carry a ConnectionError with the Node error as cause", async function () {
    const events = createPool({ port: await freePort(), reconnectMaxDelay: 50 });
    try {
      const error = await new Promise<Error>((resolve) => events.once('error', resolve));
      expect(error).to.be.instanceOf(ConnectionError);
      expect((error as ConnectionError).code).to.equal('ECONNECTION');
      expect(error.message).to.match(/^connection to 127\.0\.0\.1:\d+ failed: connect ECONNREFUSED/);
      expect((error.cause as NodeJS.ErrnoException).code).to.equal('ECONNREFUSED');
      const reconnecting = await new Promise<{ error: Error }>((resolve) => events.once('reconnecting', resolve));
      expect(reconnecting.error).to.be.instanceOf(ConnectionError);
    } finally {
      await events.close();
    }
  });

  it("'error' for a dropped connection: ConnectionError whose cause is the socket's error", async function () {
    const victim = await startRedis();
    const dropping = createPool({ port: victim.port, size: 1, reconnectMaxDelay: 50 });
    try {
      await dropping.command(['PING']);
      const error = new Promise<Error>((resolve) => dropping.once('error', resolve));
      await victim.kill();
      const err = await error;
      expect(err).to.be.instanceOf(ConnectionError);
      expect(err.message).to.include(`127.0.0.1:${victim.port}`);
    } finally {
      await dropping.close();
      await victim.stop();
    }
  });

  describe('username with an empty password', function () {
    before(async function () {
      await server.cli('ACL', 'SETUSER', 'nopassuser', 'on', 'nopass', '~*', '+@all');
      await server.cli('ACL', 'SETUSER', 'lockeduser', 'on', '>s3cret', '~*', '+@all');
    });

    for (const [how, input] of [
      ['options', (port: number) => createPool({ port, username: 'nopassuser', password: '' })],
      ['options without password', (port: number) => createPool({ port, username: 'nopassuser' })],
      ['a URL', (port: number) => createPool(`redis://nopassuser@127.0.0.1:${port}`)],
      ['RESP3', (port: number) => createPool({ port, username: 'nopassuser', password: '', protocol: 3 })],
    ] as const) {
      it(`authenticates as that user (${how}), not as default`, async function () {
        const userPool = input(server.port);
        try {
          expect(await userPool.command(['ACL', 'WHOAMI'])).to.equal('nopassuser');
        } finally {
          await userPool.close();
        }
      });
    }

    it('a user with a password refuses it with AuthError', async function () {
      const userPool = createPool({ port: server.port, username: 'lockeduser', password: '', acquireTimeout: 2000 });
      try {
        const err = await userPool.command(['PING']).catch((e: unknown) => e);
        expect(err).to.be.instanceOf(AuthError);
      } finally {
        await userPool.close();
      }
    });
  });

  it('ReplyError.command is the command name', async function () {
    await pool.command(['SET', 'str', 'x']);
    const err = await pool.command(['lpush', 'str', 'secret-value']).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(ReplyError);
    expect((err as ReplyError).command).to.equal('LPUSH');
  });
});
