/** The same 50 commands through ioredis (bench/types/run.ts times tsc on it). */
import { Redis } from 'ioredis';

export async function main(): Promise<number> {
  const r = new Redis('redis://127.0.0.1:6399');
  const s1 = await r.set('k', 'v', 'EX', 60);
  const s2 = await r.get('k');
  const n1 = await r.del('a', 'b');
  const n2 = await r.exists('k');
  const n3 = await r.expire('k', 10);
  const n4 = await r.ttl('k');
  const n5 = await r.incr('n');
  const n6 = await r.incrby('n', 5);
  const n7 = await r.decr('n');
  const l1 = await r.mget('a', 'b');
  const s3 = await r.mset({ a: '1', b: '2' });
  const n8 = await r.hset('h', { f: 'v' });
  const s4 = await r.hget('h', 'f');
  const h1 = await r.hgetall('h');
  const n9 = await r.hdel('h', 'f');
  const n10 = await r.hincrby('h', 'n', 1);
  const l2 = await r.hkeys('h');
  const n11 = await r.hlen('h');
  const n12 = await r.lpush('l', 'a', 'b');
  const n13 = await r.rpush('l', 'c');
  const s5 = await r.lpop('l');
  const s6 = await r.rpop('l');
  const l3 = await r.lrange('l', 0, -1);
  const n14 = await r.llen('l');
  const n15 = await r.sadd('s', 'a', 'b');
  const n16 = await r.srem('s', 'a');
  const l4 = await r.smembers('s');
  const n17 = await r.sismember('s', 'b');
  const n18 = await r.scard('s');
  const n19 = await r.zadd('z', 1, 'a', 2, 'b');
  const l5 = await r.zrange('z', '0', '-1', 'WITHSCORES');
  const f1 = await r.zscore('z', 'a');
  const f2 = await r.zincrby('z', 1, 'a');
  const n20 = await r.zrem('z', 'a');
  const n21 = await r.zcard('z');
  const l6 = await r.zrangebyscore('z', '-inf', '+inf', 'LIMIT', '0', '10');
  const s7 = await r.xadd('x', '*', 'f', 'v');
  const x1 = await r.xread('COUNT', 10, 'STREAMS', 'x', '0');
  const n22 = await r.xlen('x');
  const x2 = await r.xrange('x', '-', '+');
  const n23 = await r.publish('c', 'm');
  const e1 = await r.eval('return 1', 0);
  const e2 = await r.evalsha('abc', 0);
  const s8 = await r.script('LOAD', 'return 1');
  const s9 = await r.info('server');
  const n24 = await r.dbsize();
  const s10 = await r.ping();
  const n25 = await r.geoadd('g', 13.36, 38.11, 'Palermo');
  const f3 = await r.geodist('g', 'Palermo', 'Catania', 'KM');
  const s11 = await r.type('k');
  r.disconnect();
  return [s1, s2, n1, n2, n3, n4, n5, n6, n7, l1, s3, n8, s4, h1, n9, n10, l2, n11, n12, n13, s5, s6, l3, n14, n15, n16, l4,
    n17, n18, n19, l5, f1, f2, n20, n21, l6, s7, x1, n22, x2, n23, e1, e2, s8, s9, n24, s10, n25, f3, s11].length;
}
