/**
 * respool's CPU per command against the floor: `node --import tsx bench/floor-cost.ts`.
 *
 * The floor is bench/floor-client.ts, the least a client that returns one promise per command
 * can do in Node (a FIFO of resolve functions per socket, one write per socket per tick, a
 * parser for GET and SET replies only). What respool costs above it is what its features cost:
 * validation, the router, timeouts, tracing hooks, RESP3, reconnects. What the floor costs is
 * Node's: promises, the event loop, sockets.
 *
 * Each variant runs in its own child process, alternating round by round (even rounds
 * reversed); a child sends 100,000 warm-up then 400,000 measured commands, SET and GET of 64
 * bytes in turn, from 200 callers, and reports CPU ns per command (user + system) and ops/s.
 * Variants: `respool` (`pool.command`, pool of 8), `floor` (3 sockets, as many as respool's
 * router uses at 200 callers), and `base` when FLOOR_BASE_LIB names another copy of lib/ inside
 * this repo (so its imports resolve), e.g. an older tree:
 * `mkdir -p scratch/base && git archive <commit> lib | tar -x -C scratch/base`, then
 * `FLOOR_BASE_LIB=scratch/base/lib node --import tsx bench/floor-cost.ts`.
 *
 * Environment: REDIS_URL (else a redis-server is started), FLOOR_ROUNDS (10), FLOOR_BASE_LIB.
 */
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { collectCpuSamples, printCpuSample } from './cpu-cost.js';
import { FloorClient } from './floor-client.js';
import { median } from './stats.js';

const SELF = fileURLToPath(import.meta.url);
const WARMUP = 100_000;
const MEASURED = 400_000;
const CALLERS = 200;
const KEY = 'floor-cost:k';
const VALUE = 'v'.repeat(64);

async function child(variant: string, url: string): Promise<void> {
  let n = 0;
  if (variant === 'floor') {
    const { hostname, port } = new URL(url);
    const client = await FloorClient.connect(Number(port), hostname, 3);
    await printCpuSample(() => (n++ & 1 ? client.command(['GET', KEY]) : client.command(['SET', KEY, VALUE])), WARMUP, MEASURED, CALLERS);
    client.close();
    return;
  }
  const lib = variant === 'base'
    ? pathToFileURL(resolve(process.env.FLOOR_BASE_LIB!, 'index.ts')).href
    : new URL('../lib/index.js', import.meta.url).href;
  const { createPool } = (await import(lib)) as typeof import('../lib/index.js');
  const pool = createPool(url, { size: 8 });
  await printCpuSample(() => (n++ & 1 ? pool.command(['GET', KEY]) : pool.command(['SET', KEY, VALUE])), WARMUP, MEASURED, CALLERS);
  await pool.close();
}

async function main(): Promise<void> {
  const rounds = Number(process.env.FLOOR_ROUNDS ?? 10);
  const variants = ['respool', 'floor', ...(process.env.FLOOR_BASE_LIB ? ['base'] : [])];
  const samples = await collectCpuSamples(SELF, variants, rounds, true);
  const floor = median(samples.get('floor')!.map((s) => s.cpuNs));
  console.log(`| variant | CPU ns per command (median of ${rounds}) | vs floor | ops/s (median) |`);
  console.log('| --- | ---: | ---: | ---: |');
  for (const [variant, list] of samples) {
    const cpu = median(list.map((s) => s.cpuNs));
    const ops = median(list.map((s) => s.opsPerSec));
    console.log(`| ${variant} | ${cpu.toFixed(0)} | ${(cpu / floor).toFixed(2)}x | ${Math.round(ops).toLocaleString('en-US')} |`);
  }
}

if (process.argv[2] !== undefined) await child(process.argv[2], process.argv[3]!);
else await main();
