import { expect } from 'chai';
import { createPool, type Pool } from '../../lib/index.js';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';

/** A pipeline that reports which connection ran it: CLIENT ID, then `size - 1` PINGs. */
function tagged(size: number): (string[])[] {
  const commands: string[][] = [['CLIENT', 'ID']];
  for (let i = 1; i < size; i++) commands.push(['PING']);
  return commands;
}

describe('pool: a burst of pipelines is spread over the connections as they are added', function () {
  let server: RedisServer;
  let pool: Pool | undefined;

  before(async function () {
    server = await startRedis();
  });
  afterEach(async function () {
    await pool?.close();
    pool = undefined;
  });
  after(async function () {
    await server?.stop();
  });

  it('8 large pipelines issued in one tick run on all 4 connections, each whole and in order', async function () {
    pool = createPool(server.url, { size: 4 });
    await pool.command(['PING']); // the rotation holds one connection when the burst comes
    expect(pool.stats.shared).to.equal(1);
    const results = await Promise.all(Array.from({ length: 8 }, () => pool!.pipeline(tagged(300))));
    const ids = new Map<number, number>();
    for (const replies of results) {
      expect(replies).to.have.length(300);
      expect(replies.slice(1).every((r) => r === 'PONG')).to.equal(true);
      const id = replies[0] as number;
      ids.set(id, (ids.get(id) ?? 0) + 1);
    }
    // Before: all 8 on the first connection (200,000 commands on one socket in the bench).
    expect(ids.size).to.equal(4);
    expect(Math.max(...ids.values())).to.be.at.most(3);
  });

  it('pipelines issued before the first connection exists are spread too', async function () {
    pool = createPool(server.url, { size: 2 });
    const results = await Promise.all(Array.from({ length: 4 }, () => pool!.pipeline(tagged(300))));
    expect(new Set(results.map((r) => r[0])).size).to.equal(2);
  });

  it('small pipelines stay on one connection', async function () {
    pool = createPool(server.url, { size: 4 });
    await pool.command(['PING']);
    const results = await Promise.all(Array.from({ length: 8 }, () => pool!.pipeline(tagged(10))));
    expect(new Set(results.map((r) => r[0])).size).to.equal(1);
    expect(pool.stats.shared).to.equal(1);
  });
});
