// Leases never take the last shared connection: blocking commands cannot starve the pool.
import { expect } from 'chai';
import { createPool } from '../../lib/index.js';
import { startRedis } from '../helpers/redis-server.js';

describe('blocking commands never take the last shared connection', () => {
  it('two BLPOPs on a fresh size-2 pool: a GET still completes', async () => {
    const server = await startRedis();
    const pool = createPool(server.url, { size: 2, acquireTimeout: 2000 });
    const a = pool.command(['BLPOP', 'q', 0]);
    const b = pool.command(['BLPOP', 'q', 0]);
    try {
      expect(await pool.command(['PING'])).to.equal('PONG');
    } finally {
      await server.cli('RPUSH', 'q', 1, 2);
      await Promise.all([a, b]);
      await pool.close();
      await server.stop();
    }
  });
});

describe('close() with a blocking command waiting', () => {
  it('ends the wait with PoolClosedError instead of hanging', async () => {
    const server = await startRedis();
    const pool = createPool(server.url, { size: 2 });
    await pool.command(['PING']);
    const blocked = pool.command(['BLPOP', 'never', 0]).catch((e: unknown) => e);
    // Wait until the server sees the client blocked: an event on the server, polled by command.
    while (!/blocked_clients:1/.test(await server.cli('INFO', 'clients'))) await new Promise((r) => setImmediate(r));
    await pool.close();
    const err = await blocked;
    expect(err).to.be.instanceOf(Error);
    expect((err as Error).name).to.equal('PoolClosedError');
    await server.stop();
  });
});
