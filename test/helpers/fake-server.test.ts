import { expect } from 'chai';
import { once } from 'node:events';
import { createConnection } from 'node:net';
import { reply, startFakeServer, startScriptedServer, type FakeServer } from './fake-server.js';
import { rawCommands } from './raw-client.js';
import { encodeCommand, RawErrorReply } from './raw-resp.js';

describe('helpers/fake-server', () => {
  let server: FakeServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('hands raw bytes to the handler, which can answer anything', async () => {
    const seen: string[] = [];
    server = await startFakeServer((socket, data) => {
      seen.push(data.toString());
      socket.write('garbage that is not RESP\r\n');
    });
    const err = await rawCommands({ port: server.port }, [['PING']]).catch((e: unknown) => e);
    expect(String(err)).to.match(/unexpected type byte/);
    expect(seen.join('')).to.equal('*1\r\n$4\r\nPING\r\n');
  });

  it('lists open sockets and destroys them on close', async () => {
    let arrived!: () => void;
    const dataArrived = new Promise<void>((resolve) => (arrived = resolve));
    const fake = await startFakeServer(() => arrived());
    server = fake;
    const client = createConnection(fake.port, '127.0.0.1');
    client.write('x');
    await dataArrived;
    expect(fake.sockets.size).to.equal(1);
    const closed = once(client, 'close');
    await fake.close();
    await closed;
    expect(fake.sockets.size).to.equal(0);
  });

  it('answers the handshake by default, in RESP2 and RESP3', async () => {
    const fake = await startScriptedServer();
    server = fake;
    const [hello3, hello2, ping, auth] = await rawCommands({ port: fake.port }, [
      ['HELLO', '3'], ['HELLO', '2'], ['PING'], ['AUTH', 'u', 'p'],
    ]);
    expect(hello3).to.deep.include({ proto: 3, server: 'redis' });
    expect(hello2).to.be.an('array').that.includes('proto');
    expect(ping).to.equal('PONG');
    expect(auth).to.equal('OK');
    expect(fake.commands).to.deep.equal([['HELLO', '3'], ['HELLO', '2'], ['PING'], ['AUTH', 'u', 'p']]);
  });

  it('answers from the table, errors on unknown commands, and decodes commands split at every byte', async () => {
    const fake = await startScriptedServer({
      GET: (args) => reply.bulk(`value of ${args[0]}`),
      NUMS: reply.array([reply.int(1), reply.nil]),
    });
    server = fake;
    const client = createConnection(fake.port, '127.0.0.1');
    client.setNoDelay(true);
    let received = '';
    client.on('data', (d: Buffer) => (received += d.toString()));
    const bytes = Buffer.concat([encodeCommand(['GET', 'k']), encodeCommand(['NUMS']), encodeCommand(['NOPE'])]);
    for (const byte of bytes) client.write(Buffer.from([byte]));
    while (!received.endsWith("'NOPE'\r\n")) await once(client, 'data');
    expect(received).to.equal("$10\r\nvalue of k\r\n*2\r\n:1\r\n$-1\r\n-ERR unknown command 'NOPE'\r\n");
    client.destroy();
  });

  it('stays silent when an entry returns undefined (a hung server)', async () => {
    server = await startScriptedServer({ BLPOP: () => undefined });
    const err = await rawCommands({ port: server.port }, [['BLPOP', 'q', '0']], { timeoutMs: 100 }).catch((e: unknown) => e);
    expect(String(err)).to.match(/no complete reply/);
  });

  it('can send an error and a reply nobody asked for', async () => {
    server = await startScriptedServer({
      GET: (_args, socket) => {
        socket.write(reply.push([reply.bulk('message'), reply.bulk('ch'), reply.bulk('hi')]));
        return reply.error('ERR boom');
      },
    });
    const [push, err] = await rawCommands({ port: server.port }, [['GET', 'k'], ['PING']]);
    expect(push).to.deep.equal(['message', 'ch', 'hi']);
    expect(err).to.be.instanceOf(RawErrorReply);
  });
});
