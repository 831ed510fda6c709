/** The same 50 commands through node-redis (bench/types/run.ts times tsc on it). */
import { createClient } from 'redis';

export async function main(): Promise<number> {
  const r = await createClient({ url: 'redis://127.0.0.1:6399' }).connect();
  const s1 = await r.set('k', 'v', { EX: 60 });
  const s2 = await r.get('k');
  const n1 = await r.del(['a', 'b']);
  const n2 = await r.exists('k');
  const n3 = await r.expire('k', 10);
  const n4 = await r.ttl('k');
  const n5 = await r.incr('n');
  const n6 = await r.incrBy('n', 5);
  const n7 = await r.decr('n');
  const l1 = await r.mGet(['a', 'b']);
  const s3 = await r.mSet({ a: '1', b: '2' });
  const n8 = await r.hSet('h', { f: 'v' });
  const s4 = await r.hGet('h', 'f');
  const h1 = await r.hGetAll('h');
  const n9 = await r.hDel('h', 'f');
  const n10 = await r.hIncrBy('h', 'n', 1);
  const l2 = await r.hKeys('h');
  const n11 = await r.hLen('h');
  const n12 = await r.lPush('l', ['a', 'b']);
  const n13 = await r.rPush('l', 'c');
  const s5 = await r.lPop('l');
  const s6 = await r.rPop('l');
  const l3 = await r.lRange('l', 0, -1);
  const n14 = await r.lLen('l');
  const n15 = await r.sAdd('s', ['a', 'b']);
  const n16 = await r.sRem('s', 'a');
  const l4 = await r.sMembers('s');
  const n17 = await r.sIsMember('s', 'b');
  const n18 = await r.sCard('s');
  const n19 = await r.zAdd('z', [{ score: 1, value: 'a' }, { score: 2, value: 'b' }]);
  const l5 = await r.zRangeWithScores('z', 0, -1);
  const f1 = await r.zScore('z', 'a');
  const f2 = await r.zIncrBy('z', 1, 'a');
  const n20 = await r.zRem('z', 'a');
  const n21 = await r.zCard('z');
  const l6 = await r.zRangeByScore('z', '-inf', '+inf', { LIMIT: { offset: 0, count: 10 } });
  const s7 = await r.xAdd('x', '*', { f: 'v' });
  const x1 = await r.xRead({ key: 'x', id: '0' }, { COUNT: 10 });
  const n22 = await r.xLen('x');
  const x2 = await r.xRange('x', '-', '+');
  const n23 = await r.publish('c', 'm');
  const e1 = await r.eval('return 1');
  const e2 = await r.evalSha('abc');
  const s8 = await r.scriptLoad('return 1');
  const s9 = await r.info('server');
  const n24 = await r.dbSize();
  const s10 = await r.ping();
  const n25 = await r.geoAdd('g', { longitude: 13.36, latitude: 38.11, member: 'Palermo' });
  const f3 = await r.geoDist('g', 'Palermo', 'Catania', 'km');
  const s11 = await r.type('k');
  r.destroy();
  return [s1, s2, n1, n2, n3, n4, n5, n6, n7, l1, s3, n8, s4, h1, n9, n10, l2, n11, n12, n13, s5, s6, l3, n14, n15, n16, l4,
    n17, n18, n19, l5, f1, f2, n20, n21, l6, s7, x1, n22, x2, n23, e1, e2, s8, s9, n24, s10, n25, f3, s11].length;
}
