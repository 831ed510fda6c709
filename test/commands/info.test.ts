import { expect } from 'chai';
import {
  commandInfo, firstKeyIndex, isBlocking, isReadOnly, keyIndexes, mayReplicate,
} from '../../lib/commands/info.js';
import type { Command } from '../../lib/resp/types.js';
import { serverAndPool } from '../helpers/suite.js';

/** Commands with every way the key specs place keys; the server's COMMAND GETKEYS is the judge. */
const KEY_CASES: Command[] = [
  ['GET', 'k'],
  ['get', 'k'],
  ['SET', 'k', 'v', 'EX', 10],
  ['MGET', 'a', 'b', 'c'],
  ['MSET', 'a', '1', 'b', '2', 'c', '3'],
  ['MSETNX', 'a', '1', 'b', '2'],
  ['DEL', 'a', 'b'],
  ['EVAL', 'return 1', 2, 'k1', 'k2', 'arg1'],
  ['EVAL', 'return 1', 0, 'arg1'],
  ['EVALSHA', 'a'.repeat(40), '1', 'k1', 'x'],
  ['FCALL', 'f', 2, 'k1', 'k2', 'a'],
  ['XREAD', 'COUNT', 2, 'STREAMS', 's1', 's2', '0', '0'],
  ['xread', 'block', 0, 'streams', 's1', '$'],
  ['XREADGROUP', 'GROUP', 'g', 'c', 'COUNT', 1, 'STREAMS', 's1', 's2', '>', '>'],
  ['ZUNIONSTORE', 'dest', 2, 'z1', 'z2', 'WEIGHTS', 1, 2],
  ['ZINTERCARD', 2, 'z1', 'z2', 'LIMIT', 1],
  ['ZDIFF', 2, 'z1', 'z2', 'WITHSCORES'],
  ['LMPOP', 2, 'l1', 'l2', 'LEFT'],
  ['BLMPOP', 0, 2, 'l1', 'l2', 'LEFT'],
  ['BLPOP', 'l1', 'l2', 0],
  ['BRPOPLPUSH', 'src', 'dst', 0],
  ['LMOVE', 'src', 'dst', 'LEFT', 'RIGHT'],
  ['SORT', 'k', 'BY', 'w_*', 'LIMIT', 0, 10, 'GET', 'o_*', 'STORE', 'dst'],
  ['SORT', 'k', 'ALPHA'],
  ['SORT_RO', 'k', 'BY', 'w_*'],
  ['GEORADIUS', 'g', 0, 0, 10, 'km', 'STORE', 'dst'],
  ['GEOSEARCHSTORE', 'dst', 'src', 'FROMLONLAT', 0, 0, 'BYRADIUS', 1, 'km'],
  ['OBJECT', 'ENCODING', 'k'],
  ['MEMORY', 'USAGE', 'k'],
  ['XINFO', 'STREAM', 's'],
  ['RENAME', 'a', 'b'],
  ['BITOP', 'AND', 'dst', 'a', 'b'],
  ['PFCOUNT', 'a', 'b'],
  ['SINTERCARD', 2, 's1', 's2'],
  ['MIGRATE', '127.0.0.1', 1, 'k', 0, 1000],
  ['MIGRATE', '127.0.0.1', 1, '', 0, 1000, 'COPY', 'AUTH', 'pw', 'KEYS', 'a', 'b'],
  ['MIGRATE', '127.0.0.1', 1, '', 0, 1000, 'AUTH2', 'u', 'pw', 'KEYS', 'a'],
];

describe('command table: key positions, flags, blocking', function () {
  const ctx = serverAndPool();

  it('finds the same keys as the server (COMMAND GETKEYS) for every key-spec shape', async function () {
    for (const command of KEY_CASES) {
      const server = (await ctx.pool.command(['COMMAND', 'GETKEYS', ...command])) as string[];
      const ours = keyIndexes(command).map((i) => String(command[i]));
      expect(ours, JSON.stringify(command)).to.deep.equal(server);
      expect(firstKeyIndex(command), JSON.stringify(command)).to.equal(keyIndexes(command)[0] ?? -1);
    }
  });

  it('gives key positions as indexes into the command', function () {
    expect(keyIndexes(['MSET', 'a', '1', 'b', '2'])).to.deep.equal([1, 3]);
    expect(keyIndexes(['EVAL', 's', '2', 'k1', 'k2', 'a'])).to.deep.equal([3, 4]);
    expect(keyIndexes(['XREAD', 'STREAMS', 's1', 's2', '0', '0'])).to.deep.equal([2, 3]);
    expect(keyIndexes(['ZUNIONSTORE', 'd', 2, 'a', 'b'])).to.deep.equal([1, 3, 4]);
    expect(keyIndexes(['SORT', 'k', 'STORE', 'd'])).to.deep.equal([1, 3]);
    expect(firstKeyIndex(['MIGRATE', 'h', 1, '', 0, 10, 'KEYS', 'a'])).to.equal(7);
    expect(firstKeyIndex(['EVAL', 's', 0])).to.equal(-1);
    expect(firstKeyIndex(['PING'])).to.equal(-1);
    expect(firstKeyIndex(['NOSUCHCOMMAND', 'k'])).to.equal(-1);
    expect(firstKeyIndex([Buffer.from('get'), 'k'])).to.equal(1);
    expect(firstKeyIndex(['Get', 'k'])).to.equal(1);
    expect(firstKeyIndex(['XREAD', 'COUNT', 1])).to.equal(-1);
  });

  it('says which commands only read', function () {
    for (const c of [['GET', 'k'], ['hgetall', 'h'], ['ZRANGE', 'z', 0, -1], ['XREAD', 'STREAMS', 's', 0],
      ['OBJECT', 'ENCODING', 'k'], ['SORT_RO', 'k'], ['EXISTS', 'k']] as Command[]) {
      expect(isReadOnly(c), String(c[0])).to.equal(true);
    }
    for (const c of [['SET', 'k', 'v'], ['DEL', 'k'], ['EVAL', 's', 0], ['SORT', 'k'], ['CLIENT'],
      ['nosuch'], ['XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 's', '>']] as Command[]) {
      expect(isReadOnly(c), String(c[0])).to.equal(false);
    }
  });

  it('says which commands block: by flag, curated, and XREAD only with BLOCK', function () {
    for (const c of [['BLPOP', 'l', 0], ['blmove', 'a', 'b', 'LEFT', 'LEFT', 0], ['BZMPOP', 0, 1, 'z', 'MIN'],
      ['WAIT', 1, 0], ['WAITAOF', 1, 0, 0], ['XREAD', 'BLOCK', 0, 'STREAMS', 's', '$'],
      ['XREADGROUP', 'GROUP', 'g', 'c', 'block', 10, 'STREAMS', 's', '>']] as Command[]) {
      expect(isBlocking(c), String(c[0])).to.equal(true);
    }
    for (const c of [['GET', 'k'], ['XREAD', 'STREAMS', 's', '0'], ['LPOP', 'l'], ['CLIENT', 'PAUSE', 10]] as Command[]) {
      expect(isBlocking(c), String(c[0])).to.equal(false);
    }
  });

  it('resolves containers to their subcommand, with flags, group and policy tips', function () {
    const setname = commandInfo(['client', 'setname', 'x'])!;
    expect(setname.name).to.equal('CLIENT|SETNAME');
    expect(setname.group).to.equal('connection');
    const get = commandInfo(['GET', 'k'])!;
    expect(get).to.include({ name: 'GET', arity: 2, readonly: true, blocking: false, group: 'string' });
    expect(get.flags).to.include('fast');
    expect(commandInfo(['DBSIZE'])).to.include({ requestPolicy: 'all_shards', responsePolicy: 'agg_sum' });
    expect(commandInfo(['CLIENT'])!.name).to.equal('CLIENT');
    expect(commandInfo(['CLIENT', 'nosuch'])!.name).to.equal('CLIENT');
    expect(commandInfo(['NOSUCH'])).to.equal(undefined);
    expect(commandInfo(['WAIT', 1, 0])!.blocking).to.equal(true);
  });

  it('mayReplicate: writes, scripts, PUBLISH, EXEC and unknown commands; not reads, SELECT, CLIENT or WAIT', function () {
    for (const c of [['SET', 'k', 'v'], ['del', 'k'], ['BLPOP', 'k', 0], ['EVALSHA', 'x', 0], ['EVAL', 's', 0],
      ['FCALL', 'f', 0], ['PUBLISH', 'c', 'm'], ['EXEC'], ['FLUSHALL'], ['MODULE.WRITE', 'k']] as Command[]) {
      expect(mayReplicate(c), String(c[0])).to.equal(true);
    }
    for (const c of [['GET', 'k'], ['SELECT', 1], ['PING'], ['CLIENT', 'ID'], ['MULTI'], ['WATCH', 'k'],
      ['WAIT', 1, 0], ['WAITAOF', 0, 1, 0], ['INFO'], ['EVAL_RO', 's', 0]] as Command[]) {
      expect(mayReplicate(c), String(c[0])).to.equal(false);
    }
  });
});
