/**
 * What tracing costs per command, in CPU time (less disturbed by a busy machine than ops/s):
 * `node --import tsx bench/tracing-cost.ts`.
 *
 * Each variant runs in its own child process, variants alternating round by round; a child
 * sends 100,000 warm-up then 400,000 measured `pool.command(['GET', k])` from 200 callers and
 * reports CPU ns per command (user + system) and ops/s. Variants:
 *
 * - `off`:  this tree, nobody subscribed to the diagnostics channels;
 * - `sdk`:  plus an OpenTelemetry SDK (tracer and meter providers, no-op exporters) and the
 *           AsyncLocalStorage context manager, but no instrumentation;
 * - `otel`: plus respool/otel (a span and a histogram record per command);
 * - `base`: another copy of lib/ given as TRACING_BASE_LIB (a path inside this repo, so its
 *           imports resolve), e.g. the tree before the channels existed:
 *           `mkdir -p scratch/base && git archive <commit> lib | tar -x -C scratch/base`
 *           then `TRACING_BASE_LIB=scratch/base/lib node --import tsx bench/tracing-cost.ts`.
 *
 * Environment: REDIS_URL (else a redis-server is started), TRACING_ROUNDS (10),
 * TRACING_VARIANTS (comma list; default off,sdk,otel, plus base when TRACING_BASE_LIB is set).
 */
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { collectCpuSamples, printCpuSample } from './cpu-cost.js';
import { median } from './stats.js';

const SELF = fileURLToPath(import.meta.url);
const WARMUP = 100_000;
const MEASURED = 400_000;
const CALLERS = 200;

async function child(variant: string, url: string): Promise<void> {
  if (variant === 'sdk' || variant === 'otel') {
    const { setUpOtel } = await import('./clients/otel-setup.js');
    const otel = setUpOtel();
    if (variant === 'otel') {
      const { RespoolInstrumentation } = await import('../lib/otel/index.js');
      new RespoolInstrumentation({ tracerProvider: otel.tracerProvider, meterProvider: otel.meterProvider });
    }
  }
  const lib = variant === 'base'
    ? pathToFileURL(resolve(process.env.TRACING_BASE_LIB!, 'index.ts')).href
    : new URL('../lib/index.js', import.meta.url).href;
  const { createPool } = (await import(lib)) as typeof import('../lib/index.js');
  const pool = createPool(url, { size: 8 });
  await pool.command(['SET', 'tracing-cost:k', 'x'.repeat(64)]);
  await printCpuSample(() => pool.command(['GET', 'tracing-cost:k']), WARMUP, MEASURED, CALLERS);
  await pool.close();
}

async function main(): Promise<void> {
  const rounds = Number(process.env.TRACING_ROUNDS ?? 10);
  const variants = process.env.TRACING_VARIANTS?.split(',')
    ?? ['off', 'sdk', 'otel', ...(process.env.TRACING_BASE_LIB ? ['base'] : [])];
  const samples = await collectCpuSamples(SELF, variants, rounds, false);
  const off = median(samples.get(variants[0]!)!.map((s) => s.cpuNs));
  console.log(`| variant | CPU ns per command (median of ${rounds}) | vs ${variants[0]} | ops/s (median) |`);
  console.log('| --- | ---: | ---: | ---: |');
  for (const [variant, list] of samples) {
    const cpu = median(list.map((s) => s.cpuNs));
    const ops = median(list.map((s) => s.opsPerSec));
    console.log(`| ${variant} | ${cpu.toFixed(0)} | ${(cpu / off).toFixed(3)}x | ${Math.round(ops).toLocaleString('en-US')} |`);
  }
}

if (process.argv[2] !== undefined) await child(process.argv[2], process.argv[3]!);
else await main();
