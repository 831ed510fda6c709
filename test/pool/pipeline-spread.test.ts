import { expect } from 'chai';
import { createPool, type Pool } from '../../lib/index.js';
import { withServer } from '../helpers/suite.js';

/**
 * A pipeline that reports which connection ran it: CLIENT ID, `size - 2` PINGs, CLIENT ID.
 * Both ids equal means it ran whole on one connection.
 */
function tagged(size: number): string[][] {
  const commands: string[][] = [['CLIENT', 'ID']];
  for (let i = 2; i < size; i++) commands.push(['PING']);
  commands.push(['CLIENT', 'ID']);
  return commands;
}

/** Checks each pipeline ran whole on one connection; returns how many ran on each. */
function perConnection(results: unknown[][], size: number): Map<number, number> {
  const ids = new Map<number, number>();
  for (const replies of results) {
    expect(replies).to.have.length(size);
    const errors = replies.filter((r) => r instanceof Error);
    expect(errors, String(errors[0])).to.have.length(0);
    expect(replies.slice(1, -1).every((r) => r === 'PONG')).to.equal(true);
    const id = replies[0] as number;
    expect(replies[size - 1]).to.equal(id);
    ids.set(id, (ids.get(id) ?? 0) + 1);
  }
  return ids;
}

describe('pool: a burst of pipelines is spread over the connections as they are added', function () {
  const ctx = withServer();
  let pool: Pool | undefined;
  afterEach(async function () {
    await pool?.close();
    pool = undefined;
  });

  it('8 large pipelines issued in one tick run on all 4 connections, each whole', async function () {
    pool = createPool(ctx.server.url, { size: 4 });
    await pool.command(['PING']); // the rotation holds one connection when the burst comes
    expect(pool.stats.shared).to.equal(1);
    const results = await Promise.all(Array.from({ length: 8 }, () => pool!.pipeline(tagged(300))));
    const ids = perConnection(results, 300);
    // Before: all 8 on the first connection (200,000 commands on one socket in the bench).
    expect(ids.size).to.equal(4);
    expect(Math.max(...ids.values())).to.be.at.most(3);
  });

  it('pipelines issued before the first connection exists are spread too', async function () {
    pool = createPool(ctx.server.url, { size: 2 });
    const results = await Promise.all(Array.from({ length: 4 }, () => pool!.pipeline(tagged(300))));
    expect(perConnection(results, 300).size).to.equal(2);
  });

  it('small pipelines stay on one connection', async function () {
    pool = createPool(ctx.server.url, { size: 4 });
    await pool.command(['PING']);
    // 8 x 5 commands: fewer than the 64 in flight past which the rotation grows.
    const results = await Promise.all(Array.from({ length: 8 }, () => pool!.pipeline(tagged(5))));
    expect(perConnection(results, 5).size).to.equal(1);
    expect(pool.stats.shared).to.equal(1);
  });

  it('a connection still connecting takes no more than its outbox holds: the rest waits for it to be ready', async function () {
    // maxPending 5000: the second connection's outbox holds 10 pipelines of 500 before it is
    // connected; an eleventh there would fail its commands past 5000 with QueueFullError.
    // (The first, ready, writes its outbox once 4096 commands wait, so it stays below 5000.)
    pool = createPool(ctx.server.url, { size: 2, maxPending: 5000 });
    await pool.command(['PING']);
    const results = await Promise.all(Array.from({ length: 30 }, () => pool!.pipeline(tagged(500))));
    const ids = perConnection(results, 500);
    expect(ids.size).to.equal(2);
    expect(Math.max(...ids.values())).to.be.at.most(20);
  });

  it('closing the pool answers the pipelines that waited for a connection to be ready', async function () {
    pool = createPool(ctx.server.url, { size: 2, maxPending: 5000 });
    await pool.command(['PING']);
    const issued = Array.from({ length: 30 }, () => pool!.pipeline(tagged(500)));
    const closed = pool.close();
    pool = undefined;
    const results = await Promise.all(issued);
    await closed;
    expect(perConnection(results, 500).size).to.be.at.least(1);
  });

  it('closed-loop callers whose pipelines hold more commands than maxPending all finish, without errors', async function () {
    // The scenario that livelocked a first version (it counted a waiting pipeline's commands
    // against maxPending): 40 callers x 100 commands = 4,000 commands for maxPending 1000.
    // It refused most pipelines at once; a caller retrying at once never yields to the event
    // loop, so the connections being added never connect. Here each caller runs 5 pipelines
    // back to back and never waits on a timer, so a refusal is counted, not spun on.
    pool = createPool(ctx.server.url, { size: 4, maxPending: 1000 });
    await pool.command(['PING']);
    const p = pool;
    let refused = 0;
    let firstError: unknown;
    const ids = new Set<unknown>();
    const caller = async (i: number): Promise<number> => {
      const batch: string[][] = [['CLIENT', 'ID']];
      for (let j = 1; j < 100; j++) batch.push(j % 2 === 1 ? ['SET', `spread:${i}`, String(j)] : ['GET', `spread:${i}`]);
      let done = 0;
      for (let round = 0; round < 5; round++) {
        const replies = await p.pipeline(batch);
        const error = replies.find((r) => r instanceof Error);
        if (error !== undefined) {
          refused++;
          firstError ??= error;
          continue;
        }
        ids.add(replies[0]);
        // In order: each GET reads the SET just before it.
        for (let j = 2; j < 100; j += 2) expect(replies[j]).to.equal(String(j - 1));
        done++;
      }
      return done;
    };
    const done = await Promise.all(Array.from({ length: 40 }, (_, i) => caller(i)));
    expect(refused, String(firstError)).to.equal(0);
    expect(done.every((d) => d === 5)).to.equal(true);
    expect(ids.size).to.be.at.least(2);
  });
});
