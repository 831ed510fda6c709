/**
 * Heap held per waiting caller (`npx tsx bench/waiting-heap.ts`, or `node --import tsx
 * bench/waiting-heap.ts`): N callers (default 10,000; WAITING_CALLERS) each send one SET of 64
 * bytes while the server is paused (CLIENT PAUSE), so every caller waits at once and nothing
 * churns; after two full GCs, (heapUsed with them waiting - heapUsed before) / N. Each variant
 * runs in a fresh process; the caller loop is the same for all (an async function per caller,
 * like bench/clients/harness.ts), so the figure includes its share (about 600 B).
 *
 * This is what lives per caller, not the peak of the sweep: under load V8 lets the old
 * generation grow to a multiple of what is live before it collects (see the README's memory
 * section). REDIS_URL to use a running server; otherwise one is started and stopped.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { redisTarget } from './redis.js';

const SELF = fileURLToPath(import.meta.url);
const VARIANTS = ['respool command', 'respool use', 'generic-pool + ioredis'] as const;
type Variant = (typeof VARIANTS)[number];
const VALUE = 'v'.repeat(64);

interface Sample {
  variant: Variant;
  callers: number;
  bytesPerCaller: number;
  heapBefore: number;
  heapWaiting: number;
}

/** One caller's operation, sent while the server is paused. */
type Operation = (i: number) => Promise<unknown>;

async function connect(variant: Variant, url: string): Promise<{ operation: Operation; pause(): Promise<unknown>; close(): Promise<void> }> {
  if (variant === 'generic-pool + ioredis') {
    const { ioredisPool } = await import('./clients/ioredis-pool.js');
    const { Redis } = await import('ioredis');
    const pool = await ioredisPool(url, 8);
    const admin = new Redis(url);
    return {
      operation: (i) => pool.use((redis) => redis.set(`bench:${i}`, VALUE)),
      pause: () => admin.call('CLIENT', 'PAUSE', '3000', 'ALL'),
      async close() {
        await pool.drain();
        await pool.clear();
        admin.disconnect();
      },
    };
  }
  const { createPool } = await import('../lib/index.js');
  const pool = createPool(url, { size: 8 });
  // Grow the rotation as a run would before the callers wait.
  await Promise.all(Array.from({ length: 2000 }, (_, i) => pool.command(['SET', `bench:${i}`, VALUE])));
  const admin = createPool(url, { size: 1 });
  await admin.command(['PING']);
  const use = variant === 'respool use';
  return {
    operation: use
      ? (i) => pool.use((c) => c.command(['SET', `bench:${i}`, VALUE]))
      : (i) => pool.command(['SET', `bench:${i}`, VALUE]),
    pause: () => admin.command(['CLIENT', 'PAUSE', '3000', 'ALL']),
    async close() {
      await pool.close();
      await admin.close();
    },
  };
}

async function child(variant: Variant, url: string, callers: number): Promise<void> {
  const gc = globalThis.gc!;
  const client = await connect(variant, url);
  gc();
  gc();
  const before = process.memoryUsage().heapUsed;
  await client.pause();
  const waiting = Array.from({ length: callers }, async (_, i) => {
    await client.operation(i);
  });
  // Every command is written (the server reads them, then holds the replies).
  await new Promise((resolve) => setTimeout(resolve, 300));
  gc();
  gc();
  const during = process.memoryUsage().heapUsed;
  const sample: Sample = {
    variant,
    callers,
    bytesPerCaller: Math.round((during - before) / callers),
    heapBefore: before,
    heapWaiting: during,
  };
  console.log(JSON.stringify(sample));
  await Promise.all(waiting);
  await client.close();
}

async function main(): Promise<void> {
  const callers = Number(process.env.WAITING_CALLERS ?? 10_000);
  const target = await redisTarget();
  try {
    console.log(`| variant | heap per waiting caller | heap with ${callers.toLocaleString('en-US')} waiting |`);
    console.log('| --- | ---: | ---: |');
    for (const variant of VARIANTS) {
      const { stdout } = await promisify(execFile)(process.execPath,
        ['--import', 'tsx', '--expose-gc', SELF, 'child', variant, target.url, String(callers)]);
      const sample = JSON.parse(stdout.trim().split('\n').pop()!) as Sample;
      console.log(`| ${variant} | ${sample.bytesPerCaller} B | ${(sample.heapWaiting / 2 ** 20).toFixed(1)} MiB |`);
    }
  } finally {
    await target.stop();
  }
}

if (process.argv[2] === 'child') await child(process.argv[3] as Variant, process.argv[4]!, Number(process.argv[5]));
else await main();
