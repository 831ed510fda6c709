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
 * router uses at 200 callers), `respool-use` (`pool.use((c) => c.command([...]))`, one command
 * per callback), `floor-use` (the floor client behind the use floor, below), and `base` when
 * FLOOR_BASE_LIB names another copy of lib/ inside this repo (so its imports resolve; its rows
 * are `base` and `base-use`), e.g. an older tree:
 * `mkdir -p scratch/base && git archive <commit> lib | tar -x -C scratch/base`, then
 * `FLOOR_BASE_LIB=scratch/base/lib node --import tsx bench/floor-cost.ts`.
 *
 * The use floor (`floorUse` below) is the least a scoped-checkout API (`use(fn)`) can do on top
 * of the floor client while keeping what `pool.use` promises: a handle object per call with a
 * live flag (a command on a handle whose callback has ended is refused), `fn` run on it, and one
 * `then` chained on `fn`'s result that clears the flag after everything `fn` chained there, and
 * returns the value or rethrows; plus a count of callbacks running (what a close would wait
 * for). It binds nothing, leases nothing and queues nothing: its handle's commands go where the
 * floor client sends them. What `respool-use` costs above `floor-use` is respool's handle (its
 * binding to one connection, upgrades, WAIT bookkeeping); what `floor-use` costs above `floor`
 * is what any such API pays in Node: an object, two closures, a promise and a reaction per call.
 *
 * Environment: REDIS_URL (else a redis-server is started), FLOOR_ROUNDS (10), FLOOR_BASE_LIB,
 * FLOOR_VARIANTS (comma-separated, to run some of the variants only).
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

/** The floor client seen through a use-style handle: refuses commands once its callback ended. */
class FloorHandle {
  live = true;
  readonly #client: FloorClient;

  constructor(client: FloorClient) {
    this.#client = client;
  }

  command(args: readonly string[]): Promise<string | null> {
    if (!this.live) return Promise.reject(new Error('handle used after its use() callback returned'));
    return this.#client.command(args);
  }
}

let floorUses = 0;

/** The use floor (see the header): a handle, `fn` on it, one `then` that ends it. */
function floorUse<T>(client: FloorClient, fn: (handle: FloorHandle) => Promise<T>): Promise<T> {
  const handle = new FloorHandle(client);
  floorUses++;
  let result: Promise<T>;
  try {
    result = fn(handle);
  } catch (err) {
    result = Promise.reject(err);
  }
  return Promise.resolve(result).then(
    (value) => {
      handle.live = false;
      floorUses--;
      return value;
    },
    (err: unknown) => {
      handle.live = false;
      floorUses--;
      throw err;
    },
  );
}

async function child(variant: string, url: string): Promise<void> {
  let n = 0;
  if (variant === 'floor' || variant === 'floor-use') {
    const { hostname, port } = new URL(url);
    const client = await FloorClient.connect(Number(port), hostname, 3);
    const one = variant === 'floor'
      ? () => (n++ & 1 ? client.command(['GET', KEY]) : client.command(['SET', KEY, VALUE]))
      : () => floorUse(client, (h) => (n++ & 1 ? h.command(['GET', KEY]) : h.command(['SET', KEY, VALUE])));
    await printCpuSample(one, WARMUP, MEASURED, CALLERS);
    if (floorUses !== 0) throw new Error(`${floorUses} use callbacks still counted as running`);
    client.close();
    return;
  }
  const lib = variant.startsWith('base')
    ? pathToFileURL(resolve(process.env.FLOOR_BASE_LIB!, 'index.ts')).href
    : new URL('../lib/index.js', import.meta.url).href;
  const { createPool } = (await import(lib)) as typeof import('../lib/index.js');
  const pool = createPool(url, { size: 8 });
  const one = variant.endsWith('-use')
    ? () => pool.use((c) => (n++ & 1 ? c.command(['GET', KEY]) : c.command(['SET', KEY, VALUE])))
    : () => (n++ & 1 ? pool.command(['GET', KEY]) : pool.command(['SET', KEY, VALUE]));
  await printCpuSample(one, WARMUP, MEASURED, CALLERS);
  await pool.close();
}

async function main(): Promise<void> {
  const rounds = Number(process.env.FLOOR_ROUNDS ?? 10);
  const all = ['respool', 'floor', 'respool-use', 'floor-use', ...(process.env.FLOOR_BASE_LIB ? ['base', 'base-use'] : [])];
  const variants = process.env.FLOOR_VARIANTS ? process.env.FLOOR_VARIANTS.split(',') : all;
  const samples = await collectCpuSamples(SELF, variants, rounds, true);
  // `command` rows against `floor`, `use` rows against `floor-use` (when they ran).
  const floorOf = (variant: string) => (variant.endsWith('-use') ? 'floor-use' : 'floor');
  const cpuOf = (variant: string) => {
    const list = samples.get(variant);
    return list === undefined ? NaN : median(list.map((s) => s.cpuNs));
  };
  console.log(`| variant | CPU ns per command (median of ${rounds}) | vs floor | ops/s (median) |`);
  console.log('| --- | ---: | ---: | ---: |');
  for (const [variant, list] of samples) {
    const cpu = median(list.map((s) => s.cpuNs));
    const ops = median(list.map((s) => s.opsPerSec));
    console.log(`| ${variant} | ${cpu.toFixed(0)} | ${(cpu / cpuOf(floorOf(variant))).toFixed(2)}x | ${Math.round(ops).toLocaleString('en-US')} |`);
  }
  // The noise: each variant's lowest and highest sample, and the ratio to its floor taken in
  // each round (both ran back to back) rather than of the medians.
  console.log('');
  for (const [variant, list] of samples) {
    const cpus = list.map((s) => s.cpuNs);
    const floor = samples.get(floorOf(variant));
    const paired = floor === undefined ? '' : `; per-round ratio to ${floorOf(variant)}: median ` +
      `${median(cpus.map((c, i) => c / floor[i]!.cpuNs)).toFixed(2)}x`;
    console.log(`${variant}: CPU ns ${Math.min(...cpus).toFixed(0)}-${Math.max(...cpus).toFixed(0)}${paired}`);
  }
  // What `use` adds to `command`, taken in each round (the two ran in the same round).
  const pairs: [string, string][] = [['respool-use', 'respool'], ['floor-use', 'floor'], ['base-use', 'base']];
  for (const [use, command] of pairs) {
    const a = samples.get(use);
    const b = samples.get(command);
    if (a === undefined || b === undefined) continue;
    const added = median(a.map((s, i) => s.cpuNs - b[i]!.cpuNs));
    console.log(`${use} - ${command}: ${added >= 0 ? '+' : ''}${added.toFixed(0)} ns per command (median of per-round differences)`);
  }
}

if (process.argv[2] !== undefined) await child(process.argv[2], process.argv[3]!);
else await main();
