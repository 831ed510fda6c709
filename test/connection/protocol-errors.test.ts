import { expect } from 'chai';
import type { Socket } from 'node:net';
import { createPool, ProtocolError } from '../../lib/index.js';
import { reply, startScriptedServer } from '../helpers/fake-server.js';

/** Resolves with the first 'reconnecting' payload of a pool. */
function reconnecting(pool: ReturnType<typeof createPool>): Promise<{ error: Error }> {
  return new Promise((resolve) => pool.once('reconnecting', resolve));
}

describe('protocol errors (a scripted fake server)', () => {
  it('bytes that are not RESP reject the waiting callers with ProtocolError, then the pool reconnects', async () => {
    let garbage = true;
    const fake = await startScriptedServer({
      GET: () => (garbage ? '?this is not RESP\r\n' : reply.bulk('fine')),
    });
    const pool = createPool({ port: fake.port, size: 1, reconnectInitialDelay: 5 });
    const lost = reconnecting(pool);
    const [first, second] = await Promise.all([
      pool.command(['GET', 'a']).catch((e: unknown) => e),
      pool.command(['GET', 'b']).catch((e: unknown) => e),
    ]);
    expect(first).to.be.instanceOf(ProtocolError);
    expect(second).to.be.an('error'); // written behind the garbage: it cannot be trusted either
    expect((await lost).error).to.be.instanceOf(ProtocolError);
    garbage = false;
    expect(await pool.command(['GET', 'c'])).to.equal('fine');
    await pool.close();
    await fake.close();
  });

  it('a reply with no caller waiting closes the connection instead of shifting replies', async () => {
    const sockets: Socket[] = [];
    const fake = await startScriptedServer({
      GET: (args, socket) => {
        sockets.push(socket);
        return reply.bulk(`value-of-${args[0]}`);
      },
    });
    const pool = createPool({ port: fake.port, size: 1, reconnectInitialDelay: 5 });
    expect(await pool.command(['GET', 'one'])).to.equal('value-of-one');
    const lost = reconnecting(pool);
    sockets[0]!.write(reply.bulk('nobody asked'));
    const { error } = await lost;
    expect(error).to.be.instanceOf(ProtocolError);
    expect(error.message).to.match(/no command waiting/);
    expect(await pool.command(['GET', 'two'])).to.equal('value-of-two');
    await pool.close();
    await fake.close();
  });

  it('a reply split at every byte decodes', async () => {
    const value = 'ünïcödé ✓ '.repeat(20);
    const fake = await startScriptedServer({
      GET: (_args, socket) => {
        const bytes = reply.bulk(value);
        for (let i = 0; i < bytes.length; i++) socket.write(bytes.subarray(i, i + 1));
        return undefined;
      },
    });
    const pool = createPool({ port: fake.port, size: 1 });
    expect(await pool.command(['GET', 'k'])).to.equal(value);
    await pool.close();
    await fake.close();
  });
});
