/**
 * `npm start`: respool under a web backend's load, live.
 *
 * 2,000 simulated requests run at once, each starting the next as soon as it ends. A request
 * does what a typical handler does against Redis:
 *
 * ```
 * GET  session:<user>                 who is this?
 * GET  cache:<item> ×3 (in parallel)   page fragments
 * INCR hits                           a global counter
 * 1 in 10: pool.transaction([INCR orders, INCR orders:<user>])   an "order": MULTI...EXEC
 * ```
 *
 * Once a second it prints throughput, latency and the pool's state; at the end it checks that
 * the counters on the server match what the requests did, deletes its keys and closes. The
 * command figures (cmds/s, per-command p50/p99, reconnects) come from respool's diagnostics
 * channels, as an operator's own subscriber would see them; `--trace` (`npm start -- --trace`)
 * runs each request in an OpenTelemetry span and prints the first few traces (respool/otel).
 *
 * At the end it explains the latency it showed (Little's law: requests in flight / requests
 * per second).
 *
 * Environment: REDIS_URL (else a redis-server is started), DEMO_SECONDS (15),
 * DEMO_CONCURRENCY (2000). Ctrl-C stops early and still closes cleanly. Lives in demo/, not
 * bench/: it shows the driver at work; speed claims are measured in bench/.
 */
import { availableParallelism } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { createPool, type Pool } from '../lib/index.js';
import { ChannelStats, DemoTracing } from './observe.js';
import { redisTarget, RedisNotFoundError, type RedisTarget } from '../bench/redis.js';
import { formatLatency, formatOps } from '../bench/report.js';
import { LatencyHistogram } from '../bench/stats.js';

const USERS = 10_000;
const CACHE_ITEMS = 1_000;
const ORDER_ONE_IN = 10;
/** A second SIGINT sooner than this after the first is the same Ctrl-C, relayed. */
const SIGINT_ECHO_MS = 1000;

/** Every key of this run starts with its own prefix, so a shared server is left as it was. */
const PREFIX = `respool-demo:${process.pid}:`;
const keys = {
  session: (user: number) => `${PREFIX}session:${user}`,
  cache: (item: number) => `${PREFIX}cache:${item}`,
  hits: `${PREFIX}hits`,
  orders: `${PREFIX}orders`,
  userOrders: (user: number) => `${PREFIX}orders:${user}`,
};

/** What the requests did, to check against the server at the end. */
interface Tally {
  requests: number;
  commands: number;
  errors: number;
  lastError?: string;
  /** INCR hits that were answered; those that failed may or may not have run. */
  hits: number;
  hitsUnsure: number;
  orders: number;
  ordersUnsure: number;
  ordersByUser: Map<number, number>;
}

/** Loads the sessions and cache entries the requests read. */
async function seed(pool: Pool): Promise<void> {
  const commands: (readonly string[])[] = [];
  for (let user = 0; user < USERS; user++) {
    commands.push(['SET', keys.session(user), JSON.stringify({ user, name: `user ${user}` })]);
  }
  for (let item = 0; item < CACHE_ITEMS; item++) {
    commands.push(['SET', keys.cache(item), `<div>fragment ${item}</div>`.padEnd(200)]);
  }
  await pool.pipeline(commands);
}

const random = (n: number) => Math.floor(Math.random() * n);

/**
 * One simulated web request. Throws if any of its commands failed.
 * @returns true when the request placed an order
 */
async function handleRequest(pool: Pool, tally: Tally): Promise<boolean> {
  const user = random(USERS);
  const session = await pool.command(['GET', keys.session(user)]);
  if (session === null) throw new Error(`session ${user} missing`);
  await Promise.all([1, 2, 3].map(() => pool.command(['GET', keys.cache(random(CACHE_ITEMS))])));
  await counted(pool.command(['INCR', keys.hits]), tally, 'hits');
  tally.commands += 5;
  if (random(ORDER_ONE_IN) === 0) {
    await counted(placeOrder(pool, user), tally, 'orders');
    tally.ordersByUser.set(user, (tally.ordersByUser.get(user) ?? 0) + 1);
    tally.commands += 4;
    return true;
  }
  return false;
}

/**
 * An atomic order: `pool.transaction` sends MULTI, both INCRs and EXEC back to back on a shared
 * connection, so nothing can come between them and it costs one round trip. (A MULTI awaited
 * command by command inside `pool.use` would need a connection of its own for three round
 * trips: keep that for WATCH-based read-modify-write.)
 */
function placeOrder(pool: Pool, user: number): Promise<unknown> {
  return pool.transaction([['INCR', keys.orders], ['INCR', keys.userOrders(user)]]);
}

/** Counts a counter update as done once answered, or as unsure if it failed. */
async function counted(update: Promise<unknown>, tally: Tally, counter: 'hits' | 'orders') {
  try {
    await update;
    tally[counter]++;
  } catch (err) {
    tally[counter === 'hits' ? 'hitsUnsure' : 'ordersUnsure']++;
    throw err;
  }
}

/** Request latencies of the current second, pages and orders apart. */
interface Latencies {
  pages: LatencyHistogram;
  orders: LatencyHistogram;
}

/** A request loop: one of the DEMO_CONCURRENCY "browsers". */
async function browse(pool: Pool, tally: Tally, latency: Latencies, until: () => boolean, tracing: DemoTracing | null) {
  while (!until()) {
    const started = performance.now();
    try {
      const ordered = tracing !== null
        ? await tracing.wrap('GET /page', () => handleRequest(pool, tally))
        : await handleRequest(pool, tally);
      const histogram = ordered ? latency.orders : latency.pages;
      histogram.record((performance.now() - started) * 1000);
      tally.requests++;
    } catch (err) {
      tally.errors++;
      tally.lastError = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      // Back off a little, or a dead server would turn this loop into a busy spin.
      await sleep(100);
    }
  }
}

/**
 * Prints one line a second: the last second's rates and latencies (requests as the demo timed
 * them; commands as respool's diagnostics channels reported them), and the pool right now.
 */
function startTicker(pool: Pool, tally: Tally, latency: Latencies, channels: ChannelStats): () => void {
  const started = Date.now();
  let last = { requests: 0 };
  console.log(
    '                channels: commands     request latency    order latency\n' +
    ' time   req/s   cmds/s     p50     p99      p50      p99      p50      p99' +
    '   pool: size idle borrowed waiting in-flight  reconn errors',
  );
  const timer = setInterval(() => {
    const s = pool.stats;
    const c = channels.take();
    const line = [
      `${Math.round((Date.now() - started) / 1000)}s`.padStart(5),
      formatOps(tally.requests - last.requests).padStart(7),
      formatOps(c.commands).padStart(8),
      formatLatency(c.latency.quantile(0.5)).padStart(7),
      formatLatency(c.latency.quantile(0.99)).padStart(7),
      formatLatency(latency.pages.quantile(0.5)).padStart(8),
      formatLatency(latency.pages.quantile(0.99)).padStart(8),
      formatLatency(latency.orders.quantile(0.5)).padStart(8),
      formatLatency(latency.orders.quantile(0.99)).padStart(8),
      `${String(s.size).padStart(10)} ${String(s.idle).padStart(4)} ${String(s.borrowed).padStart(8)}`,
      `${String(s.waiting).padStart(7)} ${formatOps(s.inFlight).padStart(9)}`,
      String(c.reconnects).padStart(7),
      String(tally.errors).padStart(6),
    ];
    console.log(line.join(' '));
    last = { requests: tally.requests };
    latency.pages.reset();
    latency.orders.reset();
  }, 1000);
  return () => clearInterval(timer);
}

/** Checks one counter: exact when every update was answered, within the unsure ones if not. */
function check(name: string, server: number, counted: number, unsure: number): boolean {
  const ok = server >= counted && server <= counted + unsure;
  const detail = unsure > 0 ? ` (+ up to ${unsure} that failed in flight)` : '';
  console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${name}: server ${formatOps(server)}, requests ${formatOps(counted)}${detail}`);
  return ok;
}

/** Compares the server's counters with the tally. */
async function verify(pool: Pool, tally: Tally): Promise<boolean> {
  console.log('\nChecking the counters on the server:');
  const [hits, orders] = (await pool.pipeline([['GET', keys.hits], ['GET', keys.orders]])).map(Number);
  let ok = check('hits (INCR per request)', hits || 0, tally.hits, tally.hitsUnsure);
  ok = check('orders (MULTI/INCR/EXEC)', orders || 0, tally.orders, tally.ordersUnsure) && ok;
  const users = [...tally.ordersByUser.keys()];
  const perUser = await pool.pipeline(users.map((u) => ['GET', keys.userOrders(u)]));
  const sum = perUser.reduce<number>((total, reply) => total + Number(reply ?? 0), 0);
  // Both INCRs of an order ran in one transaction, so the per-user counts add up to the total.
  const same = sum === (orders || 0);
  console.log(`  ${same ? 'ok  ' : 'FAIL'} per-user orders add up to the total: ${formatOps(sum)}`);
  return ok && same;
}

/** Deletes every key this run created, in batches so no single command is huge. */
async function cleanup(pool: Pool): Promise<void> {
  const all = [keys.hits, keys.orders];
  for (let user = 0; user < USERS; user++) all.push(keys.session(user), keys.userOrders(user));
  for (let item = 0; item < CACHE_ITEMS; item++) all.push(keys.cache(item));
  for (let i = 0; i < all.length; i += 1000) await pool.command(['UNLINK', ...all.slice(i, i + 1000)]);
}

/**
 * Why a request takes ~15 ms when Redis answers in microseconds: Little's law. With `concurrency`
 * requests always in flight and `perSecond` completed, each spends concurrency / perSecond in the
 * system on average, mostly waiting its turn for the CPU this process and redis-server share.
 */
function explainLatency(concurrency: number, perSecond: number): void {
  perSecond = Math.round(perSecond);
  if (!(perSecond > 0)) return;
  const ms = (concurrency / perSecond) * 1000;
  console.log(
    `\nWhy the latency: Little's law. ${formatOps(concurrency)} requests are always in flight ` +
      `(DEMO_CONCURRENCY) and ${formatOps(perSecond)} complete per second, so each spends\n` +
      `${formatOps(concurrency)} / ${formatOps(perSecond)} per s = ${ms.toFixed(1)} ms on average, ` +
      `mostly queued for the ${availableParallelism()} CPU core(s) this process and redis-server share, not waiting on Redis.` +
      (concurrency >= 20
        ? `\nFewer requests at once (e.g. DEMO_CONCURRENCY=${Math.round(concurrency / 10)}) wait less at about the same throughput.`
        : ''),
  );
}

/** Runs the load until DEMO_SECONDS pass or `stop` fires, then verifies and closes. */
async function run(
  target: RedisTarget,
  seconds: number,
  concurrency: number,
  stop: AbortSignal,
  trace: boolean,
): Promise<boolean> {
  const channels = new ChannelStats();
  const tracing = trace ? new DemoTracing(3, (text) => console.log(`\n${text}\n`)) : null;
  const pool = createPool(target.url, { size: 8 });
  const tally: Tally = {
    requests: 0, commands: 0, errors: 0, hits: 0, hitsUnsure: 0, orders: 0, ordersUnsure: 0,
    ordersByUser: new Map(),
  };
  try {
    await seed(pool);
    console.log(`${formatOps(concurrency)} concurrent requests for ${seconds} s on a pool of 8 (Ctrl-C to stop early)\n`);
    const deadline = Date.now() + seconds * 1000;
    const latency: Latencies = { pages: new LatencyHistogram(), orders: new LatencyHistogram() };
    const stopTicker = startTicker(pool, tally, latency, channels);
    const until = () => stop.aborted || Date.now() >= deadline;
    const loadStarted = performance.now();
    await Promise.all(Array.from({ length: concurrency }, () => browse(pool, tally, latency, until, tracing)));
    const loadSeconds = (performance.now() - loadStarted) / 1000;
    stopTicker();
    console.log(`\n${formatOps(tally.requests)} requests, ${formatOps(tally.commands)} commands, ${tally.errors} errors`);
    explainLatency(concurrency, tally.requests / loadSeconds);
    if (tally.lastError) console.log(`last error: ${tally.lastError}`);
    const ok = await verify(pool, tally);
    await cleanup(pool);
    return ok && tally.errors === 0;
  } finally {
    await pool.close();
    channels.stop();
    tracing?.stop();
  }
}

function positiveFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  const value = raw ? Number(raw) : fallback;
  if (!(value > 0)) throw new Error(`${name} must be a positive number, got ${JSON.stringify(raw)}`);
  return value;
}

async function main(): Promise<void> {
  const seconds = positiveFromEnv('DEMO_SECONDS', 15);
  const concurrency = Math.round(positiveFromEnv('DEMO_CONCURRENCY', 2000));
  const target = await redisTarget();
  console.log(target.spawned ? `Started redis-server on ${target.url}` : `Using REDIS_URL (${target.host}:${target.port})`);
  // First Ctrl-C: stop starting requests, finish the ones in flight, verify, close.
  // Second: give up at once, but still stop the server we started.
  const stop = new AbortController();
  let firstSigint = 0;
  const onSigint = () => {
    if (!stop.signal.aborted) {
      firstSigint = Date.now();
      stop.abort();
      console.log('\nCtrl-C: finishing the requests in flight (Ctrl-C again to quit at once)…');
      return;
    }
    // `npm start` runs us under tsx, which may relay the same Ctrl-C a few ms later: only a
    // press that comes later than that is a second press.
    if (Date.now() - firstSigint < SIGINT_ECHO_MS) return;
    void target.stop().finally(() => process.exit(130));
  };
  process.on('SIGINT', onSigint);
  try {
    const ok = await run(target, seconds, concurrency, stop.signal, process.argv.includes('--trace'));
    console.log(ok ? '\nAll counters match. Pool closed.' : '\nSome checks failed (see above). Pool closed.');
    process.exitCode = ok ? 0 : 1;
  } finally {
    process.removeListener('SIGINT', onSigint);
    await target.stop();
  }
}

await main().catch((err: unknown) => {
  console.error(err instanceof RedisNotFoundError ? err.message : err);
  process.exitCode = 1;
});
