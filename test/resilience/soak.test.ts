import { expect } from 'chai';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { ConnectionError, TimeoutError, type Pool } from '../../lib/index.js';
import { startProxy, type FaultProxy } from '../helpers/proxy.js';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';
import { closePools, prng, trackedPool } from './support.js';
import { serverBehindProxy } from '../helpers/suite.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const heapMb = (): number => {
  gc();
  return process.memoryUsage().heapUsed / 1048576;
};

const SECONDS = Number(process.env['SOAK_SECONDS'] ?? 30);
const SEED = Number(process.env['SOAK_SEED'] ?? Math.floor(Math.random() * 2 ** 31));
const WORKERS = 48;
/** How long the last commands may take to settle once the faults stop. */
const SETTLE_MS = 8000;

/** What the checker saw. `violations` must stay empty; the rest is for the report line. */
interface Ledger {
  issued: number;
  settled: number;
  own: number;
  failed: Map<string, number>;
  violations: string[];
  faults: Map<string, number>;
  /** Bumped on each kill: a GET may find its key gone only across one. */
  restarts: number;
}

type Rand = () => number;

/** One random operation whose every reply is predictable from unique keys and values. */
async function operation(pool: Pool, n: number, rand: Rand, ledger: Ledger): Promise<void> {
  const key = `soak:${SEED}:${n}`;
  const value = `v:${n}:${Math.floor(rand() * 1e9)}`;
  const timeout = rand() < 0.1 ? 1 + Math.floor(rand() * 50) : undefined;
  const pick = rand();
  const restartsBefore = ledger.restarts;
  const check = (what: string, got: unknown, expected: unknown, nullOk = false): void => {
    const mayBeGone = nullOk && got === null && ledger.restarts !== restartsBefore;
    if (JSON.stringify(got) === JSON.stringify(expected) || mayBeGone) ledger.own++;
    else ledger.violations.push(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(got)}`);
  };
  if (pick < 0.35) {
    await pool.command(['SET', key, value], { timeout });
    check(`GET ${key}`, await pool.command(['GET', key]), value, true);
  } else if (pick < 0.55) {
    const results = await pool.pipeline([['SET', key, value], ['GET', key], ['ECHO', value]]);
    for (const result of results) if (result instanceof Error) throw result;
    check(`pipeline ${key}`, results, ['OK', value, value]);
  } else if (pick < 0.75) {
    check(`ECHO ${value}`, await pool.command(['ECHO', value], { timeout }), value);
  } else if (pick < 0.9) {
    check(`INCRBY ${key}`, await pool.command(['INCRBY', key, n + 1]), n + 1);
  } else {
    const exec = await pool.use(async (handle) => {
      await handle.command(['MULTI']);
      await handle.command(['SET', key, value]);
      await handle.command(['GET', key]);
      return handle.command(['EXEC']);
    });
    check(`MULTI ${key}`, exec, ['OK', value]);
  }
}

/** Runs operations back to back until `running()` is false; every outcome goes to the ledger. */
async function worker(pool: Pool, rand: Rand, ledger: Ledger, running: () => boolean): Promise<void> {
  while (running()) {
    const n = ledger.issued++;
    try {
      await operation(pool, n, rand, ledger);
    } catch (err) {
      const error = err as Error;
      // A drop or a timeout is an allowed answer; anything else (a ReplyError from a command
      // that got someone else's state, a ProtocolError) is a fault the pool let through.
      if (error instanceof ConnectionError || error instanceof TimeoutError) {
        ledger.failed.set(error.name, (ledger.failed.get(error.name) ?? 0) + 1);
      } else {
        ledger.violations.push(`op ${n}: ${error.name}: ${error.message}`);
      }
      // A command that fails before any I/O settles in a microtask: yield, or a worker that keeps
      // failing so would keep timers (the faults) and sockets waiting until the run ends.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    ledger.settled++;
  }
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** One random fault, held for a random while, then undone. */
async function fault(server: RedisServer, proxy: FaultProxy, rand: Rand, ledger: Ledger): Promise<void> {
  const kinds = ['cut', 'reset', 'split', 'kill', 'pause', 'blackhole'] as const;
  const kind = kinds[Math.floor(rand() * kinds.length)]!;
  ledger.faults.set(kind, (ledger.faults.get(kind) ?? 0) + 1);
  const hold = 100 + Math.floor(rand() * 600);
  switch (kind) {
    case 'cut':
      proxy.cutAll();
      break;
    case 'reset':
      proxy.cutAll('reset');
      break;
    case 'split':
      proxy.setMode('split', { chunkSize: 1 + Math.floor(rand() * 16), delayMs: 1 });
      await pause(hold);
      proxy.setMode('pass');
      break;
    case 'kill':
      ledger.restarts++;
      await server.kill();
      await pause(hold);
      await server.restart();
      break;
    case 'pause':
      server.pause();
      await pause(hold);
      server.resume();
      break;
    case 'blackhole':
      proxy.setMode('blackhole');
      await pause(hold);
      proxy.setMode('pass');
      proxy.cutAll(); // sockets opened while blackholed stay upstream-less for good
      break;
  }
}

describe('resilience: soak under random faults', function () {
  this.timeout((SECONDS + 60) * 1000);
  const ctx = serverBehindProxy('suite', closePools);
  afterEach(function () {
    if (this.currentTest?.state === 'failed') console.log(`      soak seed: ${SEED} (replay: SOAK_SEED=${SEED})`);
  });

  it(`keeps every reply with its caller for ${SECONDS} s (seed ${SEED})`, async () => {
    const rand = prng(SEED);
    const pool = trackedPool(ctx.proxy.url, {
      size: 6, healthCheckInterval: 200, connectTimeout: 1000, acquireTimeout: 3000,
      reconnectMaxDelay: 200,
    });
    const ledger: Ledger = {
      issued: 0, settled: 0, own: 0, failed: new Map(), violations: [], faults: new Map(), restarts: 0,
    };
    await Promise.all(Array.from({ length: 100 }, () => pool.command(['PING'])));
    const heapBefore = heapMb();
    let heapMax = heapBefore;

    const end = Date.now() + SECONDS * 1000;
    const running = (): boolean => Date.now() < end;
    const workers = Array.from({ length: WORKERS }, () => worker(pool, prng(Math.floor(rand() * 2 ** 31)), ledger, running));
    while (running()) {
      await pause(200 + Math.floor(rand() * 800));
      if (!running()) break;
      await fault(ctx.server, ctx.proxy, rand, ledger);
      heapMax = Math.max(heapMax, process.memoryUsage().heapUsed / 1048576);
    }
    ctx.proxy.setMode('pass');
    ctx.server.resume();

    // None lost: every operation settles soon after the faults stop.
    const settledAll = Promise.all(workers).then(() => 'settled');
    const outcome = await Promise.race([settledAll, pause(SETTLE_MS).then(() => 'stuck')]);
    const summary = `seed ${SEED}: ${ledger.issued} ops, ${ledger.own} own replies, ` +
      `failed ${JSON.stringify([...ledger.failed])}, faults ${JSON.stringify([...ledger.faults])}`;
    expect(outcome, `${ledger.issued - ledger.settled} operations never settled; ${summary}`).to.equal('settled');
    expect(ledger.violations.slice(0, 10), summary).to.deep.equal([]);
    expect(ledger.own, summary).to.be.greaterThan(ledger.issued / 4);

    const heapAfter = heapMb();
    expect(heapAfter - heapBefore, summary).to.be.below(30);
    expect(await pool.command(['ECHO', 'alive'])).to.equal('alive');
    console.log(`      ${summary}; heap ${heapBefore.toFixed(1)} -> ${heapAfter.toFixed(1)} MB (max ${heapMax.toFixed(1)})`);
  });
});
