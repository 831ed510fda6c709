import { expect } from 'chai';
import type { Socket } from 'node:net';
import { reply, script, startFakeServer, type FakeServer } from '../helpers/fake-server.js';
import { closePools, settle, trackedPool } from './support.js';

const INTERVAL = 100;

/**
 * A server that was slow, not dead, answers the health check's probe and the silent connection
 * in the same instant. The probe's reply can then be read first, in the same event-loop pass
 * as the replies waiting on the connection's own socket: the verdict must count those replies,
 * not drop a connection that has just been answered (its commands would fail as "may have run").
 * A scripted server, because a real one cannot be made to answer two sockets in a chosen order.
 */
describe('resilience: the probe verdict and replies that arrive with it', () => {
  let server: FakeServer | undefined;

  afterEach(async () => {
    await closePools();
    await server?.close();
    server = undefined;
  });

  it('keeps a silent connection whose replies come in the same pass as the probe\'s answer', async () => {
    // GET is held (silent) until the probe asks CLIENT LIST; then the probe is answered first
    // and the held replies right after, so both sockets are readable in one poll.
    const held: Socket[] = [];
    let probes = 0;
    const { onData } = script({
      GET: (_args, socket) => {
        held.push(socket);
        return undefined;
      },
      CLIENT: (args, socket) => {
        if (args[0]?.toUpperCase() === 'ID') return reply.int(7);
        if (args[0]?.toUpperCase() !== 'LIST') return reply.simple('OK');
        probes++;
        // Listed, not blocked: on its own, a verdict of "not held".
        socket.write(reply.bulk(`id=${args[2]} addr=127.0.0.1:1 fd=8 name= age=1 idle=0 flags=N db=0 cmd=get\n`));
        for (const s of held.splice(0)) s.write(reply.bulk('late but here'));
        return undefined;
      },
    });
    server = await startFakeServer(onData);
    const pool = trackedPool(server.url, { size: 1, healthCheckInterval: INTERVAL });
    expect(await pool.command(['PING'])).to.equal('PONG');
    let reconnects = 0;
    pool.on('reconnecting', () => reconnects++);
    const outcome = await settle(pool.command(['GET', 'k']));
    expect(probes, `the probe was asked (${JSON.stringify(outcome.ok ? outcome.value : outcome.error.message)})`).to.equal(1);
    expect(outcome).to.deep.equal({ ok: true, value: 'late but here' });
    expect(reconnects).to.equal(0);
    expect(await pool.command(['PING'])).to.equal('PONG');
  });

  it('still drops a silent connection the server lists as neither held nor answered', async () => {
    let probes = 0;
    const { onData } = script({
      GET: () => undefined,
      CLIENT: (args) => {
        if (args[0]?.toUpperCase() === 'ID') return reply.int(7);
        if (args[0]?.toUpperCase() !== 'LIST') return reply.simple('OK');
        probes++;
        return reply.bulk(`id=${args[2]} addr=127.0.0.1:1 fd=8 name= age=1 idle=0 flags=N db=0 cmd=get\n`);
      },
    });
    server = await startFakeServer(onData);
    const pool = trackedPool(server.url, { size: 1, healthCheckInterval: INTERVAL });
    expect(await pool.command(['PING'])).to.equal('PONG');
    const outcome = await settle(pool.command(['GET', 'k']));
    expect(probes).to.equal(1);
    expect(outcome.ok).to.equal(false);
    expect((outcome as { error: Error }).error.message).to.match(/no reply from 127\.0\.0\.1:\d+ for 200 ms/);
  });
});
