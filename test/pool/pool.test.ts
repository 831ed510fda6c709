import { expect } from 'chai';
import { inspect } from 'node:util';
import {
  createPool,
  PoolClosedError,
  RedisError,
  ReplyError,
  type Pool,
} from '../../lib/index.js';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';
import { startProxy } from '../helpers/proxy.js';
import { startScriptedServer } from '../helpers/fake-server.js';

/** Client connections the server sees, not counting the one `cli()` itself uses. */
async function clientCount(server: RedisServer): Promise<number> {
  const list = await server.cli('CLIENT', 'LIST');
  return list.split('\n').filter((line) => line.includes('addr=')).length - 1;
}

describe('pool: commands and replies', function () {
  let server: RedisServer;
  let pool: Pool;

  before(async function () {
    server = await startRedis();
    pool = createPool(server.url, { size: 4 });
  });
  after(async function () {
    await pool?.close();
    await server?.stop();
  });

  it('returns at once and holds commands until the first connection is ready', async function () {
    const fresh = createPool({ port: server.port });
    expect(fresh.stats.shared).to.equal(0);
    const reply = fresh.command(['PING']);
    expect(await reply).to.equal('PONG');
    await fresh.close();
  });

  it('SET and GET strings, Buffers per command and per pool', async function () {
    expect(await pool.command(['SET', 'k', 'v'])).to.equal('OK');
    expect(await pool.command(['GET', 'k'])).to.equal('v');
    const buf = await pool.command(['GET', 'k'], { returnBuffers: true });
    expect(Buffer.isBuffer(buf)).to.equal(true);
    expect((buf as Buffer).toString()).to.equal('v');
    const buffered = createPool(server.url, { returnBuffers: true });
    expect(Buffer.isBuffer(await buffered.command(['GET', 'k']))).to.equal(true);
    await buffered.close();
  });

  it('sends numbers as decimal text and Buffers as bytes', async function () {
    await pool.command(['SET', 'num', 1.5]);
    expect(await pool.command(['GET', 'num'])).to.equal('1.5');
    const bytes = Buffer.from([0, 255, 13, 10, 1]);
    await pool.command(['SET', 'bin', bytes]);
    const back = (await pool.command(['GET', 'bin'], { returnBuffers: true })) as Buffer;
    expect(back.equals(bytes)).to.equal(true);
  });

  it('maps integer, null, array and nested replies', async function () {
    await pool.command(['DEL', 'list', 'missing']);
    expect(await pool.command(['RPUSH', 'list', 'a', 'b'])).to.equal(2);
    expect(await pool.command(['GET', 'missing'])).to.equal(null);
    expect(await pool.command(['LRANGE', 'list', 0, -1])).to.deep.equal(['a', 'b']);
    await pool.command(['DEL', 'stream']);
    await pool.command(['XADD', 'stream', '1-1', 'f', 'v']);
    expect(await pool.command(['XRANGE', 'stream', '-', '+'])).to.deep.equal([['1-1', ['f', 'v']]]);
  });

  it('decodes multi-byte UTF-8 split across packets', async function () {
    const proxy = await startProxy({ port: server.port });
    const split = createPool(proxy.url, { size: 1 });
    const text = 'héllo wörld ✓ 𝄞 '.repeat(50);
    await split.command(['SET', 'utf8', text]);
    proxy.setMode('split', { chunkSize: 1 });
    expect(await split.command(['GET', 'utf8'])).to.equal(text);
    await split.close();
    await proxy.close();
  });

  it('rejects a top-level error reply with ReplyError carrying the server line and code', async function () {
    await pool.command(['SET', 'str', 'x']);
    const err = await pool.command(['LPUSH', 'str', 'y']).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(ReplyError).and.instanceOf(RedisError);
    expect((err as ReplyError).code).to.equal('WRONGTYPE');
    expect((err as ReplyError).message).to.match(/^WRONGTYPE Operation against a key/);
    expect((err as ReplyError).name).to.equal('ReplyError');
  });

  it('pipeline: replies in order with ReplyErrors in place', async function () {
    await pool.command(['DEL', 'a']);
    const results = await pool.pipeline([['SET', 'a', 1], ['INCR', 'a'], ['LPUSH', 'a', 'x']]);
    expect(results.slice(0, 2)).to.deep.equal(['OK', 2]);
    expect(results[2]).to.be.instanceOf(ReplyError);
    expect((results[2] as ReplyError).code).to.equal('WRONGTYPE');
  });

  it('an error inside EXEC is a ReplyError value in place', async function () {
    await pool.command(['SET', 'str', 'x']);
    const exec = await pool.use(async (c) => {
      await c.command(['MULTI']);
      await c.command(['INCR', 'counter']);
      await c.command(['LPUSH', 'str', 'y']);
      return c.command(['EXEC']);
    });
    expect(exec).to.be.an('array').with.length(2);
    expect((exec as unknown[])[0]).to.be.a('number');
    expect((exec as unknown[])[1]).to.be.instanceOf(ReplyError);
  });

  it('rejects bad arguments with TypeError before anything is sent', async function () {
    await pool.command(['DEL', 'p1']);
    for (const bad of [[], ['GET', null], ['GET', undefined], ['GET', {}], ['GET', true], ['SET', 'k', NaN]]) {
      const err = await pool.command(bad as never).catch((e: unknown) => e);
      expect(err, JSON.stringify(bad)).to.be.instanceOf(TypeError);
    }
    const err = await pool.command('GET k' as never).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(TypeError);
    // A pipeline is checked whole: the good first command must not have run.
    const pipelineErr = await pool.pipeline([['SET', 'p1', 'v'], ['SET', 'p2', {} as never]]).catch((e: unknown) => e);
    expect(pipelineErr).to.be.instanceOf(TypeError);
    expect(await pool.command(['EXISTS', 'p1'])).to.equal(0);
  });

  it('refuses state-changing commands on shared connections with a clear error', async function () {
    for (const command of [['MULTI'], ['SELECT', 1], ['WATCH', 'k'], ['SUBSCRIBE', 'ch']]) {
      const err = await pool.command(command).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(RedisError);
      expect((err as RedisError).code).to.equal('EUSAGE');
    }
    expect(await pool.command(['PING'])).to.equal('PONG');
  });

  it('stats report size, idle, borrowed and waiting within the configured size', async function () {
    await Promise.all(Array.from({ length: 2000 }, (_, i) => pool.command(['SET', `s${i}`, i])));
    const stats = pool.stats;
    for (const key of ['size', 'idle', 'borrowed', 'waiting', 'shared', 'exclusive', 'inFlight'] as const) {
      expect(stats[key], key).to.be.a('number');
    }
    expect(stats.size).to.be.at.least(1).and.at.most(4);
    expect(stats.borrowed).to.be.at.least(stats.shared);
    expect(stats.inFlight).to.equal(0);
  });
});

describe('pool: handshake', function () {
  let server: RedisServer;
  before(async function () {
    server = await startRedis({ args: ['--requirepass', 's3cret'] });
  });
  after(async function () {
    await server?.stop();
  });

  it('RESP2: AUTH, CLIENT SETNAME and SELECT from the URL', async function () {
    const pool = createPool(`redis://:s3cret@127.0.0.1:${server.port}/2?name=app-1`);
    await pool.command(['SET', 'where', 'db2']);
    const info = (await pool.command(['CLIENT', 'INFO'])) as string;
    expect(info).to.match(/name=app-1 /).and.match(/db=2 /).and.match(/resp=2/);
    await pool.close();
    expect(await server.cli('SELECT', 2).then(() => server.cli('GET', 'where'))).to.equal('(nil)');
  });

  it('RESP3: HELLO 3 with AUTH and SETNAME folded in; maps, sets, doubles', async function () {
    const pool = createPool({ port: server.port, password: 's3cret', name: 'r3', protocol: 3, db: 1 });
    const info = (await pool.command(['CLIENT', 'INFO'])) as string;
    expect(info).to.match(/name=r3 /).and.match(/resp=3/).and.match(/db=1 /);
    await pool.command(['HSET', 'h', 'f', 'v']);
    expect(await pool.command(['HGETALL', 'h'])).to.deep.equal(new Map([['f', 'v']]));
    await pool.command(['SADD', 'set', 'm']);
    expect(await pool.command(['SMEMBERS', 'set'])).to.deep.equal(new Set(['m']));
    await pool.command(['ZADD', 'z', 1.5, 'm']);
    expect(await pool.command(['ZSCORE', 'z', 'm'])).to.equal(1.5);
    await pool.close();
  });

  it('falls back to RESP2 with AUTH / CLIENT SETNAME / SELECT when HELLO is unknown', async function () {
    const fake = await startScriptedServer({
      HELLO: (_args) => '-ERR unknown command `HELLO`, with args beginning with: `3`\r\n',
      GET: '$2\r\nok\r\n',
    });
    const pool = createPool({ port: fake.port, protocol: 3, password: 'pw', name: 'old', db: 3 });
    expect(await pool.command(['GET', 'k'])).to.equal('ok');
    const names = fake.commands.map((c) => c[0]!.toUpperCase());
    expect(names.slice(0, 4)).to.deep.equal(['HELLO', 'AUTH', 'CLIENT', 'SELECT']);
    expect(fake.commands[2]).to.deep.equal(['CLIENT', 'SETNAME', 'old']);
    await pool.close();
    await fake.close();
  });

  it('never shows the password in errors or inspect output', async function () {
    const pool = createPool(`redis://:s3cret@127.0.0.1:${server.port}`);
    expect(inspect(pool, { depth: 5 })).to.not.include('s3cret');
    expect(inspect(pool.options, { depth: 5 })).to.not.include('s3cret');
    expect(JSON.stringify(pool.options)).to.not.include('s3cret');
    await pool.close();
  });
});

describe('pool: close', function () {
  let server: RedisServer;
  before(async function () {
    server = await startRedis();
  });
  after(async function () {
    await server?.stop();
  });

  it('lets in-flight commands finish, rejects new ones, and leaves no connection open', async function () {
    const pool = createPool({ port: server.port, size: 4 });
    await pool.command(['PING']);
    const inFlight = Array.from({ length: 500 }, (_, i) => pool.command(['SET', `c${i}`, i]));
    const closing = pool.close();
    const late = await pool.command(['PING']).catch((e: unknown) => e);
    expect(late).to.be.instanceOf(PoolClosedError);
    expect((late as Error).message).to.match(/closed/);
    expect(await Promise.all(inFlight)).to.satisfy((r: unknown[]) => r.every((x) => x === 'OK'));
    await closing;
    expect(await clientCount(server)).to.equal(0);
    const lateUse = await pool.use(async () => 1).catch((e: unknown) => e);
    expect(lateUse).to.be.instanceOf(PoolClosedError);
    await pool.close(); // idempotent
  });

  it('sends QUIT to each connection', async function () {
    await server.cli('CONFIG', 'RESETSTAT');
    const pool = createPool({ port: server.port, size: 2, minIdle: 2 });
    await pool.command(['PING']);
    await pool.close();
    const stats = await server.cli('INFO', 'commandstats');
    expect(stats).to.match(/cmdstat_quit:calls=[12],/);
  });
});

describe('pool: close while use() callbacks run', function () {
  it('waits for a running use() that has not sent anything yet, and it still gets served', async function () {
    const server = await startRedis();
    const pool = createPool({ port: server.port, size: 2 });
    let go!: () => void;
    const started = new Promise<void>((resolve) => (go = resolve));
    const running = pool.use(async (c) => {
      await started;
      await c.command(['SET', 'late', 'yes']);
      await c.command(['MULTI']);
      await c.command(['INCR', 'late-n']);
      return c.command(['EXEC']);
    });
    const closing = pool.close();
    expect(await pool.command(['PING']).catch((e: unknown) => e)).to.be.instanceOf(PoolClosedError);
    go();
    expect(await running).to.deep.equal([1]);
    await closing;
    expect(await server.cli('GET', 'late')).to.equal('yes');
    expect(await clientCount(server)).to.equal(0);
    await server.stop();
  });
});
