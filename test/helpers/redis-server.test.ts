import { expect } from 'chai';
import { once } from 'node:events';
import { createConnection } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { rawCommands } from './raw-client.js';
import { RawErrorReply } from './raw-resp.js';
import { INSTALL_HINT, redisServerAvailable, startRedis, type RedisServer } from './redis-server.js';

/** True if the process exists (signal 0 only checks). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function refused(port: number): Promise<boolean> {
  const socket = createConnection(port, '127.0.0.1');
  try {
    await once(socket, 'connect');
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ECONNREFUSED';
  } finally {
    socket.destroy();
  }
}

describe('helpers/redis-server', () => {
  it('finds redis-server (install it if this fails)', () => {
    expect(redisServerAvailable(), INSTALL_HINT).to.equal(true);
  });

  describe('a plain server', () => {
    let server: RedisServer;
    before(async () => {
      server = await startRedis();
    });
    after(() => server.kill());

    it('listens on a free loopback port, never 6379', async () => {
      expect(server.port).to.be.a('number').and.not.equal(6379);
      expect(server.url).to.equal(`redis://127.0.0.1:${server.port}`);
      expect(await server.cli('PING')).to.equal('PONG');
    });

    it('runs commands through cli() and shows replies as text', async () => {
      expect(await server.cli('SET', 'k', 'v')).to.equal('OK');
      expect(await server.cli('GET', 'k')).to.equal('v');
      expect(await server.cli('GET', 'missing')).to.equal('(nil)');
      expect(await server.cli('RPUSH', 'l', 'a', 'b')).to.equal('2');
      expect(await server.cli('LRANGE', 'l', 0, -1)).to.equal('["a","b"]');
      expect(await server.cli('CLIENT', 'LIST')).to.match(/cmd=client\|list/);
    });

    it('rejects cli() on an error reply, with its code', async () => {
      await server.cli('SET', 's', 'x');
      const err = await server.cli('LPUSH', 's', 'y').catch((e: unknown) => e);
      expect(err).to.be.instanceOf(RawErrorReply);
      expect((err as RawErrorReply).code).to.equal('WRONGTYPE');
    });

    it('has persistence off and DEBUG enabled for local clients', async () => {
      expect(await server.cli('CONFIG', 'GET', 'save')).to.equal('["save",""]');
      expect(await server.cli('CONFIG', 'GET', 'appendonly')).to.equal('["appendonly","no"]');
      expect(await server.cli('DEBUG', 'SLEEP', 0)).to.equal('OK');
    });

    it('pauses (answers nothing) and resumes', async () => {
      server.pause();
      try {
        const err = await rawCommands({ port: server.port }, [['PING']], { timeoutMs: 200 }).catch((e: unknown) => e);
        expect(String(err)).to.match(/no complete reply/);
      } finally {
        server.resume();
      }
      expect(await server.cli('PING')).to.equal('PONG');
    });
  });

  it('stops, then restarts on the same port with a new process', async () => {
    const server = await startRedis();
    const { port, pid } = server;
    await server.stop();
    expect(alive(pid)).to.equal(false);
    expect(await refused(port)).to.equal(true);
    const again = await server.restart();
    expect(again.port).to.equal(port);
    expect(again.pid).to.not.equal(pid);
    expect(await again.cli('PING')).to.equal('PONG');
    await again.kill();
  });

  it('kills with SIGKILL, restarts after that, and stops a paused server', async () => {
    const server = await startRedis();
    const pid = server.pid;
    await server.kill();
    expect(alive(pid)).to.equal(false);
    await server.restart();
    server.pause();
    await server.stop(); // must not hang on the stopped process
    expect(alive(server.pid)).to.equal(false);
  });

  it('passes extra args, and cli() authenticates with --requirepass', async () => {
    const server = await startRedis({ args: ['--requirepass', 's3cret', '--maxmemory', '10mb'] });
    try {
      expect(server.password).to.equal('s3cret');
      expect(await server.cli('CONFIG', 'GET', 'maxmemory')).to.equal('["maxmemory","10485760"]');
      const [noAuth] = await rawCommands({ port: server.port }, [['PING']]);
      expect((noAuth as RawErrorReply).code).to.equal('NOAUTH');
    } finally {
      await server.kill();
    }
  });

  it('starts on a requested port', async () => {
    const first = await startRedis();
    const port = first.port;
    await first.kill();
    const second = await startRedis({ port });
    expect(second.port).to.equal(port);
    expect(await second.cli('PING')).to.equal('PONG');
    await second.kill();
  });

  it('listens on a unix socket when asked', async () => {
    const server = await startRedis({ unixSocket: true });
    try {
      expect(server.socketPath).to.be.a('string');
      const [pong] = await rawCommands({ path: server.socketPath! }, [['PING']]);
      expect(pong).to.equal('PONG');
    } finally {
      await server.kill();
    }
  });

  it('listens with TLS on a second port when asked', async () => {
    const server = await startRedis({ tls: true });
    try {
      expect(server.tlsPort).to.be.a('number').and.not.equal(server.port);
      expect(server.tlsUrl).to.equal(`rediss://127.0.0.1:${server.tlsPort}`);
      const { ca, clientCert, clientKey } = server.certs!;
      // With and without a client certificate: --tls-auth-clients is 'optional'.
      for (const clientAuth of [{ cert: clientCert.pem, key: clientKey.pem }, {}]) {
        const socket = tlsConnect({ host: '127.0.0.1', port: server.tlsPort!, ca: ca.pem, ...clientAuth });
        await once(socket, 'secureConnect');
        expect(socket.authorized, String(socket.authorizationError)).to.equal(true);
        socket.write('*1\r\n$4\r\nPING\r\n');
        const [data] = (await once(socket, 'data')) as [Buffer];
        expect(data.toString()).to.equal('+PONG\r\n');
        socket.destroy();
      }
    } finally {
      await server.kill();
    }
  });

  it('fails with the server output when redis-server exits before it is ready', async () => {
    const err = await startRedis({ args: ['--no-such-option', 'x'] }).catch((e: unknown) => e);
    expect(String(err)).to.match(/exited before ready/).and.match(/no-such-option/);
  });

  it('fails with the install hint when no redis-server binary is found', async () => {
    const saved = process.env['REDIS_SERVER_BIN'];
    process.env['REDIS_SERVER_BIN'] = '/nonexistent/redis-server';
    try {
      expect(redisServerAvailable()).to.equal(false);
      const err = await startRedis().catch((e: unknown) => e);
      expect(String(err)).to.include(INSTALL_HINT);
    } finally {
      if (saved === undefined) delete process.env['REDIS_SERVER_BIN'];
      else process.env['REDIS_SERVER_BIN'] = saved;
    }
  });
});
