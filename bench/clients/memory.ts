/**
 * respool's memory figures, in a child started with --expose-gc so heap readings can be taken
 * after a full collection:
 *
 * 1. heap per idle connection: heap after opening N connections, minus heap before, over N;
 * 2. RSS with 10,000 concurrent callers on a pool of 8 (the peak, sampled while they run);
 * 3. heap drift: heap after 1,000,000 commands minus heap after a warm-up. A leak of even a few
 *    bytes per command shows up here as megabytes.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { createPool } from '../../lib/index.js';
import type { MemoryReport } from '../report.js';
import { keyOf, VALUE } from '../scenarios.js';

/** What the parent asks for, as JSON in argv[2]. */
export interface MemoryTask {
  url: string;
  idleConnections: number;
  callers: number;
  /** How long the callers run while RSS is sampled. */
  callersMs: number;
  driftCommands: number;
}

/** One pool under load; callers share a budget of commands (or a deadline). */
type Pool = ReturnType<typeof createPool>;

const gc = (globalThis as { gc?: () => void }).gc;

/** Heap in use after two full collections (the second frees what finalizers released). */
function settledHeap(): number {
  if (!gc) throw new Error('run with --expose-gc');
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

async function heapPerIdleConnection(url: string, count: number): Promise<number> {
  const before = settledHeap();
  const pool = createPool(url, { size: count, minIdle: count });
  // minIdle makes the pool open `count` connections by itself; each says 'ready' after its
  // handshake. A timeout turns a pool that never gets there into an error, not a hang.
  await new Promise<void>((resolve, reject) => {
    let ready = 0;
    const timer = setTimeout(
      () => reject(new Error(`only ${ready} of ${count} connections ready after 30 s`)),
      30_000,
    );
    pool.on('ready', () => {
      if (++ready < count) return;
      clearTimeout(timer);
      resolve();
    });
  });
  const after = settledHeap();
  const { size, idle } = pool.stats;
  await pool.close();
  if (size !== count) throw new Error(`expected ${count} connections, the pool has ${size} (${idle} idle)`);
  return (after - before) / count;
}

/** Runs `callers` loops of SET/GET until `done()` says stop. */
async function load(pool: Pool, callers: number, done: () => boolean): Promise<void> {
  await Promise.all(
    Array.from({ length: callers }, async (_, caller) => {
      const key = keyOf(caller % 1000);
      for (let tick = 0; !done(); tick++) {
        await pool.command(tick % 2 === 0 ? ['SET', key, VALUE] : ['GET', key]);
      }
    }),
  );
}

async function peakRss(url: string, callers: number, durationMs: number): Promise<number> {
  const pool = createPool(url, { size: 8 });
  let running = true;
  let peak = 0;
  const loadDone = load(pool, callers, () => !running);
  const deadline = Date.now() + durationMs;
  // Sampling RSS on a timer is the measurement itself, not a wait for an event.
  while (Date.now() < deadline) {
    peak = Math.max(peak, process.memoryUsage().rss);
    await sleep(50);
  }
  running = false;
  await loadDone;
  await pool.close();
  return peak;
}

async function heapDrift(url: string, commands: number): Promise<number> {
  const pool = createPool(url, { size: 8 });
  let budget = Math.max(10_000, commands / 20);
  await load(pool, 200, () => budget-- <= 0);
  const before = settledHeap();
  budget = commands;
  await load(pool, 200, () => budget-- <= 0);
  const after = settledHeap();
  await pool.close();
  return after - before;
}

async function main(): Promise<void> {
  const task = JSON.parse(process.argv[2] ?? '') as MemoryTask;
  const report: MemoryReport = {
    client: 'respool',
    idleConnections: task.idleConnections,
    heapPerConnection: await heapPerIdleConnection(task.url, task.idleConnections),
    callers: task.callers,
    rssAtCallers: await peakRss(task.url, task.callers, task.callersMs),
    driftCommands: task.driftCommands,
    heapDrift: await heapDrift(task.url, task.driftCommands),
  };
  await new Promise<void>((resolve) => {
    if (process.send) process.send({ type: 'memory', report }, undefined, {}, () => resolve());
    else resolve(void console.log(JSON.stringify(report)));
  });
  process.disconnect?.();
}

await main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
  process.disconnect?.();
});
