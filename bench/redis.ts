/**
 * The Redis server the bench and the demo talk to: REDIS_URL when set, otherwise a throwaway
 * redis-server on a free loopback port with persistence off. Also runs redis-benchmark, the
 * reference every client is compared with, and parses its output.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { connect, createServer } from 'node:net';

/** The one line printed when redis-server is missing. */
export const NOT_FOUND_MESSAGE =
  'redis-server not found: install it with `sudo apt-get install redis-server` (or set REDIS_URL)';

/** redis-server (or redis-benchmark) is not on PATH. */
export class RedisNotFoundError extends Error {
  constructor(message = NOT_FOUND_MESSAGE) {
    super(message);
    this.name = 'RedisNotFoundError';
  }
}

/** A server to run against. */
export interface RedisTarget {
  url: string;
  host: string;
  port: number;
  /** The password from the URL, if any (redis-benchmark needs it as `-a`). */
  password?: string;
  /** True when we started the server ourselves (and so may report on it freely). */
  spawned: boolean;
  /** Stops the server if we started it; a no-op for REDIS_URL. */
  stop(): Promise<void>;
}

/** How long redis-server may take to print its readiness line. */
const START_TIMEOUT_MS = 10_000;

/** REDIS_URL if set, else a fresh redis-server. */
export async function redisTarget(env: NodeJS.ProcessEnv = process.env): Promise<RedisTarget> {
  const url = env.REDIS_URL;
  if (!url) return startRedisServer();
  const parsed = new URL(url);
  return {
    url,
    host: parsed.hostname || '127.0.0.1',
    port: Number(parsed.port || 6379),
    password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
    spawned: false,
    stop: async () => undefined,
  };
}

/** Asks the kernel for a free loopback port. Another process could take it before we do; rare. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (address === null || typeof address === 'string') throw new Error('no TCP port assigned');
  return address.port;
}

/**
 * Starts `redis-server` with no persistence on a free port and resolves once it logs
 * "Ready to accept connections". Rejects with {@link RedisNotFoundError} if it is not installed.
 */
export async function startRedisServer(): Promise<RedisTarget> {
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
  // Detached: its own process group, so a Ctrl-C in the terminal reaches only us, and we can
  // still use the server while we shut down cleanly.
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  // If we die without stopping it, do not leave a server behind.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  try {
    await waitUntilReady(child);
  } catch (err) {
    process.removeListener('exit', killOnExit);
    child.kill('SIGKILL');
    throw err;
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    host: '127.0.0.1',
    port,
    spawned: true,
    async stop() {
      process.removeListener('exit', killOnExit);
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Resolves when the server prints its readiness line; rejects if it exits or stalls first. */
function waitUntilReady(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(
      () => fail(new Error(`redis-server not ready after ${START_TIMEOUT_MS} ms:\n${output}`)),
      START_TIMEOUT_MS,
    );
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) finish();
    };
    const onError = (err: NodeJS.ErrnoException) =>
      fail(err.code === 'ENOENT' ? new RedisNotFoundError() : err);
    const onExit = (code: number | null) =>
      fail(new Error(`redis-server exited (code ${code}) before it was ready:\n${output}`));
    function finish() {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.off('error', onError);
      child.off('exit', onExit);
      // Keep draining its output so a chatty server never blocks on a full pipe.
      child.stdout?.resume();
      child.stderr?.resume();
      resolve();
    }
    function fail(err: Error) {
      clearTimeout(timer);
      reject(err);
    }
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('error', onError);
    child.once('exit', onExit);
  });
}

/**
 * One field of `INFO <section>`, over a raw socket so the parent process loads no client
 * library. Resolves undefined rather than failing when the server cannot be asked.
 */
export async function infoField(
  target: RedisTarget,
  section: string,
  field: string,
): Promise<string | undefined> {
  const socket = connect(target.port, target.host);
  socket.setTimeout(2000, () => socket.destroy());
  const encode = (...args: string[]) =>
    `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;
  if (target.password) socket.write(encode('AUTH', target.password));
  socket.write(encode('INFO', section));
  const pattern = new RegExp(`(?:^|\\n)${field}:([^\\r\\n]*)\\r\\n`);
  let text = '';
  try {
    for await (const chunk of socket) {
      text += String(chunk);
      const match = pattern.exec(text);
      if (match) return match[1];
    }
  } catch {
    // A refused or reset connection: the caller decides what "unknown" means.
  } finally {
    socket.destroy();
  }
  return undefined;
}

/** The server's version, or 'unknown': it only decorates the report. */
export async function serverVersion(target: RedisTarget): Promise<string> {
  return (await infoField(target, 'server', 'redis_version')) ?? 'unknown';
}

/** How many commands the server has processed since it started; NaN if it cannot be asked. */
export async function commandsProcessed(target: RedisTarget): Promise<number> {
  return Number((await infoField(target, 'stats', 'total_commands_processed')) ?? NaN);
}

/** One line of `redis-benchmark -q`. */
export interface ReferenceResult {
  /** The test name as redis-benchmark prints it: 'SET', 'GET'. */
  test: string;
  requestsPerSec: number;
  /** Median latency in microseconds; NaN when this redis-benchmark does not print it. */
  p50: number;
}

/**
 * Parses `redis-benchmark -q` output. It redraws a live line with carriage returns before each
 * final one, so we split on both CR and LF and keep only the lines in the final format:
 * `SET: 1250000.00 requests per second, p50=0.375 msec`.
 */
export function parseBenchmarkOutput(output: string): ReferenceResult[] {
  const results: ReferenceResult[] = [];
  const line = /^\s*([A-Za-z0-9_ ()-]+): ([\d.]+) requests per second(?:, p50=([\d.]+) msec)?/;
  for (const piece of output.split(/[\r\n]+/)) {
    const match = line.exec(piece);
    if (!match) continue;
    results.push({
      test: match[1].trim(),
      requestsPerSec: Number(match[2]),
      p50: match[3] === undefined ? NaN : Number(match[3]) * 1000,
    });
  }
  return results;
}

/**
 * Runs `redis-benchmark -t get,set -d 64 -c <clients> -n <requests> -P <pipeline> -q` against
 * `target` and parses it.
 */
export async function runRedisBenchmark(
  target: RedisTarget,
  options: { pipeline: number; clients: number; requests: number },
): Promise<ReferenceResult[]> {
  const args = ['-h', target.host, '-p', String(target.port), '-t', 'get,set', '-d', '64'];
  args.push('-c', String(options.clients), '-n', String(options.requests));
  args.push('-P', String(options.pipeline), '-q');
  if (target.password) args.push('-a', target.password, '--no-auth-warning');
  const child = spawn('redis-benchmark', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const [code] = await new Promise<[number | null]>((resolve, reject) => {
    child.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'ENOENT' ? new RedisNotFoundError('redis-benchmark not found') : err),
    );
    child.once('close', (exitCode: number | null) => resolve([exitCode]));
  });
  if (code !== 0) throw new Error(`redis-benchmark exited with ${code}:\n${output}`);
  return parseBenchmarkOutput(output);
}
