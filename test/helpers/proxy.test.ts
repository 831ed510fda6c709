import { expect } from 'chai';
import { once } from 'node:events';
import { createConnection, type Socket } from 'node:net';
import { startFakeServer, type FakeServer } from './fake-server.js';
import { startProxy, type FaultProxy } from './proxy.js';
import { rawCommands } from './raw-client.js';
import { startRedis, type RedisServer } from './redis-server.js';

async function connectTo(port: number): Promise<Socket> {
  const socket = createConnection(port, '127.0.0.1');
  await once(socket, 'connect');
  return socket;
}

/** Resolves with every chunk the socket receives until `total` bytes have arrived. */
async function readChunks(socket: Socket, total: number): Promise<Buffer[]> {
  const chunks: Buffer[] = [];
  let size = 0;
  while (size < total) {
    const [chunk] = (await once(socket, 'data')) as [Buffer];
    chunks.push(chunk);
    size += chunk.length;
  }
  return chunks;
}

describe('helpers/proxy', () => {
  describe('in front of a real redis-server', () => {
    let redis: RedisServer;
    let proxy: FaultProxy;
    before(async () => {
      redis = await startRedis();
    });
    after(() => redis.kill());
    beforeEach(async () => {
      proxy = await startProxy({ port: redis.port });
    });
    afterEach(() => proxy.close());

    it('forwards in pass mode and counts bytes both ways', async () => {
      expect(proxy.url).to.equal(`redis://127.0.0.1:${proxy.port}`);
      const [pong] = await rawCommands({ port: proxy.port }, [['PING']]);
      expect(pong).to.equal('PONG');
      expect(proxy.bytesToServer).to.equal('*1\r\n$4\r\nPING\r\n'.length);
      expect(proxy.bytesToClient).to.equal('+PONG\r\n'.length);
    });

    it('counts open connections and cuts them all', async () => {
      const a = await connectTo(proxy.port);
      const b = await connectTo(proxy.port);
      // A reply through each proves the proxy has accepted both before we count.
      a.write('*1\r\n$4\r\nPING\r\n');
      b.write('*1\r\n$4\r\nPING\r\n');
      await Promise.all([once(a, 'data'), once(b, 'data')]);
      expect(proxy.connections()).to.equal(2);
      const closed = Promise.all([once(a, 'close'), once(b, 'close')]);
      proxy.cutAll();
      await closed;
      expect(proxy.connections()).to.equal(0);
      expect(await redis.cli('PING')).to.equal('PONG'); // the server itself is untouched
    });

    it('cuts with a TCP reset when asked', async () => {
      const socket = await connectTo(proxy.port);
      socket.write('*1\r\n$4\r\nPING\r\n');
      await once(socket, 'data');
      const error = once(socket, 'error');
      proxy.cutAll('reset');
      const [err] = (await error) as [NodeJS.ErrnoException];
      expect(err.code).to.equal('ECONNRESET');
    });

    it('swallows traffic in blackhole mode, then forwards again for new connections', async () => {
      proxy.setMode('blackhole');
      const err = await rawCommands({ port: proxy.port }, [['PING']], { timeoutMs: 150 }).catch((e: unknown) => e);
      expect(String(err)).to.match(/no complete reply/);
      expect(proxy.bytesToServer).to.equal(0);
      proxy.setMode('pass');
      expect(await rawCommands({ port: proxy.port }, [['PING']])).to.deep.equal(['PONG']);
    });

    it('refuses new connections while asked to', async () => {
      proxy.refuse(true);
      const err = await rawCommands({ port: proxy.port }, [['PING']]).catch((e: unknown) => e);
      expect(String(err)).to.match(/closed after 0\/1 replies|ECONNRESET/);
      proxy.refuse(false);
      expect(await rawCommands({ port: proxy.port }, [['PING']])).to.deep.equal(['PONG']);
    });

    it('closes the client side when the server dies', async () => {
      const socket = await connectTo(proxy.port);
      socket.on('error', () => {}); // a reset is as good as a FIN here
      socket.write('*1\r\n$4\r\nPING\r\n');
      await once(socket, 'data');
      const closed = once(socket, 'close');
      await redis.kill();
      await closed;
      expect(proxy.connections()).to.equal(0);
      await redis.restart();
    });

    it('stops listening on close', async () => {
      const port = proxy.port;
      await proxy.close();
      const err = await rawCommands({ port }, [['PING']]).catch((e: unknown) => e);
      expect(String(err)).to.match(/ECONNREFUSED/);
    });
  });

  describe('split mode', () => {
    const payload = Buffer.from('+0123456789abcdefghij\r\n');
    let fake: FakeServer;
    let proxy: FaultProxy;
    before(async () => {
      fake = await startFakeServer((socket) => socket.write(payload));
      proxy = await startProxy({ port: fake.port });
    });
    after(async () => {
      await proxy.close();
      await fake.close();
    });

    it('delivers server bytes in chunks no larger than chunkSize, in order', async () => {
      proxy.setMode('split', { chunkSize: 4, delayMs: 5 });
      const socket = await connectTo(proxy.port);
      socket.write('go');
      const chunks = await readChunks(socket, payload.length);
      expect(Buffer.concat(chunks)).to.deep.equal(payload);
      expect(chunks.length).to.be.at.least(Math.ceil(payload.length / 4));
      for (const chunk of chunks) expect(chunk.length).to.be.at.most(4);
      socket.destroy();
    });

    it('releases held bytes at once when switched back to pass', async () => {
      proxy.setMode('split', { chunkSize: 1, delayMs: 10_000 });
      const socket = await connectTo(proxy.port);
      socket.write('go');
      const [first] = (await once(socket, 'data')) as [Buffer];
      expect(first.length).to.equal(1);
      proxy.setMode('pass');
      const rest = await readChunks(socket, payload.length - 1);
      expect(Buffer.concat([first, ...rest])).to.deep.equal(payload);
      socket.destroy();
    });
  });
});
