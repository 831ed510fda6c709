/**
 * Keyv 5 with @keyv/redis 5 (written for node-redis) on respool through nodeRedisCompat.
 * @keyv/redis swallows errors by default (it emits 'error' and answers undefined), so each test
 * also checks the server and fails on any 'error' the store emits.
 */
import { expect } from 'chai';
import type Keyv from 'keyv';
import { createKeyv } from '@keyv/redis';
import { nodeRedisCompat, type NodeRedisCompat } from '../../lib/compat/index.js';
import { BACKENDS, sharedBackend } from './support.js';

describe('ecosystem: Keyv 5 + @keyv/redis 5 (nodeRedisCompat)', () => {
  for (const kind of BACKENDS) {
    describe(kind, () => {
      const ctx = sharedBackend(kind);
      let client: NodeRedisCompat;
      let errors: unknown[];

      function keyv(namespace: string): Keyv {
        // @keyv/redis's own factory, given a client instead of a URL.
        const kv = createKeyv(client as never, { namespace: ctx.tag(namespace), throwOnErrors: true });
        kv.on('error', (err: unknown) => errors.push(err));
        return kv;
      }

      beforeEach(() => {
        client = nodeRedisCompat(ctx.backend);
        errors = [];
      });

      afterEach(async () => {
        await client.close();
        expect(errors).to.deep.equal([]);
      });

      it('set, get, has, delete, with values serialised and namespaced keys', async () => {
        const kv = keyv('users');
        expect(await kv.set('ada', { name: 'Ada', langs: ['en', 'fr'] })).to.equal(true);
        expect(await kv.get('ada')).to.deep.equal({ name: 'Ada', langs: ['en', 'fr'] });
        expect(await kv.has('ada')).to.equal(true);
        expect(await kv.get('nobody')).to.equal(undefined);
        expect(await ctx.cli('EXISTS', `${ctx.tag('users')}::ada`)).to.equal('1');
        expect(await kv.delete('ada')).to.equal(true);
        expect(await kv.has('ada')).to.equal(false);
      });

      it('a ttl becomes a PX expiry on the server', async () => {
        const kv = keyv('ttl');
        await kv.set('short', 'v', 60_000);
        const pttl = Number(await ctx.cli('PTTL', `${ctx.tag('ttl')}::short`));
        expect(pttl).to.be.within(1, 60_000);
        expect(await kv.get('short')).to.equal('v');
      });

      it('setMany/getMany/deleteMany run as MULTI and MGET', async () => {
        const kv = keyv('many');
        await kv.setMany([{ key: 'a', value: 1 }, { key: 'b', value: 2 }, { key: 'c', value: 3, ttl: 60_000 }]);
        expect(await kv.getMany(['a', 'b', 'c', 'd'])).to.deep.equal([1, 2, 3, undefined]);
        expect(await kv.deleteMany(['a', 'b'])).to.equal(true);
        expect(await kv.getMany(['a', 'b', 'c'])).to.deep.equal([undefined, undefined, 3]);
      });

      it('clear() empties its own namespace (SCAN + UNLINK) and leaves the others', async () => {
        const sessions = keyv('sessions');
        const cache = keyv('cache');
        for (let i = 0; i < 150; i++) await sessions.set(`s${i}`, i);
        await cache.set('keep', 'me');
        await sessions.clear();
        expect(await sessions.get('s1')).to.equal(undefined);
        expect(await ctx.cli('KEYS', `${ctx.tag('sessions')}::*`)).to.equal('[]');
        expect(await cache.get('keep')).to.equal('me');
      });

      it('iterates a namespace', async () => {
        const kv = keyv('iter');
        await kv.set('x', 1);
        await kv.set('y', 2);
        const seen: [string, unknown][] = [];
        for await (const entry of kv.iterator!(ctx.tag('iter'))) seen.push(entry as [string, unknown]);
        expect(seen.sort()).to.deep.equal([['x', 1], ['y', 2]]);
      });
    });
  }
});
