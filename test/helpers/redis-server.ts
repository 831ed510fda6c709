/**
 * Real redis-server processes for tests, each on its own free loopback port with its own temp
 * dir, tracked so that none outlives the test run (see cleanup.ts). Never touches port 6379.
 *
 * ```ts
 * const server = await startRedis({ args: ['--requirepass', 'secret'] });
 * await server.cli('SET', 'k', 'v');        // raw socket, does not use lib/
 * await server.kill();                      // SIGKILL: the client sees a dead peer
 * await server.restart();                   // same port, so the client can reconnect
 * ```
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { track } from './cleanup.js';
import { freePort, isAddressInUse } from './ports.js';
import { rawCommands } from './raw-client.js';
import { displayReply, RawErrorReply } from './raw-resp.js';
import { getTlsCerts, type TlsCerts } from './tls-certs.js';

/** What a test can ask of the server it starts. */
export interface RedisServerOptions {
  /** Extra config as command-line args, e.g. `['--requirepass', 'secret']`. They come last, so they override our defaults. */
  args?: string[];
  /** Also listen with TLS on a second free port, with certificates from tls-certs.ts. */
  tls?: boolean;
  /** Also listen on a unix socket in the server's temp dir. */
  unixSocket?: boolean;
  /** Listen on this port instead of a free one (e.g. to replace a server on the same port). */
  port?: number;
}

/** A running (or stopped, restartable) redis-server. */
export interface RedisServer {
  host: '127.0.0.1';
  port: number;
  /** `redis://127.0.0.1:PORT` */
  url: string;
  tlsPort?: number;
  /** `rediss://127.0.0.1:TLSPORT` */
  tlsUrl?: string;
  certs?: TlsCerts;
  socketPath?: string;
  /** Password `cli()` authenticates with: taken from `--requirepass`; set it after changing it. */
  password?: string;
  pid: number;
  /** SIGTERM (escalating to SIGKILL after 5 s); resolves when the process has exited. */
  stop(): Promise<void>;
  /** SIGKILL; resolves when the process has exited. */
  kill(): Promise<void>;
  /** SIGSTOP: the server keeps its sockets open but answers nothing. */
  pause(): void;
  /** SIGCONT */
  resume(): void;
  /** Starts again on the same port(s) and dir, stopping first if still running. */
  restart(): Promise<RedisServer>;
  /**
   * Runs one command over a raw socket (not respool) and returns the reply as display text:
   * strings as is, numbers as text, nil as `(nil)`, arrays and maps as JSON. An error reply
   * rejects with a `RawErrorReply` (its `code` is the first word).
   */
  cli(...args: (string | number)[]): Promise<string>;
  /** The server's last lines of log (its stdout and stderr), for a failing test to show. */
  readonly recentOutput: readonly string[];
}

/** The one-line hint every missing-server failure carries. */
export const INSTALL_HINT = 'install redis-server: apt-get install redis-server';

const READY_LINE = 'Ready to accept connections';
const READY_TIMEOUT_MS = 10_000;
const STOP_GRACE_MS = 5_000;
const START_ATTEMPTS = 5;
const OUTPUT_LINES_KEPT = 30;

/** The redis-server binary: `$REDIS_SERVER_BIN`, else the first one on `$PATH`. */
function redisBinary(): string | undefined {
  const candidates = process.env['REDIS_SERVER_BIN']
    ? [process.env['REDIS_SERVER_BIN']]
    : (process.env['PATH'] ?? '').split(delimiter).filter(Boolean).map((d) => join(d, 'redis-server'));
  return candidates.find((file) => {
    try {
      accessSync(file, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/**
 * Whether a redis-server binary is installed. When false, tests must fail (never pass or skip)
 * with {@link INSTALL_HINT}; `startRedis` already does.
 */
export function redisServerAvailable(): boolean {
  return redisBinary() !== undefined;
}

/** Starts a redis-server and resolves once it accepts connections. */
export async function startRedis(opts: RedisServerOptions = {}): Promise<RedisServer> {
  const bin = redisBinary();
  if (!bin) throw new Error(`redis-server not found; ${INSTALL_HINT}`);
  const certs = opts.tls ? await getTlsCerts() : undefined;
  const server = new RedisServerProcess(bin, opts, certs);
  await server.launch(opts.port !== undefined);
  return server;
}

class RedisServerProcess implements RedisServer {
  readonly host = '127.0.0.1' as const;
  port = 0;
  tlsPort?: number;
  socketPath?: string;
  password?: string;
  pid = 0;
  #child?: ChildProcess;
  #exited: Promise<void> = Promise.resolve();
  #output: string[] = [];

  get recentOutput(): readonly string[] {
    return this.#output;
  }
  #untrack?: () => void;
  readonly #dir: string;
  readonly #bin: string;
  readonly #opts: RedisServerOptions;

  constructor(bin: string, opts: RedisServerOptions, readonly certs?: TlsCerts) {
    this.#bin = bin;
    this.#opts = opts;
    this.#dir = mkdtempSync(join(tmpdir(), 'respool-redis-'));
    if (opts.port !== undefined) this.port = opts.port;
    if (opts.unixSocket) this.socketPath = join(this.#dir, 'redis.sock');
    const args = opts.args ?? [];
    const i = args.lastIndexOf('--requirepass');
    if (i >= 0 && args[i + 1] !== undefined) this.password = args[i + 1];
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get tlsUrl(): string | undefined {
    return this.tlsPort === undefined ? undefined : `rediss://127.0.0.1:${this.tlsPort}`;
  }

  get running(): boolean {
    return this.#child !== undefined && this.#child.exitCode === null && this.#child.signalCode === null;
  }

  /**
   * Spawns the process. With `keepPorts` false, picks free ports and retries on another one when
   * someone else bound it first (the gap between asking the OS and redis binding is a race).
   */
  async launch(keepPorts: boolean): Promise<void> {
    this.#ensureTracked();
    mkdirSync(this.#dir, { recursive: true });
    for (let attempt = 1; ; attempt++) {
      if (!keepPorts) {
        this.port = await freePort();
        if (this.#opts.tls) this.tlsPort = await freePort();
      } else if (this.#opts.tls && this.tlsPort === undefined) {
        this.tlsPort = await freePort();
      }
      try {
        await this.#spawnUntilReady();
        return;
      } catch (err) {
        const retry = !keepPorts && attempt < START_ATTEMPTS && isAddressInUse(String(err));
        if (!retry) throw err;
      }
    }
  }

  #args(): string[] {
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--daemonize', 'no',
      '--save', '', '--appendonly', 'no', '--dir', this.#dir, '--logfile', '',
      // DEBUG SLEEP lets tests make a command slow without a proxy.
      '--enable-debug-command', 'local'];
    if (this.socketPath) args.push('--unixsocket', this.socketPath, '--unixsocketperm', '700');
    if (this.certs && this.tlsPort !== undefined) {
      args.push('--tls-port', String(this.tlsPort), '--tls-cert-file', this.certs.serverCert.path,
        '--tls-key-file', this.certs.serverKey.path, '--tls-ca-cert-file', this.certs.ca.path,
        '--tls-auth-clients', 'optional');
    }
    return [...args, ...(this.#opts.args ?? [])];
  }

  /** Spawns once; resolves on the ready line, rejects (with recent output) on exit or timeout. */
  #spawnUntilReady(): Promise<void> {
    this.#output = [];
    const child = spawn(this.#bin, this.#args(), { stdio: ['ignore', 'pipe', 'pipe'] });
    this.#child = child;
    this.pid = child.pid ?? 0;
    this.#exited = new Promise((resolve) => child.once('close', () => resolve()));
    return new Promise((resolve, reject) => {
      const fail = (why: string): void => {
        clearTimeout(timer);
        child.kill('SIGKILL');
        reject(new Error(`redis-server on port ${this.port} ${why}; last output:\n${this.#output.join('\n')}`));
      };
      const timer = setTimeout(() => fail(`not ready after ${READY_TIMEOUT_MS} ms`), READY_TIMEOUT_MS);
      const onLine = (line: string): void => {
        if (!line.includes(READY_LINE)) return;
        clearTimeout(timer);
        child.removeListener('exit', onExit);
        resolve();
      };
      const onExit = (code: number | null, signal: string | null): void =>
        fail(`exited before ready (code ${code}, signal ${signal})`);
      child.once('exit', onExit);
      child.once('error', (err) => fail(`could not be spawned: ${err.message}`));
      // Keep reading both pipes for the process's whole life: a full pipe would block redis.
      this.#readLines(child.stdout!, onLine);
      this.#readLines(child.stderr!, onLine);
    });
  }

  #readLines(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
    let partial = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        this.#output.push(line);
        if (this.#output.length > OUTPUT_LINES_KEPT) this.#output.shift();
        onLine(line);
      }
    });
  }

  async stop(): Promise<void> {
    if (!this.running) return this.#exited;
    const child = this.#child!;
    child.kill('SIGTERM');
    child.kill('SIGCONT'); // a paused server would never act on the SIGTERM
    const escalate = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    await this.#exited;
    clearTimeout(escalate);
  }

  async kill(): Promise<void> {
    if (this.running) this.#child!.kill('SIGKILL');
    await this.#exited;
  }

  pause(): void {
    if (this.running) this.#child!.kill('SIGSTOP');
  }

  resume(): void {
    if (this.running) this.#child!.kill('SIGCONT');
  }

  async restart(): Promise<RedisServer> {
    await this.stop();
    await this.launch(true);
    return this;
  }

  async cli(...args: (string | number)[]): Promise<string> {
    const commands = this.password === undefined ? [args] : [['AUTH', this.password], args];
    const replies = await rawCommands({ port: this.port }, commands);
    const reply = replies[replies.length - 1]!;
    if (reply instanceof RawErrorReply) throw reply;
    return displayReply(reply);
  }

  #ensureTracked(): void {
    if (this.#untrack) return;
    this.#untrack = track({
      close: async () => {
        this.#untrack = undefined;
        await this.kill();
        rmSync(this.#dir, { recursive: true, force: true });
      },
      closeSync: () => {
        if (this.running) this.#child!.kill('SIGKILL');
        rmSync(this.#dir, { recursive: true, force: true });
      },
    });
  }
}
