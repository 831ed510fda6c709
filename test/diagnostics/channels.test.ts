import { expect } from 'chai';
import { inspect } from 'node:util';
import { createPool, ReplyError, type Pool } from '../../lib/index.js';
import type {
  BatchContext, CommandContext, ConnectContext, PoolLifecycleMessage, PoolWaitMessage, ReconnectMessage,
} from '../../lib/diagnostics/channels.js';
import { contextsBuilt } from '../../lib/diagnostics/trace.js';
import { freePort } from '../helpers/ports.js';
import { serverAndPool } from '../helpers/suite.js';
import { recordChannel, recordTracing, type TracingRecord } from './record.js';

describe('diagnostics channels', () => {
  const ctx = serverAndPool({ size: 4 });

  describe('respool:command', () => {
    let rec: TracingRecord<CommandContext>;
    beforeEach(() => (rec = recordTracing<CommandContext>('respool:command')));
    afterEach(() => rec.stop());

    it('publishes start, end, asyncStart, asyncEnd with the documented fields', async () => {
      expect(await ctx.pool.command(['SET', 'k', 'v'])).to.equal('OK');
      expect(rec.events.map(([e]) => e)).to.deep.equal(['start', 'end', 'asyncStart', 'asyncEnd']);
      const c = rec.events[0]![1];
      expect(c['db.operation.name']).to.equal('SET');
      expect(c.command).to.deep.equal(['SET', 'k', 'v']);
      expect(c['server.address']).to.equal('127.0.0.1');
      expect(c['server.port']).to.equal(ctx.server.port);
      expect(c['db.namespace']).to.equal('0');
      expect(c.connectionId).to.be.a('number').above(0);
      expect(c['network.peer.address']).to.equal('127.0.0.1');
      expect(c['network.peer.port']).to.equal(ctx.server.port);
      expect(c.result).to.equal('OK');
      expect(c.error).to.equal(undefined);
      expect(c['error.type']).to.equal(undefined);
    });

    it('start is published synchronously, in the caller\'s call', async () => {
      const promise = ctx.pool.command(['PING']);
      expect(rec.events.map(([e]) => e)).to.deep.equal(['start', 'end']);
      await promise;
    });

    it('an error reply publishes error with db.response.status_code and error.type', async () => {
      await ctx.pool.command(['SET', 'str', 'abc']);
      const err = await ctx.pool.command(['INCR', 'str']).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(ReplyError);
      const events = rec.events.filter(([, c]) => c['db.operation.name'] === 'INCR').map(([e]) => e);
      expect(events).to.deep.equal(['start', 'end', 'error', 'asyncStart', 'asyncEnd']);
      const c = rec.starts()[1]!;
      expect(c.error).to.equal(err);
      expect(c['db.response.status_code']).to.equal('ERR');
      expect(c['error.type']).to.equal('ERR');
    });

    it('a timeout publishes error with error.type TimeoutError', async () => {
      // A second of sleep: the 20 ms timeout fires first even on a host that runs timers late.
      const err = await ctx.pool.command(['DEBUG', 'SLEEP', '1'], { timeout: 20 }).catch((e: unknown) => e);
      expect((err as Error).name).to.equal('TimeoutError');
      const c = rec.starts()[0]!;
      expect(c['error.type']).to.equal('TimeoutError');
      expect(c['db.response.status_code']).to.equal(undefined);
    });

    it('covers use() handles, and a blocking command once', async () => {
      await ctx.pool.use(async (c) => {
        await c.command(['SET', 'a', '1']);
        await c.command(['MULTI']);
        await c.command(['INCR', 'a']);
        await c.command(['EXEC']);
      });
      await ctx.pool.command(['BLPOP', 'nothing', '0.01']);
      expect(rec.starts().map((c) => c['db.operation.name'])).to.deep.equal(['SET', 'MULTI', 'INCR', 'EXEC', 'BLPOP']);
      expect(rec.events.filter(([e]) => e === 'asyncEnd')).to.have.length(5);
    });

    it('pipelines and transactions are not published one command at a time', async () => {
      await ctx.pool.pipeline([['SET', 'a', '1'], ['GET', 'a']]);
      await ctx.pool.transaction([['SET', 'a', '1'], ['GET', 'a']]);
      expect(rec.events).to.have.length(0);
    });
  });

  describe('respool:batch', () => {
    let rec: TracingRecord<BatchContext>;
    beforeEach(() => (rec = recordTracing<BatchContext>('respool:batch')));
    afterEach(() => rec.stop());

    it('a pipeline is one batch with its size, commands and replies', async () => {
      await ctx.pool.pipeline([['SET', 'a', '1'], ['SET', 'b', '2'], ['SET', 'c', '3']]);
      expect(rec.events.map(([e]) => e)).to.deep.equal(['start', 'end', 'asyncStart', 'asyncEnd']);
      const c = rec.events[0]![1];
      expect(c['db.operation.name']).to.equal('PIPELINE SET');
      expect(c['db.operation.batch.size']).to.equal(3);
      expect(c.transaction).to.equal(false);
      expect(c.commands).to.deep.equal([['SET', 'a', '1'], ['SET', 'b', '2'], ['SET', 'c', '3']]);
      expect(c.connectionId).to.be.above(0);
      expect(c['network.peer.port']).to.equal(ctx.server.port);
      expect(c.result).to.deep.equal(['OK', 'OK', 'OK']);
      expect(c.errorCount).to.equal(0);
    });

    it('counts errors in place; mixed commands are PIPELINE', async () => {
      await ctx.pool.command(['SET', 'str', 'abc']);
      await ctx.pool.pipeline([['INCR', 'str'], ['GET', 'str']]);
      const c = rec.events[0]![1];
      expect(c['db.operation.name']).to.equal('PIPELINE');
      expect(c.errorCount).to.equal(1);
      expect(c['error.type']).to.equal('ERR');
      expect(c['db.response.status_code']).to.equal('ERR');
    });

    it('a transaction is MULTI, sized without MULTI and EXEC; errors inside EXEC count', async () => {
      await ctx.pool.command(['SET', 'str', 'abc']);
      await ctx.pool.transaction([['INCR', 'str'], ['INCR', 'n']]);
      const c = rec.events[0]![1];
      expect(c['db.operation.name']).to.equal('MULTI INCR');
      expect(c['db.operation.batch.size']).to.equal(2);
      expect(c.transaction).to.equal(true);
      expect(c.commands.map((x) => x[0])).to.deep.equal(['MULTI', 'INCR', 'INCR', 'EXEC']);
      expect(c.errorCount).to.equal(1);
    });

    it('covers a use() handle\'s pipeline', async () => {
      await ctx.pool.use((c) => c.pipeline([['GET', 'a'], ['GET', 'b']]));
      expect(rec.starts().map((c) => c['db.operation.name'])).to.deep.equal(['PIPELINE GET']);
      expect(rec.events.filter(([e]) => e === 'asyncEnd')).to.have.length(1);
    });
  });

  describe('respool:connect and respool:reconnect', () => {
    it('each attempt reports its outcome: ready with peer, protocol and client id', async () => {
      const rec = recordTracing<ConnectContext>('respool:connect');
      const pool = createPool(ctx.server.url, { protocol: 3, minIdle: 0 });
      try {
        await pool.command(['PING']);
        // Channels are process-wide: another test's pool may be reconnecting meanwhile.
        const c = rec.events.find(([e, c]) => e === 'asyncEnd' && c['server.port'] === ctx.server.port)![1];
        expect(c['server.address']).to.equal('127.0.0.1');
        expect(c['server.port']).to.equal(ctx.server.port);
        expect(c.attempt).to.equal(0);
        expect(c.subscriber).to.equal(false);
        expect(c['network.peer.address']).to.equal('127.0.0.1');
        expect(c.protocol).to.equal(3);
        expect(c.clientId).to.be.above(0);
        expect(c.duration).to.be.a('number').at.least(0);
        expect(c.error).to.equal(undefined);
      } finally {
        rec.stop();
        await pool.close();
      }
    });

    it('a refused attempt is published as it happens, then the reconnect with its delay', async () => {
      const port = await freePort();
      const connects = recordTracing<ConnectContext>('respool:connect');
      const reconnects = recordChannel<ReconnectMessage>('respool:reconnect');
      const pool = createPool({ port, acquireTimeout: 0, reconnectInitialDelay: 20 });
      try {
        const failed = await connects.first('error', (c) => c['server.port'] === port);
        expect(failed.error).to.be.instanceOf(Error);
        expect(failed['error.type']).to.equal('ECONNREFUSED');
        const reconnect = await reconnects.first((m) => m['server.port'] === port);
        expect(reconnect.connectionId).to.equal(failed.connectionId);
        expect(reconnect.delay).to.be.within(1, 2000);
        expect(reconnect.attempt).to.equal(1);
        expect(reconnect['error.type']).to.equal('ECONNREFUSED');
        const second = await connects.first('error', (c) => c['server.port'] === port && c.attempt === 1);
        expect(second.connectionId).to.equal(failed.connectionId);
      } finally {
        connects.stop();
        reconnects.stop();
        await pool.close();
      }
    });
  });

  describe('point channels', () => {
    it('respool:pool:create and respool:pool:close carry the pool and its name', async () => {
      const created = recordChannel<PoolLifecycleMessage>('respool:pool:create');
      const closed = recordChannel<PoolLifecycleMessage>('respool:pool:close');
      const pool = createPool(ctx.server.url, { db: 2 });
      await pool.close();
      created.stop();
      closed.stop();
      expect(created.messages).to.have.length(1);
      expect(created.messages[0]!.pool).to.equal(pool);
      expect(created.messages[0]!['db.client.connection.pool.name']).to.equal(`127.0.0.1:${ctx.server.port}/2`);
      expect(closed.messages.map((m) => m.pool)).to.deep.equal([pool]);
    });

    it('respool:pool:wait reports the wait for a connection of one\'s own', async () => {
      const waits = recordChannel<PoolWaitMessage>('respool:pool:wait');
      try {
        await ctx.pool.use(async (c) => {
          await c.command(['WATCH', 'k']);
        });
        expect(waits.messages).to.have.length(1);
        expect(waits.messages[0]!.duration).to.be.a('number').at.least(0);
        expect(waits.messages[0]!['db.client.connection.pool.name']).to.equal(`127.0.0.1:${ctx.server.port}/0`);
        expect(waits.messages[0]!.error).to.equal(undefined);
      } finally {
        waits.stop();
      }
    });
  });

  describe('with no subscriber', () => {
    it('builds no context object and publishes nothing', async () => {
      const before = contextsBuilt;
      const pool: Pool = createPool(ctx.server.url, { minIdle: 2 });
      try {
        await pool.command(['SET', 'k', 'v']);
        await pool.pipeline([['GET', 'k'], ['GET', 'k']]);
        await pool.transaction([['INCR', 'n']]);
        await pool.use(async (c) => {
          await c.command(['WATCH', 'k']);
          await c.command(['GET', 'k']);
        });
        await pool.command(['INCR', 'k']).catch(() => null);
      } finally {
        await pool.close();
      }
      expect(contextsBuilt).to.equal(before);
    });
  });

  describe('credentials', () => {
    it('never appear in what is published', async () => {
      const commands = recordTracing<CommandContext>('respool:command');
      const connects = recordTracing<ConnectContext>('respool:connect');
      await ctx.server.cli('ACL', 'SETUSER', 'bob', 'on', '>hunter2secret', '~*', '+@all');
      const pool = createPool(`redis://bob:hunter2secret@127.0.0.1:${ctx.server.port}`);
      try {
        await pool.command(['PING']);
        await pool.use(async (c) => {
          await c.command(['AUTH', 'bob', 'hunter2secret']);
          await c.command(['HELLO', '2', 'AUTH', 'bob', 'hunter2secret']);
        });
        await pool.command(['ACL', 'SETUSER', 'carol', 'on', '>hunter2secret', '~*', '+@all']);
        await pool.command(['CONFIG', 'SET', 'masterauth', 'hunter2secret']);
        await pool.command(['CONFIG', 'SET', 'masterauth', '']);
        const published = inspect([commands.events, connects.events], { depth: 10 });
        expect(published).to.not.include('hunter2secret');
        expect(commands.starts().map((c) => c['db.operation.name']))
          .to.deep.equal(['PING', 'AUTH', 'HELLO', 'ACL', 'CONFIG', 'CONFIG']);
        expect(commands.starts()[1]!.command).to.deep.equal(['AUTH', '[redacted]', '[redacted]']);
        expect(commands.starts()[3]!.command).to.deep.equal(['ACL', 'SETUSER', 'carol', 'on', '[redacted]', '~*', '+@all']);
      } finally {
        commands.stop();
        connects.stop();
        await pool.close();
        await ctx.server.cli('ACL', 'DELUSER', 'bob', 'carol');
      }
    });
  });
});
