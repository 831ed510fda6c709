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
 * - `command-set-nx` `pool.command(['SET', k, v, 'NX'])` vs `typed-set-nx` `pool.set(k, v, { NX: true })`
 * - `command-set-3` `pool.command(['SET', k, v, 'NX', 'GET', 'EX', 60])` vs `typed-set-3`
 *   `pool.set(k, v, { EX: 60, NX: true, GET: true })` (keys out of the syntax's order)
 * - `command-hgetall` `pool.command(['HGETALL', h])` vs `typed-hgetall` `pool.hgetall(h)` (normalised
 *   to an object: a `.then` per call)
 * - `control-get`: `pool.command(['GET', k])` again, against `command-get`: how far two identical
 *   variants differ in this run (the noise a ratio has to beat).
 *
 * A whole command costs about a microsecond of CPU, and from one child to the next it moves by
 * more than the 3% asked of the typed layer (the host's other work, how many commands one write
 * carries), so the `layer-` variants also measure the typed layer alone: the same calls made
 * 5,000,000 times on a receiver whose `command()` returns at once (no encoding, no I/O), in ns
 * per call. The difference to `layer-command-*` is what a typed call adds; the table gives it
 * as a share of the whole command's CPU too.
 *
 * Ratios: of the medians, and the median of each round's own ratio (both variants of a pair
 * ran in the same round, so they shared the machine's state).
 *
 * Environment: REDIS_URL (else a redis-server is started), TYPED_ROUNDS (8), TYPED_VARIANTS
 * (comma list).
 */
import { fileURLToPath } from 'node:url';
import type { Pool } from '../lib/index.js';
import { collectCpuSamples, measureCpu, printCpuSample } from './cpu-cost.js';
import { median } from './stats.js';

const SELF = fileURLToPath(import.meta.url);
const WARMUP = 100_000;
const MEASURED = 300_000;
const CALLERS = 200;
const PAIRS = [
  'command-get', 'typed-get', 'command-set', 'typed-set', 'typed-set-redis-order', 'command-set-nx', 'typed-set-nx',
  'command-set-3', 'typed-set-3', 'command-hgetall', 'typed-hgetall',
];
const VARIANTS = [...PAIRS, 'control-get', ...PAIRS.map((v) => `layer-${v}`)];
const LAYER_WARMUP = 1_000_000;
const LAYER_MEASURED = 5_000_000;

/** The variant a variant is compared with: `command-get` for `typed-get` and `control-get`. */
function baseOf(variant: string): string {
  return variant.replace(/typed-|control-/, 'command-').replace('-redis-order', '');
}

/** The calls of each pair, made on `r`: a pool, or the layer's do-nothing receiver. */
function calls(r: Pool): Record<string, () => Promise<unknown>> {
  const k = 'typed-cost:k';
  const h = 'typed-cost:h';
  const v = 'x'.repeat(64);
  return {
    'command-get': () => r.command(['GET', k]),
    'control-get': () => r.command(['GET', k]),
    'typed-get': () => r.get(k),
    'command-set': () => r.command(['SET', k, v, 'EX', 60]),
    'typed-set': () => r.set(k, v, { EX: 60 }),
    'typed-set-redis-order': () => r.set(k, v, 'EX', 60),
    'command-set-nx': () => r.command(['SET', k, v, 'NX']),
    'typed-set-nx': () => r.set(k, v, { NX: true }),
    'command-set-3': () => r.command(['SET', k, v, 'NX', 'GET', 'EX', 60]),
    'typed-set-3': () => r.set(k, v, { EX: 60, NX: true, GET: true }),
    'command-hgetall': () => r.command(['HGETALL', h]),
    'typed-hgetall': () => r.hgetall(h),
  };
}

async function child(variant: string, url: string): Promise<void> {
  if (variant.startsWith('layer-')) return layerChild(variant.slice('layer-'.length));
  const { createPool } = await import('../lib/index.js');
  const pool = createPool(url, { size: 8 });
  await pool.command(['SET', 'typed-cost:k', 'x'.repeat(64)]);
  await pool.command(['HSET', 'typed-cost:h', 'a', 'x'.repeat(64), 'b', 'x'.repeat(64)]);
  await printCpuSample(calls(pool)[variant]!, WARMUP, MEASURED, CALLERS);
  await pool.close();
}

/**
 * The typed layer alone: the pool's methods called on a receiver whose `command()` hands back a
 * settled promise (the methods only ever call `this.command()`). An await every 1,024 calls lets
 * the `.then`s of normalised replies run, as they would.
 */
async function layerChild(variant: string): Promise<void> {
  const { Pool } = await import('../lib/index.js');
  const done = Promise.resolve(null);
  let sink: unknown;
  const receiver = {
    command(command: unknown, options?: unknown): Promise<unknown> {
      sink = options ?? command;
      return done;
    },
  };
  for (const name of ['get', 'set', 'hgetall']) Object.defineProperty(receiver, name, { value: Reflect.get(Pool.prototype, name) });
  const one = calls(receiver as unknown as Pool)[variant]!;
  const load = async (total: number) => {
    let last: Promise<unknown> = done;
    for (let i = 0; i < total; i++) {
      last = one();
      if ((i & 1023) === 0) await last;
    }
    await last;
  };
  const sample = await measureCpu(load, LAYER_WARMUP, LAYER_MEASURED);
  if (sink === undefined) throw new Error('the receiver was never called');
  console.log(JSON.stringify(sample));
}

async function main(): Promise<void> {
  const rounds = Number(process.env.TYPED_ROUNDS ?? 8);
  const variants = process.env.TYPED_VARIANTS?.split(',') ?? VARIANTS;
  // Alternate the order too, so neither side of a pair always runs first.
  const samples = await collectCpuSamples(SELF, variants, rounds, true);
  const cpuOf = (variant: string) => {
    const list = samples.get(variant);
    return list === undefined ? undefined : median(list.map((s) => s.cpuNs));
  };
  console.log(`| variant | CPU ns per command (median of ${rounds}) | vs command([...]): of medians | median of round ratios | ops/s (median) |`);
  console.log('| --- | ---: | ---: | ---: | ---: |');
  for (const [variant, list] of samples) {
    if (variant.startsWith('layer-')) continue;
    const cpu = cpuOf(variant)!;
    const base = samples.get(baseOf(variant));
    const baseCpu = base !== undefined ? median(base.map((s) => s.cpuNs)) : cpu;
    const paired = base !== undefined ? median(list.map((s, i) => s.cpuNs / base[i]!.cpuNs)) : 1;
    const ops = median(list.map((s) => s.opsPerSec));
    console.log(`| ${variant} | ${cpu.toFixed(0)} | ${(cpu / baseCpu).toFixed(3)}x | ${paired.toFixed(3)}x | ` +
      `${Math.round(ops).toLocaleString('en-US')} |`);
  }
  if (![...samples.keys()].some((v) => v.startsWith('layer-'))) return;
  console.log('');
  console.log(`| the typed layer alone | ns per call (median of ${rounds}) | added vs command([...]) | added, share of the whole command's CPU |`);
  console.log('| --- | ---: | ---: | ---: |');
  for (const variant of samples.keys()) {
    if (!variant.startsWith('layer-')) continue;
    const ns = cpuOf(variant)!;
    const base = cpuOf(baseOf(variant));
    const added = base === undefined ? NaN : ns - base;
    const whole = cpuOf(baseOf(variant.slice('layer-'.length)));
    const share = whole === undefined || Number.isNaN(added) ? '' : `${((100 * added) / whole).toFixed(1)}%`;
    console.log(`| ${variant} | ${ns.toFixed(1)} | ${Number.isNaN(added) ? '' : added.toFixed(1)} | ${share} |`);
  }
}

if (process.argv[2] !== undefined) await child(process.argv[2], process.argv[3]!);
else await main();
