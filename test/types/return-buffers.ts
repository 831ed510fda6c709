/**
 * Type tests of the pool-wide `returnBuffers` option (checked by `npm run typecheck`, never
 * run): createPool / createCluster read it from their options, so a pool created with
 * `returnBuffers: true` has typed methods that reply Buffers, and a call's own
 * `returnBuffers` wins over the pool's. test/typed/pool-buffers.test.ts checks the same at run time.
 */
import { createCluster, createPool, type Cluster, type Handle, type Pool } from '../../lib/index.js';

declare const flag: boolean;
declare const url: string;

export async function poolWideBuffers(): Promise<void> {
  // ── which pool type the factory gives ──
  const bufPool: Pool<true> = createPool({ port: 1, returnBuffers: true });
  const bufPool2: Pool<true> = createPool(url, { returnBuffers: true });
  const bufPool3: Pool<true> = createPool({ returnBuffers: false }, { returnBuffers: true });
  const textPool: Pool = createPool(url);
  const textPool2: Pool = createPool({ returnBuffers: true }, { returnBuffers: false });
  const textPool3: Pool = createPool({ port: 1, returnBuffers: false });
  const eitherPool: Pool<boolean> = createPool({ returnBuffers: flag });
  const widened = { port: 1, returnBuffers: true };
  const eitherPool2: Pool<boolean> = createPool(widened);
  // @ts-expect-error a Buffer pool is not a text pool
  const notText: Pool = createPool({ returnBuffers: true });
  // @ts-expect-error a pool whose returnBuffers is known only at run time is not a text pool
  const notText2: Pool = createPool({ returnBuffers: flag });
  // Any pool is a Pool<boolean>: code that takes any pool declares that.
  const anyPool: Pool<boolean> = bufPool;
  // @ts-expect-error unknown options are still refused
  createPool({ returnBuffers: true, sise: 4 });
  void [bufPool2, bufPool3, textPool2, textPool3, eitherPool2, notText, notText2, anyPool];

  // ── replies of a Buffer pool ──
  const got: Buffer | null = await bufPool.get('k');
  const hash: Record<string, Buffer> = await bufPool.hgetall('h');
  const n: number = await bufPool.incr('n');
  const score: number | null = await bufPool.zscore('z', 'a');
  const old: Buffer | null = await bufPool.set('k', 'v', { GET: true });
  const ok: 'OK' | null = await bufPool.set('k', 'v');
  const pairs: [Buffer, number][] = await bufPool.zrange('z', 0, -1, { WITHSCORES: true });
  const members: Buffer[] = await bufPool.zrange('z', 0, -1);
  const popped: [key: Buffer, element: Buffer] | null = await bufPool.blpop('l', 1);
  const many: (Buffer | null)[] = await bufPool.mget('a', 'b');
  const ioredisOrder: Buffer | null | 'OK' = await bufPool.set('k', 'v', 'EX', 60);
  void [got, hash, n, score, old, ok, pairs, members, popped, many, ioredisOrder];
  // @ts-expect-error GET on a Buffer pool is a Buffer, not a string
  const notString: string | null = await bufPool.get('k');
  // @ts-expect-error HGETALL's values are Buffers
  const notStrings: Record<string, string> = await bufPool.hgetall('h');
  // @ts-expect-error GET with { GET: true } on a Buffer pool is a Buffer
  const notOld: string | null = await bufPool.set('k', 'v', { GET: true });
  // @ts-expect-error members are Buffers
  const notPairs: [string, number][] = await bufPool.zrange('z', 0, -1, { WITHSCORES: true });
  void [notString, notStrings, notOld, notPairs];

  // ── a call's own returnBuffers wins ──
  const text: string | null = await bufPool.get('k', { returnBuffers: false });
  const textOld: string | null = await bufPool.set('k', 'v', { GET: true, returnBuffers: false });
  const textPairs: [string, number][] = await bufPool.zrange('z', 0, -1, { WITHSCORES: true, returnBuffers: false });
  const buf: Buffer | null = await textPool.get('k', { returnBuffers: true });
  const bufOld: Buffer | null = await textPool.set('k', 'v', { GET: true, returnBuffers: true });
  const bufPairs: [Buffer, number][] = await textPool.zrange('z', 0, -1, { WITHSCORES: true, returnBuffers: true });
  const either: string | Buffer | null = await textPool.get('k', { returnBuffers: flag });
  void [text, textOld, textPairs, buf, bufOld, bufPairs, either];
  // @ts-expect-error returnBuffers: false gives a string
  const notBuf: Buffer | null = await bufPool.get('k', { returnBuffers: false });
  // @ts-expect-error a run-time flag may give either
  const notSure: string | null = await textPool.get('k', { returnBuffers: flag });
  void [notBuf, notSure];

  // ── a pool whose returnBuffers is known only at run time: either ──
  const eitherGot: string | Buffer | null = await eitherPool.get('k');
  // @ts-expect-error it may be a Buffer
  const eitherNotString: string | null = await eitherPool.get('k');
  void [eitherGot, eitherNotString];

  // ── handles and batches follow their pool ──
  await bufPool.use(async (h: Handle<true>) => {
    const r: Buffer | null = await h.get('k');
    const tx: [Buffer | null, number] | null = await h.multi().get('k').incr('n').exec();
    void [r, tx];
  });
  // @ts-expect-error a Buffer pool's handle is a Handle<true>
  await bufPool.use(async (h: Handle) => h.get('k'));
  const [b1, b2] = await bufPool.batch().get('a').hgetall('h').exec();
  const b1b: Buffer | null = b1;
  const b2b: Record<string, Buffer> = b2;
  const [t1] = await bufPool.batch().get('a').exec({ returnBuffers: false });
  const t1s: string | null = t1;
  const [m1] = await textPool.multi().get('a').exec({ returnBuffers: true });
  const m1b: Buffer | null = m1;
  // @ts-expect-error a Buffer pool's batch replies Buffers
  const [notB]: [string | null] = await bufPool.batch().get('a').exec();
  void [b1b, b2b, t1s, m1b, notB];
  // Simple strings (TYPE, PING, HELP lines) and stream IDs are text in a Buffer pool's batch too.
  const [ty, pg, help, entries] = await bufPool.batch().type('k').ping().objectHelp().xrange('x', '-', '+').exec();
  const tyText: string = ty;
  const pgEither: string | Buffer = pg;
  const helpText: string[] = help;
  const entryId: string = entries[0]!.id;
  const entryField: Buffer | undefined = entries[0]!.fields?.f;
  // @ts-expect-error TYPE replies a simple string: text, not a Buffer
  const tyBuf: Buffer = ty;
  // @ts-expect-error PING may reply its message as a Buffer
  const pgText: string = pg;
  void [tyText, pgEither, helpText, entryId, entryField, tyBuf, pgText];

  // ── clusters ──
  const bufCluster: Cluster<true> = createCluster({ nodes: ['127.0.0.1:7000'], returnBuffers: true });
  const textCluster: Cluster = createCluster({ nodes: ['127.0.0.1:7000'] });
  const cGot: Buffer | null = await bufCluster.get('k');
  const cText: string | null = await textCluster.get('k');
  await bufCluster.use(async (h) => {
    const r: Buffer | null = await h.get('k');
    void r;
  });
  // @ts-expect-error a Buffer cluster's GET is a Buffer
  const cNotText: string | null = await bufCluster.get('k');
  void [cGot, cText, cNotText];
}
