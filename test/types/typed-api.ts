/**
 * Type tests of the typed methods: checked by `npm run typecheck` (tsconfig includes test/),
 * never run. Each `@ts-expect-error` must meet an error, or the type check fails: a wrong
 * argument type, an unknown or exclusive option, or a reply used as what it is not.
 */
import type { Cluster, Handle, Pool, StreamRead } from '../../lib/index.js';

export async function typedApi(pool: Pool, cluster: Cluster): Promise<void> {
  // ── replies ──
  const got: string | null = await pool.get('k');
  const buf: Buffer | null = await pool.get('k', { returnBuffers: true });
  const ok: 'OK' | null = await pool.set('k', 'v', { EX: 60, NX: true });
  const old: string | null = await pool.set('k', 'v', { GET: true });
  const hash: Record<string, string> = await pool.hgetall('h');
  const hashBuf: Record<string, Buffer> = await pool.hgetall('h', { returnBuffers: true });
  const scored: [string, number][] = await pool.zrange('z', 0, -1, { WITHSCORES: true });
  const members: string[] = await pool.zrange('z', 0, -1);
  const score: number | null = await pool.zscore('z', 'a');
  const n: number = await pool.incr('n');
  const streams: StreamRead = await pool.xread([['s'], ['0']], { COUNT: 10 });
  const list: string = await pool.clientList();
  const sha: string = await pool.scriptLoad('return 1');
  const [first, second] = await pool.multi().set('k', 'v').incr('n').exec();
  const f: 'OK' | null = first;
  const s: number = second;
  const [a, b] = await pool.batch().get('a').hgetall('h').exec();
  const a2: string | null = a;
  const b2: Record<string, string> = b;
  void [got, buf, ok, old, hash, hashBuf, scored, members, score, n, streams, list, sha, f, s, a2, b2];

  // ── ioredis spellings ──
  await pool.set('k', 'v', 'EX', 60, 'NX');
  await pool.del('a', 'b', 'c');
  await pool.hset('h', 'f', 'v', 'g', 'w');
  await pool.hset('h', { f: 'v' });
  await pool.zadd('z', 1, 'a', 2, 'b');
  await pool.mget('a', 'b');
  await pool.expire('k', 10, { NX: true });
  await pool.lmove('a', 'b', 'LEFT', 'RIGHT');
  await pool.spop('s');
  await pool.spop('s', 2);
  // keys then a timeout / options, flat (ioredis): typed by overloads of their own
  const popped: [key: string, element: string] | null = await pool.blpop('a', 'b', 0);
  const rpopped: [key: string, element: string] | null = await pool.brpop('a', 'b', 'c', 1.5);
  const zpopped: [key: string, member: string, score: number] | null = await pool.bzpopmin('a', 'b', 0);
  const zmax: [key: string, member: string, score: number] | null = await pool.bzpopmax('a', 'b', 0);
  const mpopped: [key: string, elements: string[]] | null = await pool.blmpop(0, 2, 'a', 'b', 'LEFT', 'COUNT', 2);
  const zmpopped = await pool.bzmpop(0, 2, 'a', 'b', 'MIN');
  const inter: number = await pool.sintercard(2, 'a', 'b', 'LIMIT', 5);
  const read: StreamRead = await pool.xread('COUNT', 10, 'BLOCK', 0, 'STREAMS', 'a', 'b', '0', '0');
  const readGroup: StreamRead = await pool.xreadgroup('GROUP', 'g', 'c', 'STREAMS', 'a', '>');
  void [popped, rpopped, zpopped, zmax, mpopped, zmpopped, inter, read, readGroup];
  await cluster.get('k');
  await pool.use(async (h: Handle) => {
    const r: string | null = await h.get('k');
    const tx = await h.multi().incr('n').exec();
    const maybe: [number] | null = tx;
    void [r, maybe];
  });

  // ── wrong arguments ──
  // @ts-expect-error EX takes a number
  await pool.set('k', 'v', { EX: '60' });
  // @ts-expect-error NX and XX exclude each other
  await pool.set('k', 'v', { NX: true, XX: true });
  // @ts-expect-error EX and PX exclude each other
  await pool.set('k', 'v', { EX: 1, PX: 1000 });
  // @ts-expect-error unknown option
  await pool.set('k', 'v', { EXPIRE: 60 });
  // @ts-expect-error a key is missing
  await pool.get();
  // @ts-expect-error seconds is a number
  await pool.expire('k', { NX: true });
  // @ts-expect-error LEFT or RIGHT
  await pool.lmove('a', 'b', 'UP', 'RIGHT');
  // @ts-expect-error LIMIT is [offset, count]
  await pool.zrange('z', 0, -1, { LIMIT: 10 });
  // @ts-expect-error not a command
  await pool.gett('k');
  // @ts-expect-error timeout is a number
  await pool.get('k', { timeout: '1s' });
  // @ts-expect-error a key is text, not an object
  await pool.blpop({ k: 1 }, 'b', 0);
  // @ts-expect-error BLPOP needs a timeout after its keys
  await pool.blpop();
  // @ts-expect-error BLMPOP's numkeys is a number
  await pool.blmpop(0, 'two', 'a', 'b', 'LEFT');

  // ── misused replies ──
  // @ts-expect-error GET may be null
  const notNull: string = await pool.get('k');
  // @ts-expect-error INCR is a number
  const notString: string = await pool.incr('n');
  // @ts-expect-error HGETALL is an object, not a Map
  (await pool.hgetall('h')).get('f');
  // @ts-expect-error with returnBuffers, GET is a Buffer
  const notBuffer: string | null = await pool.get('k', { returnBuffers: true });
  // @ts-expect-error BLPOP in ioredis spelling may be null
  const notNullPop: [string, string] = await pool.blpop('a', 'b', 0);
  // @ts-expect-error BZPOPMIN's score is a number
  const notTextScore: [string, string, string] | null = await pool.bzpopmin('a', 'b', 0);
  void [notNullPop, notTextScore];
  // @ts-expect-error WITHSCORES gives pairs
  const notPairs: string[] = await pool.zrange('z', 0, -1, { WITHSCORES: true });
  // @ts-expect-error the second reply of this batch is a number
  const [, wrong]: [unknown, string] = await pool.multi().set('k', 'v').incr('n').exec();
  void [notNull, notString, notBuffer, notPairs, wrong];
}
