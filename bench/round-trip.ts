/**
 * One caller, one round trip per command (`npm run bench:roundtrip`): where the time of a lone
 * command goes, per client. Each client runs in a child of its own, clients taking turns round
 * by round (even rounds in reverse order); medians over the rounds.
 *
 * With one caller, ops/s is 1 / round trip, and most of a round trip is not the client's: the
 * kernel carries the bytes, wakes redis-server, which answers, and wakes the client again. On a
 * shared machine those wake-ups dominate and swing from run to run, so besides ops/s a child
 * reports what belongs to the client alone and is steadier:
 *
 * ```
 *   socket 'data' (reply read) ──client's JS──▶ socket.write (next command)   = turnaround
 *   user + system CPU time / commands                                        = CPU per command
 *   voluntary context switches / commands (≈1: the process sleeps once per round trip)
 * ```
 *
 * The turnaround is timed around Node's own net.Socket (emit of 'data', then the next write),
 * so it applies alike to every client built on it (GLIDE's Rust core is not, and is left out).
 * Environment: ROUNDTRIP_ROUNDS (default 8), ROUNDTRIP_COMMANDS (measured, default 20,000),
 * ROUNDTRIP_CLIENTS (default respool,ioredis,node-redis,generic-pool), REDIS_URL.
 */
import net from 'node:net';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { redisTarget } from './redis.js';
import { median } from './stats.js';

const run = promisify(execFile);
const SELF = fileURLToPath(import.meta.url);
const WARMUP = 3000;
const VALUE = 'v'.repeat(64);

interface Sample {
  opsPerSec: number;
  cpuUs: number;
  turnaroundUs: number;
  sleepsPerCommand: number;
}

type Send = (command: readonly [string, ...string[]]) => Promise<unknown>;

/** Each client the way its README sends one command (generic-pool: a checkout per command). */
async function connect(client: string, url: string): Promise<{ send: Send; close: () => Promise<unknown> }> {
  if (client === 'respool') {
    const { createPool } = await import('../lib/index.js');
    const pool = createPool(url, { size: 8 });
    return { send: (c) => pool.command([...c]), close: () => pool.close() };
  }
  const { Redis } = await import('ioredis');
  const ioSend = (redis: InstanceType<typeof Redis>, c: readonly string[]) =>
    c[0] === 'SET' ? redis.set(c[1]!, c[2]!) : redis.get(c[1]!);
  if (client === 'ioredis') {
    const redis = new Redis(url);
    return { send: (c) => ioSend(redis, c), close: () => redis.quit() };
  }
  if (client === 'generic-pool') {
    const { createPool } = await import('generic-pool');
    const pool = createPool({
      create: async () => new Redis(url),
      destroy: async (redis) => void (await redis.quit()),
    }, { max: 8, min: 8 });
    return {
      send: (c) => pool.use((redis) => ioSend(redis, c)),
      close: async () => {
        await pool.drain();
        await pool.clear();
      },
    };
  }
  if (client === 'node-redis') {
    const { createClient } = await import('redis');
    const redis = createClient({ url });
    await redis.connect();
    return { send: (c) => (c[0] === 'SET' ? redis.set(c[1]!, c[2]!) : redis.get(c[1]!)), close: () => redis.quit() };
  }
  throw new Error(`unknown client ${client}`);
}

/** Times, on every net.Socket, each write that follows a 'data' event: the client's turnaround. */
function timeTurnarounds(into: number[]): { on: () => void } {
  let lastData = 0;
  let on = false;
  const proto = net.Socket.prototype as unknown as Record<string, (...args: unknown[]) => unknown>;
  const emit = proto.emit!;
  const write = proto.write!;
  proto.emit = function (this: unknown, event: unknown, ...args: unknown[]) {
    if (event === 'data') lastData = performance.now();
    return emit.call(this, event, ...args);
  };
  proto.write = function (this: unknown, ...args: unknown[]) {
    if (on && lastData > 0) {
      into.push((performance.now() - lastData) * 1000);
      lastData = 0;
    }
    return write.apply(this, args);
  };
  return { on: () => (on = true) };
}

async function child(client: string, url: string, measured: number): Promise<void> {
  const turnarounds: number[] = [];
  const timing = timeTurnarounds(turnarounds);
  const { send, close } = await connect(client, url);
  const key = 'roundtrip:k';
  const loop = async (n: number) => {
    for (let i = 0; i < n; i++) await send(i % 2 === 0 ? ['SET', key, VALUE] : ['GET', key]);
  };
  await loop(WARMUP);
  timing.on();
  const before = process.resourceUsage();
  const started = performance.now();
  await loop(measured);
  const seconds = (performance.now() - started) / 1000;
  const after = process.resourceUsage();
  await close();
  const sample: Sample = {
    opsPerSec: measured / seconds,
    cpuUs: (after.userCPUTime - before.userCPUTime + after.systemCPUTime - before.systemCPUTime) / measured,
    turnaroundUs: median(turnarounds),
    sleepsPerCommand: (after.voluntaryContextSwitches - before.voluntaryContextSwitches) / measured,
  };
  console.log(JSON.stringify(sample));
}

async function main(): Promise<void> {
  const rounds = Number(process.env.ROUNDTRIP_ROUNDS ?? 8);
  const measured = Number(process.env.ROUNDTRIP_COMMANDS ?? 20_000);
  const clients = process.env.ROUNDTRIP_CLIENTS?.split(',') ?? ['respool', 'ioredis', 'node-redis', 'generic-pool'];
  const target = await redisTarget();
  const samples = new Map<string, Sample[]>(clients.map((c) => [c, []]));
  try {
    for (let round = 1; round <= rounds; round++) {
      for (const client of round % 2 === 0 ? [...clients].reverse() : clients) {
        const { stdout } = await run(process.execPath, ['--import', 'tsx', SELF, client, target.url, String(measured)]);
        samples.get(client)!.push(JSON.parse(stdout.trim().split('\n').pop()!) as Sample);
      }
      process.stderr.write(`round ${round}/${rounds}\n`);
    }
  } finally {
    await target.stop();
  }
  const first = clients[0]!;
  const ops = (c: string) => samples.get(c)!.map((s) => s.opsPerSec);
  console.log(`| client | ops/s (median of ${rounds}) | rounds ahead of ${first} | CPU µs/command | turnaround µs | sleeps/command |`);
  console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
  for (const [client, list] of samples) {
    // How often this client beat the first one in the same round: about half when they are even.
    const ahead = client === first ? '–' : `${list.filter((s, i) => s.opsPerSec > ops(first)[i]!).length}/${rounds}`;
    const cells = [
      Math.round(median(ops(client))).toLocaleString('en-US'),
      ahead,
      median(list.map((s) => s.cpuUs)).toFixed(1),
      median(list.map((s) => s.turnaroundUs)).toFixed(1),
      median(list.map((s) => s.sleepsPerCommand)).toFixed(2),
    ];
    console.log(`| ${client} | ${cells.join(' | ')} |`);
  }
}

if (process.argv[2] !== undefined) await child(process.argv[2], process.argv[3]!, Number(process.argv[4]));
else await main();
