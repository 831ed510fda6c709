/** A project using 50 commands through respool's typed methods (bench/types/run.ts times tsc on it). */
import { createPool } from '../../lib/index.js';

export async function main(): Promise<number> {
  const r = createPool('redis://127.0.0.1:6399');
  const s1: 'OK' | null = await r.set('k', 'v', { EX: 60 });
  const s2: string | null = await r.get('k');
  const n1: number = await r.del('a', 'b');
  const n2: number = await r.exists('k');
  const n3: number = await r.expire('k', 10);
  const n4: number = await r.ttl('k');
  const n5: number = await r.incr('n');
  const n6: number = await r.incrby('n', 5);
  const n7: number = await r.decr('n');
  const l1: (string | null)[] = await r.mget('a', 'b');
  const s3: 'OK' = await r.mset({ a: '1', b: '2' });
  const n8: number = await r.hset('h', { f: 'v' });
  const s4: string | null = await r.hget('h', 'f');
  const h1: Record<string, string> = await r.hgetall('h');
  const n9: number = await r.hdel('h', 'f');
  const n10: number = await r.hincrby('h', 'n', 1);
  const l2: string[] = await r.hkeys('h');
  const n11: number = await r.hlen('h');
  const n12: number = await r.lpush('l', 'a', 'b');
  const n13: number = await r.rpush('l', 'c');
  const s5 = await r.lpop('l');
  const s6 = await r.rpop('l');
  const l3: string[] = await r.lrange('l', 0, -1);
  const n14: number = await r.llen('l');
  const n15: number = await r.sadd('s', 'a', 'b');
  const n16: number = await r.srem('s', 'a');
  const l4: string[] = await r.smembers('s');
  const n17: number = await r.sismember('s', 'b');
  const n18: number = await r.scard('s');
  const n19 = await r.zadd('z', [[1, 'a'], [2, 'b']]);
  const l5: [string, number][] = await r.zrange('z', 0, -1, { WITHSCORES: true });
  const f1: number | null = await r.zscore('z', 'a');
  const f2: number = await r.zincrby('z', 1, 'a');
  const n20: number = await r.zrem('z', 'a');
  const n21: number = await r.zcard('z');
  const l6: string[] = await r.zrangebyscore('z', '-inf', '+inf', { LIMIT: [0, 10] });
  const s7: string | null = await r.xadd('x', '*', { f: 'v' });
  const x1 = await r.xread([['x'], ['0']], { COUNT: 10 });
  const n22: number = await r.xlen('x');
  const x2 = await r.xrange('x', '-', '+');
  const n23: number = await r.publish('c', 'm');
  const e1 = await r.eval('return 1', 0);
  const e2 = await r.evalsha('abc', 0);
  const s8: string = await r.scriptLoad('return 1');
  const s9: string = await r.info('server');
  const n24: number = await r.dbsize();
  const s10: string = await r.ping();
  const n25: number = await r.geoadd('g', 13.36, 38.11, 'Palermo');
  const f3: number | null = await r.geodist('g', 'Palermo', 'Catania', { KM: true });
  const s11: string = await r.type('k');
  await r.close();
  return [s1, s2, n1, n2, n3, n4, n5, n6, n7, l1, s3, n8, s4, h1, n9, n10, l2, n11, n12, n13, s5, s6, l3, n14, n15, n16, l4,
    n17, n18, n19, l5, f1, f2, n20, n21, l6, s7, x1, n22, x2, n23, e1, e2, s8, s9, n24, s10, n25, f3, s11].length;
}
