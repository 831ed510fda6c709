import { expect } from 'chai';
import { createPool, type Pool } from '../../lib/index.js';
import { scanKeys, parseScore } from '../../lib/commands/scan.js';
import type { Command, Reply } from '../../lib/resp/types.js';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

async function calls(server: RedisServer, name: string): Promise<number> {
  const info = await server.cli('INFO', 'commandstats');
  const match = new RegExp(`cmdstat_${name}:calls=(\\d+)`).exec(info);
  return match === null ? 0 : Number(match[1]);
}

describe('scans', () => {
  let server: RedisServer;
  let pool: Pool;

  before(async () => {
    server = await startRedis();
    pool = createPool(server.url);
    await pool.command(['FLUSHALL']);
    const commands: Command[] = [];
    for (let i = 0; i < 500; i++) commands.push(['SET', `key:${i}`, i]);
    for (let i = 0; i < 50; i++) commands.push(['SET', `other:${i}`, i]);
    for (let i = 0; i < 300; i++) commands.push(['HSET', 'big-hash', `f${i}`, `v${i}`]);
    for (let i = 0; i < 300; i++) commands.push(['SADD', 'big-set', `m${i}`]);
    for (let i = 0; i < 300; i++) commands.push(['ZADD', 'big-zset', i / 2, `z${i}`]);
    commands.push(['ZADD', 'inf-zset', '-inf', 'low', 'inf', 'high']);
    commands.push(['RPUSH', 'a-list', 'x']);
    await pool.pipeline(commands);
  });
  after(async () => {
    await pool.close();
    await server.stop();
  });

  it('yields every key once, following the cursor to 0', async () => {
    const keys = await collect(pool.scan({ match: 'key:*', count: 50 }));
    expect(keys).to.have.length(500);
    expect(new Set(keys).size).to.equal(500);
    expect(keys).to.include('key:0').and.include('key:499');
  });

  it('filters by TYPE', async () => {
    expect(await collect(pool.scan({ type: 'list' }))).to.deep.equal(['a-list']);
    expect((await collect(pool.scan({ type: 'zset' }))).sort()).to.deep.equal(['big-zset', 'inf-zset']);
  });

  it('stops sending SCAN when the loop is left', async () => {
    await server.cli('CONFIG', 'RESETSTAT');
    let seen = 0;
    for await (const key of pool.scan({ count: 10 })) {
      expect(key).to.be.a('string');
      if (++seen === 3) break;
    }
    expect(await calls(server, 'scan')).to.equal(1);
  });

  it('HSCAN yields [field, value] pairs', async () => {
    const pairs = await collect(pool.hscan('big-hash', { count: 20 }));
    expect(pairs).to.have.length(300);
    expect(new Map(pairs).get('f7')).to.equal('v7');
    expect(new Set(pairs.map(([f]) => f)).size).to.equal(300);
  });

  it('HSCAN honours MATCH', async () => {
    const pairs = await collect(pool.hscan('big-hash', { match: 'f1?' }));
    expect(pairs.map(([f]) => f).sort()).to.deep.equal(['f10', 'f11', 'f12', 'f13', 'f14', 'f15', 'f16', 'f17', 'f18', 'f19']);
  });

  it('SSCAN yields members', async () => {
    const members = await collect(pool.sscan('big-set', { count: 25 }));
    expect(members).to.have.length(300);
    expect(new Set(members).size).to.equal(300);
  });

  it('ZSCAN yields [member, score] with numeric scores, infinities included', async () => {
    const pairs = await collect(pool.zscan('big-zset', { count: 30 }));
    expect(pairs).to.have.length(300);
    expect(new Map(pairs).get('z7')).to.equal(3.5);
    expect(new Map(await collect(pool.zscan('inf-zset')))).to.deep.equal(
      new Map([['low', -Infinity], ['high', Infinity]]),
    );
  });

  it('yields Buffers when asked', async () => {
    await pool.command(['SADD', 'bin-set', Buffer.from([0xff, 0xfe])]);
    const members = await collect(pool.sscan('bin-set', { returnBuffers: true }));
    expect(members).to.have.length(1);
    expect(Buffer.isBuffer(members[0])).to.equal(true);
    expect(members[0]!.equals(Buffer.from([0xff, 0xfe]))).to.equal(true);
  });

  it('an empty or missing key yields nothing', async () => {
    expect(await collect(pool.hscan('no-such-hash'))).to.deep.equal([]);
    expect(await collect(pool.scan({ match: 'nothing-matches-*' }))).to.deep.equal([]);
  });
});

describe('scanKeys (scripted replies)', () => {
  it('yields a key returned twice by SCAN only once', async () => {
    const pages: Reply[] = [['7', ['a', 'b']], ['3', ['b', 'c']], ['0', ['a', 'd']]];
    const sent: Command[] = [];
    const run = async (command: Command): Promise<Reply> => {
      sent.push(command);
      return pages.shift()!;
    };
    expect(await collect(scanKeys(run, { match: 'x*', count: 5 }))).to.deep.equal(['a', 'b', 'c', 'd']);
    expect(sent).to.deep.equal([
      ['SCAN', '0', 'MATCH', 'x*', 'COUNT', 5],
      ['SCAN', '7', 'MATCH', 'x*', 'COUNT', 5],
      ['SCAN', '3', 'MATCH', 'x*', 'COUNT', 5],
    ]);
  });

  it('reads scores the way Redis writes them', () => {
    expect(parseScore('inf')).to.equal(Infinity);
    expect(parseScore('-inf')).to.equal(-Infinity);
    expect(parseScore('1.5')).to.equal(1.5);
    expect(parseScore(Buffer.from('-2'))).to.equal(-2);
  });
});
