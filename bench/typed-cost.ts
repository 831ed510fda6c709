/**
 * What the typed methods cost against `command([...])`, in CPU time per command (less
 * disturbed by a busy machine than ops/s): `npm run bench:typed`
 * (run it under `flock /work/bench.lock`, like every bench).
 *
 * Each variant runs in its own child process, variants alternating round by round; a child
 * sends 100,000 warm-up then 300,000 measured commands from 200 callers on a pool of 8 and
 * reports CPU ns per command (user + system) and ops/s. Variants, in pairs:
 *
 * - `command-get` `pool.command(['GET', k])`  vs `typed-get` `pool.get(k)`
 * - `command-set` `pool.command(['SET', k, v, 'EX', 60])` vs `typed-set` `pool.set(k, v, { EX: 60 })`
 * - `typed-set-redis-order` `pool.set(k, v, 'EX', 60)` (the ioredis spelling)
 * - `command-hgetall` `pool.command(['HGETALL', h])` vs `typed-hgetall` `pool.hgetall(h)` (normalised
 *   to an object: a `.then` per call)
 *
 * Environment: REDIS_URL (else a redis-server is started), TYPED_ROUNDS (8), TYPED_VARIANTS
 * (comma list).
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { redisTarget } from './redis.js';
import { median } from './stats.js';

const run = promisify(execFile);
const SELF = fileURLToPath(import.meta.url);
const WARMUP = 100_000;
const MEASURED = 300_000;
const CALLERS = 200;
const VARIANTS = [
  'command-get', 'typed-get', 'command-set', 'typed-set', 'typed-set-redis-order', 'command-hgetall', 'typed-hgetall',
];

interface Sample {
  cpuNs: number;
  opsPerSec: number;
}

async function child(variant: string, url: string): Promise<void> {
  const { createPool } = await import('../lib/index.js');
  const pool = createPool(url, { size: 8 });
  const k = 'typed-cost:k';
  const h = 'typed-cost:h';
  const v = 'x'.repeat(64);
  await pool.command(['SET', k, v]);
  await pool.command(['HSET', h, 'a', v, 'b', v]);
  const one: () => Promise<unknown> = {
    'command-get': () => pool.command(['GET', k]),
    'typed-get': () => pool.get(k),
    'command-set': () => pool.command(['SET', k, v, 'EX', 60]),
    'typed-set': () => pool.set(k, v, { EX: 60 }),
    'typed-set-redis-order': () => pool.set(k, v, 'EX', 60),
    'command-hgetall': () => pool.command(['HGETALL', h]),
    'typed-hgetall': () => pool.hgetall(h),
  }[variant]!;
  const load = async (total: number) => {
    let left = total;
    const caller = async () => {
      while (left-- > 0) await one();
    };
    await Promise.all(Array.from({ length: CALLERS }, caller));
  };
  await load(WARMUP);
  const cpu = process.cpuUsage();
  const started = performance.now();
  await load(MEASURED);
  const used = process.cpuUsage(cpu);
  const seconds = (performance.now() - started) / 1000;
  const sample: Sample = { cpuNs: ((used.user + used.system) * 1000) / MEASURED, opsPerSec: MEASURED / seconds };
  console.log(JSON.stringify(sample));
  await pool.close();
}

async function main(): Promise<void> {
  const rounds = Number(process.env.TYPED_ROUNDS ?? 8);
  const variants = process.env.TYPED_VARIANTS?.split(',') ?? VARIANTS;
  const target = await redisTarget();
  const samples = new Map<string, Sample[]>(variants.map((v) => [v, []]));
  try {
    for (let round = 1; round <= rounds; round++) {
      // Alternate the order too, so neither side of a pair always runs first.
      const order = round % 2 === 0 ? [...variants].reverse() : variants;
      for (const variant of order) {
        const { stdout } = await run(process.execPath, ['--import', 'tsx', SELF, variant, target.url], { cwd: process.cwd() });
        samples.get(variant)!.push(JSON.parse(stdout.trim().split('\n').pop()!) as Sample);
      }
      process.stderr.write(`round ${round}/${rounds}\n`);
    }
  } finally {
    await target.stop();
  }
  console.log(`| variant | CPU ns per command (median of ${rounds}) | vs command([...]) | ops/s (median) | vs command([...]) |`);
  console.log('| --- | ---: | ---: | ---: | ---: |');
  for (const [variant, list] of samples) {
    const cpu = median(list.map((s) => s.cpuNs));
    const ops = median(list.map((s) => s.opsPerSec));
    const base = samples.get(`command-${variant.split('-')[1]}`);
    const baseCpu = base !== undefined ? median(base.map((s) => s.cpuNs)) : cpu;
    const baseOps = base !== undefined ? median(base.map((s) => s.opsPerSec)) : ops;
    console.log(`| ${variant} | ${cpu.toFixed(0)} | ${(cpu / baseCpu).toFixed(3)}x | ` +
      `${Math.round(ops).toLocaleString('en-US')} | ${(ops / baseOps).toFixed(3)}x |`);
  }
}

if (process.argv[2] !== undefined) await child(process.argv[2], process.argv[3]!);
else await main();
