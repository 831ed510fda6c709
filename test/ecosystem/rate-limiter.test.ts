/**
 * rate-limiter-flexible 11 (RateLimiterRedis) on respool: through ioredisCompat (its default
 * path: defineCommand + a Lua script, MULTI for reads) and through nodeRedisCompat
 * (`useRedisPackage: true`: EVAL with { keys, arguments }, multi().incrBy().pTTL()).
 */
import { expect } from 'chai';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { ioredisCompat, nodeRedisCompat } from '../../lib/compat/index.js';
import { BACKENDS, sharedBackend } from './support.js';

describe('ecosystem: rate-limiter-flexible 11', () => {
  for (const kind of BACKENDS) {
    describe(kind, () => {
      const ctx = sharedBackend(kind);

      const adapters = {
        ioredisCompat: () => ({ storeClient: ioredisCompat(ctx.backend) }),
        nodeRedisCompat: () => ({ storeClient: nodeRedisCompat(ctx.backend), useRedisPackage: true }),
      };

      for (const [adapter, options] of Object.entries(adapters)) {
        describe(`RateLimiterRedis via ${adapter}`, () => {
          it('lets 3 requests through in the window, refuses the 4th and 5th, and counts them', async () => {
            const limiter = new RateLimiterRedis({ ...options(), keyPrefix: 'rl', points: 3, duration: 60 });
            const passed: number[] = [];
            for (let i = 0; i < 3; i++) passed.push((await limiter.consume('user-1')).remainingPoints);
            expect(passed).to.deep.equal([2, 1, 0]);
            for (let i = 0; i < 2; i++) {
              const refused: unknown = await limiter.consume('user-1').then(() => 'passed', (res: unknown) => res);
              expect(refused).to.be.instanceOf(RateLimiterRes);
              expect((refused as RateLimiterRes).remainingPoints).to.equal(0);
              expect((refused as RateLimiterRes).msBeforeNext).to.be.within(1, 60_000);
            }
            // Another key has its own budget.
            expect((await limiter.consume('user-2')).remainingPoints).to.equal(2);

            const state = await limiter.get('user-1');
            expect(state?.consumedPoints).to.equal(5);
            expect(await ctx.cli('GET', 'rl:user-1')).to.equal('5');
            const pttl = Number(await ctx.cli('PTTL', 'rl:user-1'));
            expect(pttl).to.be.within(1, 60_000);
          });

          it('delete() resets a key, block() and set() write with an expiry', async () => {
            const limiter = new RateLimiterRedis({ ...options(), keyPrefix: 'rl', points: 1, duration: 60 });
            await limiter.consume('k');
            await limiter.consume('k').then(() => expect.fail('the second call must be refused'), () => {});
            expect(await limiter.delete('k')).to.equal(true);
            expect((await limiter.consume('k')).remainingPoints).to.equal(0);

            await limiter.block('blocked', 30);
            const refused: unknown = await limiter.consume('blocked').then(() => 'passed', (res: unknown) => res);
            expect(refused).to.be.instanceOf(RateLimiterRes);
            expect(Number(await ctx.cli('TTL', 'rl:blocked'))).to.be.within(1, 30);
            expect(await limiter.get('missing')).to.equal(null);
          });
        });
      }
    });
  }
});
