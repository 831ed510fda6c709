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
import { fileURLToPath } from 'node:url';
import { collectCpuSamples, printCpuSample } from './cpu-cost.js';
import { median } from './stats.js';

const SELF = fileURLToPath(import.meta.url);
const WARMUP = 100_000;
const MEASURED = 300_000;
const CALLERS = 200;
const VARIANTS = [
  'command-get', 'typed-get', 'command-set', 'typed-set', 'typed-set-redis-order', 'command-hgetall', 'typed-hgetall',
];

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
  await printCpuSample(one, WARMUP, MEASURED, CALLERS);
  await pool.close();
}

async function main(): Promise<void> {
  const rounds = Number(process.env.TYPED_ROUNDS ?? 8);
  const variants = process.env.TYPED_VARIANTS?.split(',') ?? VARIANTS;
  // Alternate the order too, so neither side of a pair always runs first.
  const samples = await collectCpuSamples(SELF, variants, rounds, true);
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
