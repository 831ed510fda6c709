/**
 * connect-redis 9 (express-session's Redis store, written for node-redis) on respool through
 * nodeRedisCompat: a real express app, real HTTP requests, a real redis-server.
 */
import { expect } from 'chai';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import session from 'express-session';
import { RedisStore } from 'connect-redis';
import { nodeRedisCompat, type NodeRedisCompat } from '../../lib/compat/index.js';
import { BACKENDS, sharedBackend } from './support.js';

declare module 'express-session' {
  interface SessionData {
    visits: number;
  }
}

describe('ecosystem: connect-redis 9 + express-session (nodeRedisCompat)', () => {
  for (const kind of BACKENDS) {
    describe(kind, () => {
      const ctx = sharedBackend(kind);
      let client: NodeRedisCompat;
      let store: RedisStore;
      let http: Server;
      let base: string;

      beforeEach(async () => {
        client = await nodeRedisCompat(ctx.backend).connect();
        store = new RedisStore({ client, prefix: 'sess:', ttl: 600 });
        const app = express();
        app.use(session({ store, secret: 'test-secret', resave: false, saveUninitialized: false }));
        app.get('/visit', (req, res) => {
          req.session.visits = (req.session.visits ?? 0) + 1;
          res.json({ visits: req.session.visits, id: req.sessionID });
        });
        http = app.listen(0, '127.0.0.1');
        await once(http, 'listening');
        base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
      });

      afterEach(async () => {
        http.close();
        await client.close();
      });

      async function visit(cookie: string | null): Promise<{ visits: number; id: string; cookie: string | null }> {
        const res = await fetch(`${base}/visit`, { headers: cookie === null ? {} : { cookie } });
        expect(res.status).to.equal(200);
        const body = (await res.json()) as { visits: number; id: string };
        const set = res.headers.get('set-cookie');
        return { ...body, cookie: set === null ? null : set.split(';')[0]! };
      }

      it('keeps a session across three requests, stored in Redis with its TTL', async () => {
        const first = await visit(null);
        expect(first.visits).to.equal(1);
        expect(first.cookie).to.match(/^connect\.sid=/);
        const second = await visit(first.cookie);
        const third = await visit(first.cookie);
        expect([second.visits, third.visits]).to.deep.equal([2, 3]);
        expect(third.id).to.equal(first.id);

        const stored = JSON.parse(await ctx.cli('GET', `sess:${first.id}`)) as { visits: number };
        expect(stored.visits).to.equal(3);
        const ttl = Number(await ctx.cli('TTL', `sess:${first.id}`));
        expect(ttl).to.be.within(1, 600);
      });

      it('a request without the cookie starts a new session', async () => {
        const a = await visit(null);
        const b = await visit(null);
        expect(b.visits).to.equal(1);
        expect(b.id).to.not.equal(a.id);
      });

      it('store API: length, ids, all (SCAN + MGET), touch, destroy, clear', async () => {
        const a = await visit(null);
        const b = await visit(null);
        expect(await store.length()).to.equal(2);
        expect((await store.ids()).sort()).to.deep.equal([a.id, b.id].sort());
        const all = (await store.all()) as unknown as { id: string; visits: number }[];
        expect(all.map((s) => s.visits)).to.deep.equal([1, 1]);

        await ctx.cli('EXPIRE', `sess:${a.id}`, 5);
        await store.touch(a.id, { cookie: { originalMaxAge: null } } as never);
        expect(Number(await ctx.cli('TTL', `sess:${a.id}`))).to.be.above(5);

        await store.destroy(a.id);
        expect(await ctx.cli('EXISTS', `sess:${a.id}`)).to.equal('0');
        expect((await visit(a.cookie)).visits).to.equal(1); // its cookie no longer finds a session

        await store.clear();
        expect(await store.length()).to.equal(0);
      });
    });
  }
});
