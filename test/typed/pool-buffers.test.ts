/**
 * A pool (or cluster) created with `returnBuffers: true` is typed `Pool<true>` and its typed
 * methods are typed with Buffer replies (test/types/return-buffers.ts); here, against real
 * servers, that the replies really are Buffers where the types say so, on RESP2 and RESP3,
 * and strings where a call (or exec) says `returnBuffers: false`.
 */
import { expect } from 'chai';
import { createCluster, createPool, type Cluster, type Pool } from '../../lib/index.js';
import { sharedCluster } from '../helpers/redis-cluster.js';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';
import { CALLS, LIB1, seed, WITH } from './fixtures.js';
import { loadReplyTypes } from './shape.js';

const types = loadReplyTypes();

function isBuffer(value: unknown, text: string): void {
  expect(Buffer.isBuffer(value), `${String(value)} is a Buffer`).to.equal(true);
  expect((value as Buffer).toString()).to.equal(text);
}

describe('typed methods on a pool created with returnBuffers: true', function () {
  this.timeout(30_000);
  let server: RedisServer;
  before(async () => {
    // As in replies.test.ts: a script counts as busy after 10 ms (SCRIPT KILL needs one running).
    server = await startRedis({ args: ['--busy-reply-threshold', '10', '--enable-debug-command', 'yes'] });
  });
  after(async () => {
    await server?.stop();
  });

  for (const protocol of [2, 3] as const) {
    describe(`RESP${protocol}`, () => {
      let pool: Pool<true>;
      before(async () => {
        pool = createPool(server.url, { protocol, size: 2, returnBuffers: true });
        await pool.flushall();
      });
      after(async () => {
        await pool?.close();
      });

      it('every curated call replies its type with strings as Buffers (Buf<T>)', async () => {
        const text = createPool(server.url, { protocol, size: 1 });
        try {
          await seed(text);
          await text.functionLoad(LIB1, { REPLACE: true });
        } finally {
          await text.close();
        }
        // The fixtures' calls are typed for a text pool; the Buffer pool runs the same calls and
        // each reply is checked against the curated type read as Buf<type>, or BufReplies'.
        const same = pool as unknown as Pool;
        const failures: string[] = [];
        for (const [table, calls] of [[types.replies, CALLS], [types.with, WITH]] as const) {
          for (const [name, call] of Object.entries(calls)) {
            // BufReplies' types are written with their Buffers; the others are read as Buf<T>.
            const exception = table === types.replies ? types.bufReplies.get(name) : undefined;
            try {
              const reply = await call(same);
              const error = exception !== undefined ? types.check(reply, exception) : types.check(reply, table.get(name)!, true);
              if (error !== null) failures.push(`${name}: ${error}`);
            } catch (err) {
              failures.push(`${name}: threw ${(err as Error).message}`);
            }
          }
        }
        expect(failures).to.deep.equal([]);
        await pool.flushall();
      });

      it('replies Buffers where the type has Buffers', async () => {
        const ok: 'OK' | null = await pool.set('k', 'v');
        expect(ok).to.equal('OK'); // a simple string: text even with returnBuffers
        isBuffer(await pool.get('k'), 'v');
        isBuffer(await pool.set('k', 'w', { GET: true }), 'v');
        expect(await pool.get('missing')).to.equal(null);
        await pool.hset('h', { f: 'x', g: 'y' });
        const hash: Record<string, Buffer> = await pool.hgetall('h');
        expect(Object.keys(hash).sort()).to.deep.equal(['f', 'g']);
        isBuffer(hash.f, 'x');
        const many = await pool.mget('k', 'missing');
        isBuffer(many[0], 'w');
        expect(many[1]).to.equal(null);
        await pool.rpush('l', 'a');
        const popped = await pool.blpop('l', 1);
        isBuffer(popped![0], 'l');
        isBuffer(popped![1], 'a');
      });

      it('keeps numbers numbers (INCR, ZSCORE, WITHSCORES scores)', async () => {
        expect(await pool.incr('n')).to.equal(1);
        await pool.zadd('z', [[1.5, 'a'], [2, 'b']]);
        expect(await pool.zscore('z', 'a')).to.equal(1.5);
        const pairs: [Buffer, number][] = await pool.zrange('z', 0, -1, { WITHSCORES: true });
        expect(pairs).to.have.length(2);
        isBuffer(pairs[0]![0], 'a');
        expect(pairs[0]![1]).to.equal(1.5);
        const members: Buffer[] = await pool.zrange('z', 0, -1);
        isBuffer(members[1], 'b');
      });

      it('a call with returnBuffers: false replies strings', async () => {
        await pool.set('t', 'text');
        const text: string | null = await pool.get('t', { returnBuffers: false });
        expect(text).to.equal('text');
        const pairs: [string, number][] = await pool.zrange('z', 0, 0, { WITHSCORES: true, returnBuffers: false });
        expect(pairs).to.deep.equal([['a', 1.5]]);
      });

      it('a batch types simple strings and stream IDs as text, as they come back', async () => {
        await pool.set('t', 'text');
        // The tuple's declared types (a Buffer pool's batch): tsc checks these assignments.
        const [kind, pong, echoed, help, id, entries, missing]: [
          string, string | Buffer, string | Buffer, string[], Buffer | null, { id: string; fields: Record<string, Buffer> | null }[], Buffer | null,
        ] = await pool.batch().type('t').ping().ping('hi').objectHelp().xadd('bx', '5-1', { f: 'v' })
          .xrange('bx', '-', '+').get('missing').exec();
        expect(kind).to.equal('string');
        expect(pong).to.equal('PONG');
        isBuffer(echoed, 'hi');
        expect(help.length).to.be.greaterThan(2);
        for (const line of help) expect(line).to.be.a('string');
        isBuffer(id, '5-1');
        expect(entries).to.have.length(1);
        expect(entries[0]!.id).to.equal('5-1');
        isBuffer(entries[0]!.fields!.f, 'v');
        expect(missing).to.equal(null);
        // The same in a transaction, and text everywhere with exec({ returnBuffers: false }).
        const [kind2, help2] = await pool.multi().type('t').xinfoHelp().exec();
        const typed: [string, string[]] = [kind2, help2];
        expect(typed[0]).to.equal('string');
        expect(typed[1][0]).to.be.a('string');
        const [id2]: [string | null] = await pool.batch().xadd('bx', '5-2', { f: 'w' }).exec({ returnBuffers: false });
        expect(id2).to.equal('5-2');
      });

      it('handles and batches follow the pool; exec({ returnBuffers: false }) gives strings', async () => {
        const got = await pool.use(async (h) => h.get('t'));
        isBuffer(got, 'text');
        const [a, b] = await pool.batch().get('t').incr('n').exec();
        isBuffer(a, 'text');
        expect(b).to.equal(2);
        const [c] = await pool.multi().get('t').exec({ returnBuffers: false });
        expect(c).to.equal('text');
      });
    });
  }

  it('a text pool still replies strings, and Buffers for a call that asks', async () => {
    const pool = createPool(server.url, { size: 1 });
    try {
      await pool.set('s', 'str');
      expect(await pool.get('s')).to.equal('str');
      isBuffer(await pool.get('s', { returnBuffers: true }), 'str');
      const [x] = await pool.batch().get('s').exec({ returnBuffers: true });
      isBuffer(x, 'str');
    } finally {
      await pool.close();
    }
  });
});

describe('typed methods on a cluster created with returnBuffers: true', function () {
  this.timeout(60_000);
  let cluster: Cluster<true>;
  before(async () => {
    const nodes = await sharedCluster();
    cluster = createCluster({ nodes: [nodes.urls[0]!], returnBuffers: true });
  });
  after(async () => {
    await cluster?.close();
  });

  it('replies Buffers, on the cluster and on its handles', async () => {
    await cluster.set('{pb}k', 'v');
    isBuffer(await cluster.get('{pb}k'), 'v');
    const many = await cluster.mget('{pb}k', 'pb-other');
    isBuffer(many[0], 'v');
    expect(many[1]).to.equal(null);
    await cluster.hset('{pb}h', { f: 'x' });
    isBuffer((await cluster.hgetall('{pb}h')).f, 'x');
    isBuffer(await cluster.use(async (h) => h.get('{pb}k')), 'v');
    expect(await cluster.get('{pb}k', { returnBuffers: false })).to.equal('v');
    await cluster.del('{pb}k', '{pb}h');
  });
});
