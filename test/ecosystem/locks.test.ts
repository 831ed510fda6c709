/**
 * Distributed locks written for ioredis, on respool through ioredisCompat: redis-semaphore 5
 * (Mutex, Semaphore: SET PX NX, EVALSHA with EVAL fallback) and redlock 4 (the last stable
 * major on npm; 5 is still beta): callback-style EVALSHA/EVAL with array arguments.
 */
import { expect } from 'chai';
import { Mutex, Semaphore } from 'redis-semaphore';
import Redlock from 'redlock';
import { ioredisCompat } from '../../lib/compat/index.js';
import { BACKENDS, sharedBackend } from './support.js';

/** Runs `tasks` concurrently; each holds its lock across awaits that yield to the others. */
async function contend(tasks: number, lock: () => Promise<() => Promise<void>>): Promise<{ max: number; log: string[] }> {
  let inside = 0;
  let max = 0;
  const log: string[] = [];
  await Promise.all(Array.from({ length: tasks }, async (_, i) => {
    const release = await lock();
    inside++;
    max = Math.max(max, inside);
    log.push(`in ${i}`);
    for (let t = 0; t < 3; t++) await new Promise((r) => setImmediate(r));
    log.push(`out ${i}`);
    inside--;
    await release();
  }));
  return { max, log };
}

describe('ecosystem: locks (ioredisCompat)', () => {
  for (const kind of BACKENDS) {
    describe(kind, () => {
      const ctx = sharedBackend(kind);

      describe('redis-semaphore 5', () => {
        it('Mutex serialises 5 contenders: one inside at a time, each enters once', async () => {
          const redis = ioredisCompat(ctx.backend);
          const { max, log } = await contend(5, async () => {
            const mutex = new Mutex(redis as never, 'job', { lockTimeout: 10_000, retryInterval: 5, acquireTimeout: 10_000 });
            await mutex.acquire();
            return () => mutex.release();
          });
          expect(max).to.equal(1);
          for (let i = 0; i < log.length; i += 2) expect(log[i + 1]).to.equal(log[i]!.replace('in', 'out'));
          expect(log.filter((l) => l.startsWith('in')).sort()).to.deep.equal(['in 0', 'in 1', 'in 2', 'in 3', 'in 4']);
          expect(await ctx.cli('EXISTS', 'mutex:job')).to.equal('0');
        });

        it('Mutex: tryAcquire fails while held, succeeds after release; the lock key has its PX expiry', async () => {
          const redis = ioredisCompat(ctx.backend);
          const a = new Mutex(redis as never, 'res', { lockTimeout: 5_000, acquireAttemptsLimit: 1 });
          const b = new Mutex(redis as never, 'res', { lockTimeout: 5_000, acquireAttemptsLimit: 1 });
          await a.acquire();
          expect(Number(await ctx.cli('PTTL', 'mutex:res'))).to.be.within(1, 5_000);
          expect(await b.tryAcquire()).to.equal(false);
          await a.release();
          expect(await b.tryAcquire()).to.equal(true);
          await b.release();
        });

        it('Semaphore lets at most 2 in', async () => {
          const redis = ioredisCompat(ctx.backend);
          const { max } = await contend(5, async () => {
            const semaphore = new Semaphore(redis as never, 'pool', 2, { lockTimeout: 10_000, retryInterval: 5, acquireTimeout: 10_000 });
            await semaphore.acquire();
            return () => semaphore.release();
          });
          expect(max).to.equal(2);
        });
      });

      describe('redlock 4', () => {
        it('a held resource refuses a second lock until unlocked', async () => {
          const redlock = new Redlock([ioredisCompat(ctx.backend) as never], { retryCount: 2, retryDelay: 20, retryJitter: 5 });
          const lock = await redlock.lock('locks:order:1', 5_000);
          expect(await ctx.cli('GET', 'locks:order:1')).to.equal(lock.value);
          const second: unknown = await redlock.lock('locks:order:1', 5_000).then(() => 'locked', (err: unknown) => err);
          expect(second).to.be.instanceOf(Redlock.LockError);
          await lock.unlock();
          const again = await redlock.lock('locks:order:1', 5_000);
          await again.unlock();
          expect(await ctx.cli('EXISTS', 'locks:order:1')).to.equal('0');
        });

        it('extend() pushes the expiry; the callback API works too', async () => {
          const redlock = new Redlock([ioredisCompat(ctx.backend) as never], { retryCount: 0 });
          const lock = await redlock.lock('locks:x', 1_000);
          const extended = await lock.extend(20_000);
          expect(Number(await ctx.cli('PTTL', 'locks:x'))).to.be.above(1_000);
          await new Promise<void>((resolve, reject) => extended.unlock((err: unknown) => (err ? reject(err as Error) : resolve())));
          expect(await ctx.cli('EXISTS', 'locks:x')).to.equal('0');
        });

        it('serialises 5 contenders', async () => {
          const redlock = new Redlock([ioredisCompat(ctx.backend) as never], { retryCount: -1, retryDelay: 5, retryJitter: 5 });
          const { max } = await contend(5, async () => {
            const lock = await redlock.lock('locks:serial', 10_000);
            return async () => {
              await lock.unlock();
            };
          });
          expect(max).to.equal(1);
        });
      });
    });
  }
});
