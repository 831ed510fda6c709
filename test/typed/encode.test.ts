import { expect } from 'chai';
import { ArgumentError, createPool } from '../../lib/index.js';
import { METHOD_SPECS } from '../../lib/typed/install.js';
import { callOptions, encodeCall } from '../../lib/typed/encode.js';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';

/** The command a method call would send. */
function encode(method: string, ...args: unknown[]): unknown[] {
  return encodeCall(METHOD_SPECS.get(method)!, args);
}

function refused(method: string, ...args: unknown[]): string {
  try {
    encode(method, ...args);
  } catch (err) {
    expect(err).to.be.instanceOf(ArgumentError);
    expect((err as ArgumentError).code).to.equal('EARGUMENT');
    return (err as Error).message;
  }
  throw new Error(`${method} accepted ${JSON.stringify(args)}`);
}

describe('typed methods: arguments → command', function () {
  it('writes options where the syntax puts them, whatever the key order', () => {
    expect(encode('set', 'k', 'v', { GET: true, EX: 60, NX: true })).to.deep.equal(['SET', 'k', 'v', 'NX', 'GET', 'EX', 60]);
    expect(encode('zadd', 'z', [[1, 'a'], [2, 'b']], { CH: true, XX: true })).to.deep.equal(['ZADD', 'z', 'XX', 'CH', 1, 'a', 2, 'b']);
    expect(encode('zrange', 'z', 0, 10, { WITHSCORES: true, LIMIT: [0, 5], BYSCORE: true }))
      .to.deep.equal(['ZRANGE', 'z', 0, 10, 'BYSCORE', 'LIMIT', 0, 5, 'WITHSCORES']);
    expect(encode('xadd', 's', '*', { f: 'v' }, { trim: ['MAXLEN', '~', 1000] }))
      .to.deep.equal(['XADD', 's', 'MAXLEN', '~', 1000, '*', 'f', 'v']);
    expect(encode('xadd', 's', '*', [['f', 'v']], { trim: ['MAXLEN', 1000] })).to.deep.equal(['XADD', 's', 'MAXLEN', 1000, '*', 'f', 'v']);
    expect(encode('sort', 'l', { GET: ['a', 'b'], ALPHA: true })).to.deep.equal(['SORT', 'l', 'GET', 'a', 'GET', 'b', 'ALPHA']);
    expect(encode('xread', [['a', 'b'], ['0', '0']], { COUNT: 2 })).to.deep.equal(['XREAD', 'COUNT', 2, 'STREAMS', 'a', 'b', '0', '0']);
    expect(encode('xread', [['a'], ['$']])).to.deep.equal(['XREAD', 'STREAMS', 'a', '$']);
    expect(encode('clientList', { TYPE: 'NORMAL' })).to.deep.equal(['CLIENT', 'LIST', 'TYPE', 'NORMAL']);
  });

  it('takes the ioredis spelling: Redis order, arrays and field objects flattened', () => {
    expect(encode('set', 'k', 'v', 'EX', 60, 'NX')).to.deep.equal(['SET', 'k', 'v', 'EX', 60, 'NX']);
    expect(encode('del', 'a', ['b', 'c'])).to.deep.equal(['DEL', 'a', 'b', 'c']);
    expect(encode('hset', 'h', { a: 1, b: '2' })).to.deep.equal(['HSET', 'h', 'a', 1, 'b', '2']);
    expect(encode('mset', { a: 1 })).to.deep.equal(['MSET', 'a', 1]);
    expect(encode('zadd', 'z', 'NX', 1, 'a')).to.deep.equal(['ZADD', 'z', 'NX', 1, 'a']);
    expect(encode('xread', 'COUNT', 1, 'STREAMS', 's', '0')).to.deep.equal(['XREAD', 'COUNT', 1, 'STREAMS', 's', '0']);
    expect(encode('blpop', 'a', 'b', 0)).to.deep.equal(['BLPOP', 'a', 'b', 0]);
    expect(encode('eval', 'return 1', 1, 'k', 'arg')).to.deep.equal(['EVAL', 'return 1', 1, 'k', 'arg']);
  });

  it('undefined: trailing arguments and option values are absent; elsewhere refused', () => {
    expect(encode('spop', 's', undefined)).to.deep.equal(['SPOP', 's']);
    expect(encode('set', 'k', 'v', { EX: undefined, NX: false })).to.deep.equal(['SET', 'k', 'v']);
    expect(encode('get', 'k', undefined, undefined)).to.deep.equal(['GET', 'k']);
    expect(refused('set', 'k', undefined, 'EX', 1)).to.match(/'value' must be a string, Buffer or number \(got undefined\)/);
    expect(refused('set', 'k', undefined, { EX: 1 })).to.match(/'value' is missing/);
  });

  it('refuses what the syntax does not allow, naming the argument and never its value', () => {
    expect(refused('set', 'k', 'v', { EX: 'secret-ttl' })).to.equal('set: EX must be an integer (got a string)');
    expect(refused('set', 'k', 'v', { EX: 1.5 })).to.match(/EX must be an integer \(got a fraction\)/);
    expect(refused('set', 'k', 'v', { EX: 1, KEEPTTL: true })).to.match(/EX and KEEPTTL exclude each other/);
    expect(refused('set', 'k', 'v', { NX: true, XX: true })).to.match(/NX and XX exclude each other/);
    expect(refused('set', 'k', 'v', { ex: 60 })).to.match(/unknown option 'ex' \(known: NX, XX, GET, EX, PX/);
    expect(refused('expire', 'k', 'soon')).to.match(/'seconds' must be an integer/);
    expect(refused('get')).to.match(/wrong number of arguments for GET \(0 given, 1 expected\)/);
    expect(refused('get', 'a', 'b')).to.match(/wrong number of arguments/);
    expect(refused('get', { not: 'a key' })).to.match(/'key' must be a string, Buffer or number \(got an object\)/);
    expect(refused('del', 'a', { not: 'a key' }, 'b')).to.match(/argument 2 is an object/);
    expect(refused('lmove', 'a', 'b', 'UP', 'LEFT', {})).to.match(/'wherefrom' must be 'LEFT' \| 'RIGHT'/);
    expect(refused('zrange', 'z', 0, 1, { LIMIT: 5 })).to.match(/LIMIT must be a tuple \[offset, count\]/);
    expect(refused('get', 'k', null)).to.match(/argument 2 is null/);
    expect(refused('incrbyfloat', 'k', NaN)).to.match(/NaN/);
    expect(refused('zrange', 'z', 0, 1, 2, { REV: true })).to.match(/at most 3 expected/);
  });

  it('per-call options share the object: tokens upper-case, call options lower-case', () => {
    const signal = new AbortController().signal;
    const only = { timeout: 50 };
    expect(encode('get', 'k', only)).to.deep.equal(['GET', 'k']);
    expect(callOptions).to.equal(only);
    expect(encode('set', 'k', 'v', { EX: 1, timeout: 50, signal, returnBuffers: true })).to.deep.equal(['SET', 'k', 'v', 'EX', 1]);
    expect(callOptions).to.deep.equal({ timeout: 50, signal, returnBuffers: true });
    expect(encode('get', 'k')).to.deep.equal(['GET', 'k']);
    expect(callOptions).to.equal(undefined);
  });

  it('covers subcommands and loose methods', () => {
    expect(encode('scriptLoad', 'return 1')).to.deep.equal(['SCRIPT', 'LOAD', 'return 1']);
    expect(encode('xinfoStream', 's', { FULL: true })).to.deep.equal(['XINFO', 'STREAM', 's', 'FULL']);
    expect(encode('xinfoStream', 's', { FULL: 10 })).to.deep.equal(['XINFO', 'STREAM', 's', 'FULL', 'COUNT', 10]);
    expect(encode('clientList', { ID: [1, 2] })).to.deep.equal(['CLIENT', 'LIST', 'ID', 1, 2]);
    expect(encode('clientKill', 'ID', 5)).to.deep.equal(['CLIENT', 'KILL', 'ID', 5]);
    expect(encode('geosearch', 'g', 'FROMMEMBER', 'm', 'BYRADIUS', 1, 'KM')).to.deep.equal(['GEOSEARCH', 'g', 'FROMMEMBER', 'm', 'BYRADIUS', 1, 'KM']);
  });
});

describe('typed methods: on a pool', function () {
  let server: RedisServer;
  before(async () => {
    server = await startRedis();
  });
  after(async () => {
    await server.stop();
  });

  it('a refused call rejects (never throws) and sends nothing', async () => {
    const pool = createPool(server.url);
    try {
      await pool.ping();
      const before = Number(/total_commands_processed:(\d+)/.exec(await server.cli('INFO', 'stats'))![1]);
      // @ts-expect-error EX takes a number
      const call = pool.set('k', 'v', { EX: 'x' });
      expect(call).to.be.instanceOf(Promise);
      const err = await call.then(() => null, (e: unknown) => e);
      expect(err).to.be.instanceOf(ArgumentError);
      const after = Number(/total_commands_processed:(\d+)/.exec(await server.cli('INFO', 'stats'))![1]);
      expect(after - before).to.equal(1); // the INFO itself
      expect(await server.cli('EXISTS', 'k')).to.equal('0');
    } finally {
      await pool.close();
    }
  });

  it('timeout and signal from the options object reach the command', async () => {
    const pool = createPool(server.url);
    try {
      const aborted = AbortSignal.abort();
      const err = await pool.get('k', { signal: aborted }).then(() => null, (e: unknown) => e);
      expect((err as { code?: string }).code).to.equal('EABORT');
      const slow = await pool.blpop(['nothing'], 5, { timeout: 50 }).then(() => null, (e: unknown) => e);
      expect((slow as { code?: string }).code).to.equal('ETIMEDOUT');
    } finally {
      await pool.close();
    }
  });
});
