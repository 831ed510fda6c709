/**
 * One call per curated method (lib/commands/replies.ts), against the data {@link seed} writes.
 * Keys a call changes are its own, so the order of the calls does not matter. `WITH` holds
 * the calls that take the option their RepliesWith type is about.
 */
import { createPool, type Pool } from '../../lib/index.js';

type Call = (p: Pool) => Promise<unknown>;

/** The data every call below reads. */
export async function seed(p: Pool): Promise<void> {
  await p.flushall();
  await p.mset({ s1: 'hello', n1: '10', f1: '1.5' });
  await p.hset('h1', { a: '1', b: '2' });
  await p.rpush('l1', 'a', 'b', 'c', 'd');
  await p.sadd('st1', 'x', 'y', 'z');
  await p.sadd('st2', 'y');
  await p.zadd('z1', 1, 'a', 2.5, 'b', 3, 'c');
  await p.zadd('z2', 1, 'a');
  await p.xadd('x1', '1-0', { f: 'v' });
  await p.xadd('x1', '2-0', { f: 'w' });
  await p.xgroupCreate('x1', 'g1', '0');
  await p.xreadgroup(['g1', 'c1'], [['x1'], ['>']], { COUNT: 1 });
  await p.geoadd('geo', 13.361389, 38.115556, 'Palermo', 15.087269, 37.502669, 'Catania');
  await p.setbit('b1', 7, 1);
  await p.pfadd('hll', 'a', 'b');
}

export const CALLS: Record<string, Call> = {
  // ── string ──
  append: (p) => p.append('s2', 'x'),
  decr: (p) => p.decr('n2'),
  decrby: (p) => p.decrby('n3', 5),
  get: (p) => p.get('s1'),
  getdel: (p) => p.getdel('missing'),
  getex: (p) => p.getex('s1', { EX: 100 }),
  getrange: (p) => p.getrange('s1', 0, 2),
  getset: (p) => p.getset('s3', 'v'),
  incr: (p) => p.incr('n4'),
  incrby: (p) => p.incrby('n5', 3),
  incrbyfloat: (p) => p.incrbyfloat('f2', 0.5),
  lcs: (p) => p.lcs('s1', 's1'),
  mget: (p) => p.mget('s1', 'missing'),
  mset: (p) => p.mset('s4', 'a', 's5', 'b'),
  msetnx: (p) => p.msetnx([['s6', 'a']]),
  psetex: (p) => p.psetex('s7', 10000, 'v'),
  set: (p) => p.set('s8', 'v', { EX: 60, NX: true }),
  setex: (p) => p.setex('s9', 60, 'v'),
  setnx: (p) => p.setnx('s10', 'v'),
  setrange: (p) => p.setrange('s11', 2, 'ab'),
  strlen: (p) => p.strlen('s1'),
  substr: (p) => p.substr('s1', 0, 1),
  // ── hash ──
  hdel: (p) => p.hdel('h2', 'a'),
  hexists: (p) => p.hexists('h1', 'a'),
  hget: (p) => p.hget('h1', 'a'),
  hgetall: (p) => p.hgetall('h1'),
  hincrby: (p) => p.hincrby('h3', 'n', 2),
  hincrbyfloat: (p) => p.hincrbyfloat('h4', 'n', 1.5),
  hkeys: (p) => p.hkeys('h1'),
  hlen: (p) => p.hlen('h1'),
  hmget: (p) => p.hmget('h1', 'a', 'nope'),
  hmset: (p) => p.hmset('h5', { a: '1' }),
  hrandfield: (p) => p.hrandfield('h1', { options: [2, 'WITHVALUES'] }),
  hset: (p) => p.hset('h6', 'a', '1'),
  hsetnx: (p) => p.hsetnx('h7', 'a', '1'),
  hstrlen: (p) => p.hstrlen('h1', 'a'),
  hvals: (p) => p.hvals('h1'),
  // ── list ──
  blmove: (p) => p.blmove('l2', 'l3', 'LEFT', 'RIGHT', 0.01),
  blmpop: (p) => p.blmpop(0.01, 1, ['l1'], 'LEFT', { COUNT: 1 }),
  blpop: (p) => p.blpop(['missing-list'], 0.01),
  brpop: (p) => p.brpop(['l1'], 0.01),
  brpoplpush: (p) => p.brpoplpush('missing-list', 'l4', 0.01),
  lindex: (p) => p.lindex('l1', 0),
  linsert: (p) => p.linsert('l5', 'BEFORE', 'a', 'b'),
  llen: (p) => p.llen('l1'),
  lmove: (p) => p.lmove('l1', 'l6', 'LEFT', 'LEFT'),
  lmpop: (p) => p.lmpop(1, ['l1'], 'RIGHT'),
  lpop: (p) => p.lpop('l1', 2),
  lpos: (p) => p.lpos('l1', 'c'),
  lpush: (p) => p.lpush('l7', 'a'),
  lpushx: (p) => p.lpushx('l8', 'a'),
  lrange: (p) => p.lrange('l1', 0, -1),
  lrem: (p) => p.lrem('l9', 0, 'a'),
  lset: (p) => p.rpush('l10', 'a').then(() => p.lset('l10', 0, 'b')),
  ltrim: (p) => p.ltrim('l11', 0, 1),
  rpop: (p) => p.rpop('missing-list'),
  rpoplpush: (p) => p.rpoplpush('missing-list', 'l12'),
  rpush: (p) => p.rpush('l13', 'a', 'b'),
  rpushx: (p) => p.rpushx('l14', 'a'),
  // ── set ──
  sadd: (p) => p.sadd('st3', 'a'),
  scard: (p) => p.scard('st1'),
  sdiff: (p) => p.sdiff('st1', 'st2'),
  sdiffstore: (p) => p.sdiffstore('st4', 'st1', 'st2'),
  sinter: (p) => p.sinter('st1', 'st2'),
  sintercard: (p) => p.sintercard(2, ['st1', 'st2']),
  sinterstore: (p) => p.sinterstore('st5', 'st1', 'st2'),
  sismember: (p) => p.sismember('st1', 'x'),
  smembers: (p) => p.smembers('st1'),
  smismember: (p) => p.smismember('st1', 'x', 'q'),
  smove: (p) => p.smove('st6', 'st7', 'a'),
  spop: (p) => p.spop('st8'),
  srandmember: (p) => p.srandmember('st1', 2),
  srem: (p) => p.srem('st9', 'a'),
  sunion: (p) => p.sunion('st1', 'st2'),
  sunionstore: (p) => p.sunionstore('st10', 'st1', 'st2'),
  // ── sorted set ──
  bzmpop: (p) => p.bzmpop(0.01, 1, ['z1'], 'MIN'),
  bzpopmax: (p) => p.bzpopmax(['z1'], 0.01),
  bzpopmin: (p) => p.bzpopmin(['missing-z'], 0.01),
  zadd: (p) => p.zadd('z3', [[1, 'a']], { INCR: true }),
  zcard: (p) => p.zcard('z1'),
  zcount: (p) => p.zcount('z1', '-inf', '+inf'),
  zdiff: (p) => p.zdiff(2, ['z1', 'z2']),
  zdiffstore: (p) => p.zdiffstore('z4', 2, ['z1', 'z2']),
  zincrby: (p) => p.zincrby('z5', 1.5, 'a'),
  zinter: (p) => p.zinter(2, ['z1', 'z2']),
  zintercard: (p) => p.zintercard(2, ['z1', 'z2']),
  zinterstore: (p) => p.zinterstore('z6', 2, ['z1', 'z2']),
  zlexcount: (p) => p.zlexcount('z1', '-', '+'),
  zmpop: (p) => p.zmpop(1, ['z1'], 'MAX', { COUNT: 2 }),
  zmscore: (p) => p.zmscore('z2', 'a', 'nope'),
  zpopmax: (p) => p.zpopmax('z2'),
  zpopmin: (p) => p.zpopmin('z1', 1),
  zrandmember: (p) => p.zrandmember('z1', { options: [2, 'WITHSCORES'] }),
  zrange: (p) => p.zrange('z1', 0, -1),
  zrangebylex: (p) => p.zrangebylex('z1', '-', '+'),
  zrangebyscore: (p) => p.zrangebyscore('z1', '-inf', '+inf', { LIMIT: [0, 2] }),
  zrangestore: (p) => p.zrangestore('z7', 'z1', 0, -1),
  zrank: (p) => p.zrank('z1', 'b'),
  zrem: (p) => p.zrem('z8', 'a'),
  zremrangebylex: (p) => p.zremrangebylex('z9', '-', '+'),
  zremrangebyrank: (p) => p.zremrangebyrank('z10', 0, -1),
  zremrangebyscore: (p) => p.zremrangebyscore('z11', 0, 1),
  zrevrange: (p) => p.zrevrange('z1', 0, -1),
  zrevrangebylex: (p) => p.zrevrangebylex('z1', '+', '-'),
  zrevrangebyscore: (p) => p.zrevrangebyscore('z1', '+inf', '-inf'),
  zrevrank: (p) => p.zrevrank('z1', 'nope'),
  zscore: (p) => p.zscore('z1', 'b'),
  zunion: (p) => p.zunion(2, ['z1', 'z2']),
  zunionstore: (p) => p.zunionstore('z12', 2, ['z1', 'z2']),
  // ── generic ──
  copy: (p) => p.copy('s1', 'c1'),
  del: (p) => p.del('d1', 'd2'),
  dump: (p) => p.dump('missing'),
  exists: (p) => p.exists('s1', 'missing'),
  expire: (p) => p.expire('e1', 10),
  expireat: (p) => p.expireat('e2', 4_000_000_000),
  expiretime: (p) => p.expiretime('s1'),
  keys: (p) => p.keys('s*'),
  migrate: (p) => p.migrate('127.0.0.1', 1, 'missing', 0, 1000),
  move: (p) => p.move('missing', 1),
  objectEncoding: (p) => p.objectEncoding('s1'),
  objectFreq: (p) => p.configSet([['maxmemory-policy', 'allkeys-lfu']])
    .then(() => p.objectFreq('s1'))
    .finally(() => p.configSet([['maxmemory-policy', 'noeviction']])),
  objectHelp: (p) => p.objectHelp(),
  objectIdletime: (p) => p.objectIdletime('s1'),
  objectRefcount: (p) => p.objectRefcount('s1'),
  persist: (p) => p.persist('s1'),
  pexpire: (p) => p.pexpire('e3', 1000),
  pexpireat: (p) => p.pexpireat('e4', 4_000_000_000_000),
  pexpiretime: (p) => p.pexpiretime('s1'),
  pttl: (p) => p.pttl('s1'),
  randomkey: (p) => p.randomkey(),
  rename: (p) => p.set('r1', 'v').then(() => p.rename('r1', 'r2')),
  renamenx: (p) => p.set('r3', 'v').then(() => p.renamenx('r3', 'r4')),
  restore: (p) => p.dump('s1', { returnBuffers: true }).then((d) => p.restore('r5', 0, d!, { REPLACE: true })),
  sort: (p) => p.sort('l1', { ALPHA: true, LIMIT: [0, 2] }),
  sort_ro: (p) => p.sort_ro('l1', { ALPHA: true }),
  touch: (p) => p.touch('s1', 'missing'),
  ttl: (p) => p.ttl('s1'),
  type: (p) => p.type('h1'),
  unlink: (p) => p.unlink('u1'),
  wait: (p) => p.wait(0, 0),
  // ── stream ──
  xack: (p) => p.xack('x1', 'g1', '1-0'),
  xadd: (p) => p.xadd('x2', '*', { f: 'v' }, { NOMKSTREAM: true }),
  xautoclaim: (p) => p.xautoclaim('x1', 'g1', 'c2', 0, '0'),
  xclaim: (p) => p.xclaim('x1', 'g1', 'c3', 0, ['2-0']),
  xdel: (p) => p.xdel('x3', '1-0'),
  xgroupCreate: (p) => p.xgroupCreate('x4', 'g', '$', { MKSTREAM: true }),
  xgroupCreateconsumer: (p) => p.xgroupCreateconsumer('x1', 'g1', 'c9'),
  xgroupDelconsumer: (p) => p.xgroupDelconsumer('x1', 'g1', 'c8'),
  xgroupDestroy: (p) => p.xgroupDestroy('x1', 'nope'),
  xgroupHelp: (p) => p.xgroupHelp(),
  xgroupSetid: (p) => p.xgroupSetid('x1', 'g1', '0'),
  xinfoConsumers: (p) => p.xinfoConsumers('x1', 'g1'),
  xinfoGroups: (p) => p.xinfoGroups('x1'),
  xinfoHelp: (p) => p.xinfoHelp(),
  xinfoStream: (p) => p.xinfoStream('x1'),
  xlen: (p) => p.xlen('x1'),
  xpending: (p) => p.xpending('x1', 'g1'),
  xrange: (p) => p.xrange('x1', '-', '+'),
  xread: (p) => p.xread([['x1'], ['0']], { COUNT: 5 }),
  xreadgroup: (p) => p.xreadgroup(['g1', 'c1'], [['x1'], ['0']]),
  xrevrange: (p) => p.xrevrange('x1', '+', '-', { COUNT: 1 }),
  xsetid: (p) => p.xadd('x5', '5-0', { f: 'v' }).then(() => p.xsetid('x5', '9-0')),
  xtrim: (p) => p.xtrim('x6', ['MAXLEN', '~', 10]),
  // ── scripting ──
  eval: (p) => p.eval('return {1, "a"}', 0),
  evalsha: (p) => p.scriptLoad('return 1').then((sha) => p.evalsha(sha, 0)),
  eval_ro: (p) => p.eval_ro('return redis.call("GET", KEYS[1])', 1, 's1'),
  evalsha_ro: (p) => p.scriptLoad('return 2').then((sha) => p.evalsha_ro(sha, 0)),
  fcall: (p) => p.fcall('tf', 0),
  fcall_ro: (p) => p.fcall_ro('tfro', 0),
  functionDelete: (p) => p.functionLoad(LIB2).then(() => p.functionDelete('lib2')),
  functionDump: (p) => p.functionDump(),
  functionFlush: (p) => p.functionDump({ returnBuffers: true })
    .then((dump) => p.functionFlush().finally(() => p.functionRestore(dump))),
  functionHelp: (p) => p.functionHelp(),
  functionKill: (p) => whileBusy(p, 'functionKill'),
  functionList: (p) => p.functionList(),
  functionLoad: (p) => p.functionLoad(LIB3, { REPLACE: true }),
  functionRestore: (p) => p.functionDump({ returnBuffers: true }).then((d) => p.functionRestore(d, { REPLACE: true })),
  functionStats: (p) => p.functionStats(),
  scriptDebug: (p) => p.scriptDebug('NO'),
  scriptExists: (p) => p.scriptExists('abc', 'def'),
  scriptFlush: (p) => p.scriptFlush(),
  scriptHelp: (p) => p.scriptHelp(),
  scriptKill: (p) => whileBusy(p, 'scriptKill'),
  scriptLoad: (p) => p.scriptLoad('return 3'),
  // ── pub/sub ──
  publish: (p) => p.publish('chan', 'hello'),
  spublish: (p) => p.spublish('chan', 'hello'),
  pubsubChannels: (p) => p.pubsubChannels(),
  pubsubShardchannels: (p) => p.pubsubShardchannels(),
  pubsubHelp: (p) => p.pubsubHelp(),
  pubsubNumpat: (p) => p.pubsubNumpat(),
  pubsubNumsub: (p) => p.pubsubNumsub('a', 'b'),
  pubsubShardnumsub: (p) => p.pubsubShardnumsub('a'),
  // ── server information ──
  info: (p) => p.info('server'),
  dbsize: (p) => p.dbsize(),
  time: (p) => p.time(),
  lastsave: (p) => p.lastsave(),
  configGet: (p) => p.configGet('maxmemory', 'port'),
  configSet: (p) => p.configSet([['maxmemory', '0']]),
  configResetstat: (p) => p.configResetstat(),
  flushall: (p) => p.flushall({ SYNC: true }).finally(() => seed(p)),
  flushdb: (p) => p.flushdb().finally(() => seed(p)),
  ping: (p) => p.ping(),
  echo: (p) => p.echo('hi'),
  role: (p) => p.role(),
  commandCount: (p) => p.commandCount(),
  clientId: (p) => p.clientId(),
  clientGetname: (p) => p.clientGetname(),
  clientSetname: (p) => p.use((h) => h.clientSetname('typed')),
  clientInfo: (p) => p.clientInfo(),
  clientList: (p) => p.clientList(),
  memoryUsage: (p) => p.memoryUsage('s1'),
  slowlogLen: (p) => p.slowlogLen(),
  lolwut: (p) => p.lolwut(),
  // ── geo ──
  geoadd: (p) => p.geoadd('geo2', 13.361389, 38.115556, 'Palermo'),
  geodist: (p) => p.geodist('geo', 'Palermo', 'Catania', { KM: true }),
  geohash: (p) => p.geohash('geo', 'Palermo', 'nope'),
  geopos: (p) => p.geopos('geo', 'Palermo', 'nope'),
  georadius: (p) => p.georadius('geo', 15, 37, 200, 'KM', { WITHDIST: true }),
  georadius_ro: (p) => p.georadius_ro('geo', 15, 37, 200, 'KM'),
  georadiusbymember: (p) => p.georadiusbymember('geo', 'Palermo', 200, 'KM', { WITHCOORD: true }),
  georadiusbymember_ro: (p) => p.georadiusbymember_ro('geo', 'Palermo', 200, 'KM'),
  geosearch: (p) => p.geosearch('geo', 'FROMLONLAT', 15, 37, 'BYRADIUS', 200, 'KM', 'WITHDIST'),
  geosearchstore: (p) => p.geosearchstore('geo3', 'geo', 'FROMMEMBER', 'Palermo', 'BYBOX', 400, 400, 'KM'),
  // ── bitmap, hyperloglog ──
  bitcount: (p) => p.bitcount('b1'),
  bitop: (p) => p.bitop('AND', 'b2', 'b1'),
  bitpos: (p) => p.bitpos('b1', 1),
  getbit: (p) => p.getbit('b1', 7),
  setbit: (p) => p.setbit('b3', 1, 1),
  bitfield: (p) => p.bitfield('b4', 'INCRBY', 'u8', 0, 1),
  bitfield_ro: (p) => p.bitfield_ro('b1', { GET: [['u8', 0]] }),
  pfadd: (p) => p.pfadd('hll2', 'a'),
  pfcount: (p) => p.pfcount('hll'),
  pfmerge: (p) => p.pfmerge('hll3', 'hll'),
};

/** The calls that take the option their RepliesWith entry is about. */
export const WITH: Record<string, Call> = {
  set: (p) => p.set('s1', 'hello', { GET: true }),
  zrange: (p) => p.zrange('z1', 0, -1, { WITHSCORES: true }),
  zrangebyscore: (p) => p.zrangebyscore('z1', '-inf', '+inf', { WITHSCORES: true }),
  zrevrangebyscore: (p) => p.zrevrangebyscore('z1', '+inf', '-inf', { WITHSCORES: true }),
  zrevrange: (p) => p.zrevrange('z1', 0, -1, { WITHSCORES: true }),
  zunion: (p) => p.zunion(2, ['z1', 'z2'], { WITHSCORES: true }),
  zinter: (p) => p.zinter(2, ['z1', 'z2'], { WITHSCORES: true }),
  zdiff: (p) => p.zdiff(2, ['z1', 'z2'], { WITHSCORES: true }),
  xclaim: (p) => p.xclaim('x1', 'g1', 'c3', 0, ['1-0'], { JUSTID: true }),
};

/** Function libraries the scripting calls use (loaded by the test before the calls). */
export const LIB1 = "#!lua name=lib1\nredis.register_function('tf', function() return 1 end)\n" +
  "redis.register_function{function_name='tfro', callback=function() return 'ro' end, flags={'no-writes'}}\n" +
  "redis.register_function('tbusy', function() local i = 0 while true do i = i + 1 end end)";
const LIB2 = "#!lua name=lib2\nredis.register_function('tf2', function() return 2 end)";
const LIB3 = "#!lua name=lib3\nredis.register_function('tf3', function() return 3 end)";

/**
 * SCRIPT KILL / FUNCTION KILL answer OK only while a script runs: start a busy one on a
 * connection of its own, wait until the server says BUSY, then kill it.
 */
async function whileBusy(p: Pool, kill: 'scriptKill' | 'functionKill'): Promise<unknown> {
  // Its own pool: on a shared connection the kill would queue behind the script.
  const other = createPool({ host: p.options.host, port: p.options.port, protocol: p.options.protocol, size: 1 });
  try {
    const busy = kill === 'scriptKill'
      ? other.command(['EVAL', 'local i = 0 while true do i = i + 1 end', '0'])
      : other.command(['FCALL', 'tbusy', '0']);
    const settled = busy.catch((err: unknown) => err);
    for (;;) {
      try {
        const reply = await p[kill]();
        await settled;
        return reply;
      } catch (err) {
        // NOTBUSY: the script has not started yet (the server needs busy-reply-threshold ms).
        if ((err as { code?: string }).code !== 'NOTBUSY') throw err;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    }
  } finally {
    await other.close();
  }
}
