/**
 * An object shaped like an ioredis client, backed by a respool Pool: for libraries that take
 * "an ioredis instance" (bullmq, rate-limiter-flexible, redis-semaphore, redlock...).
 *
 * ```ts
 * import { createPool } from 'respool';
 * import { ioredisCompat } from 'respool/compat';
 * const pool = createPool(url);
 * const redis = ioredisCompat(pool);
 * await redis.set('k', 'v', 'EX', 60);
 * new Queue('mail', { connection: redis });
 * ```
 *
 * Every command of the command table is a lower-case method (`get`, `hset`, `zadd`, `client`,
 * `xadd`...) taking ioredis's arguments (arrays spread, `undefined` as '', a trailing callback),
 * with a `...Buffer` twin (`getBuffer`); `call(name, ...args)` sends anything else.
 * `defineCommand`, `multi()`/`pipeline()` with `[error, reply]` results, `duplicate()`,
 * `status` and the events 'connect', 'ready', 'error', 'close' and 'end' follow ioredis.
 * What differs, because a pool is not one socket: see README "Libraries on respool".
 */
import { EventEmitter } from 'node:events';
import { Readable } from 'node:stream';
import { COMMAND_ROWS } from '../../commands/table.js';
import type { Reply } from '../../resp/types.js';
import { splitCallback, withCallback, type Callback } from '../args.js';
import { connectionOptions, Link, type Backend, type LinkState } from '../link.js';
import { clusterScanPages } from '../scan.js';
import { IoredisBatch, type ExecResult } from './batch.js';
import { DefinedScript, isNoScript, type CommandDefinition } from './scripts.js';
import type { IoredisMethods } from './methods.js';
import { buildCommand, transformReply } from './shape.js';

/** Options a compat client keeps in `client.options` (libraries read some of them). */
export interface IoredisCompatOptions {
  /** Start in status 'wait' until `connect()` (ioredis's lazyConnect). */
  lazyConnect?: boolean;
  /** Shown by libraries in their logs (redis-semaphore). Not sent: a pool's connections are shared. */
  connectionName?: string;
  /** Anything else a library reads from `client.options` and expects back. */
  [option: string]: unknown;
}

/**
 * The command methods (typed in ./methods.ts, put on the prototype at the bottom of this file).
 * Libraries that take this object declare ioredis's own client type: pass it as
 * `ioredisCompat(pool) as unknown as Redis` (or `as never`) where they are type-checked.
 */
export interface IoredisCompat extends IoredisMethods {}

export class IoredisCompat extends EventEmitter {
  /** Libraries read these; a pool is never an ioredis Cluster. */
  readonly isCluster = false;
  readonly options: Record<string, unknown>;
  readonly #link: Link;
  readonly #scripts = new Map<string, DefinedScript>();
  /** This client's batch class: its prototype also carries the commands defined here. */
  readonly #Batch: typeof IoredisBatch;

  constructor(backend: Backend, options: IoredisCompatOptions = {}) {
    super();
    if (options.keyPrefix !== undefined && options.keyPrefix !== '') {
      // Silently sending unprefixed keys would be worse than refusing.
      throw new TypeError('ioredisCompat does not prefix keys (keyPrefix): put the prefix in your keys');
    }
    this.#link = new Link(backend, {
      connecting: () => {},
      ready: () => {
        this.emit('connect');
        this.emit('ready');
      },
      failed: (err) => {
        if (this.listenerCount('error') > 0) this.emit('error', err);
      },
      closed: () => process.nextTick(() => {
        this.emit('close');
        this.emit('end');
      }),
    });
    const { host, port, db } = connectionOptions(backend);
    this.options = {
      host,
      port,
      db,
      // bullmq refuses clients that would retry per request: a pool never re-sends by itself.
      maxRetriesPerRequest: null,
      ...options,
    };
    this.#Batch = class extends IoredisBatch {};
    if (options.lazyConnect !== true) this.#link.open().catch(() => {});
  }

  /** 'wait', 'connecting', 'ready' or 'end', as ioredis names them. Writes are ignored. */
  get status(): LinkState {
    return this.#link.state;
  }

  set status(_value: LinkState) {
    // bullmq writes 'end' after quit(), which it already is; the link's state is the truth.
  }

  /** Resolves once the pool answers (at once if it has); also reopens a closed client. */
  connect(callback?: Callback): Promise<void> {
    return withCallback(this.#link.open(), callback);
  }

  /** Closes this client at once: blocking commands reject ('Connection is closed.'); the pool stays open. */
  disconnect(reconnect = false): void {
    void this.#link.close(false);
    if (reconnect) process.nextTick(() => this.#link.open().catch(() => {}));
  }

  /** Closes this client once the commands it sent are answered; the pool stays open. */
  quit(callback?: Callback): Promise<'OK'> {
    return withCallback(this.#link.close(true).then(() => 'OK' as const), callback);
  }

  /** A new client on the same pool (no new socket: the pool's connections are shared). */
  duplicate(overrides: IoredisCompatOptions = {}): IoredisCompat {
    const { host: _h, port: _p, db: _d, maxRetriesPerRequest: _m, ...own } = this.options;
    return new IoredisCompat(this.#link.backend, { ...own, ...overrides });
  }

  /** Any command by name: `call('JSON.GET', key, '$')`. */
  call(name: string, ...args: unknown[]): Promise<unknown> {
    return this.sendCommandArgs(String(name), args, false);
  }

  callBuffer(name: string, ...args: unknown[]): Promise<unknown> {
    return this.sendCommandArgs(String(name), args, true);
  }

  /**
   * Defines `client[name](...)` and `client[name + 'Buffer'](...)` running `lua` (EVALSHA, then
   * EVAL on NOSCRIPT), on this client and on its pipelines and multis.
   */
  defineCommand(name: string, definition: CommandDefinition): void {
    const script = new DefinedScript(name, definition);
    this.#scripts.set(name, script);
    const self = this as unknown as Record<string, unknown>;
    self[name] = (...args: unknown[]) => this.#runScript(script, args, false);
    self[`${name}Buffer`] = (...args: unknown[]) => this.#runScript(script, args, true);
    const proto = this.#Batch.prototype as unknown as Record<string, unknown>;
    proto[name] = function (this: IoredisBatch, ...args: unknown[]) {
      return this.queue(name, args, false, script);
    };
    proto[`${name}Buffer`] = function (this: IoredisBatch, ...args: unknown[]) {
      return this.queue(name, args, true, script);
    };
  }

  #runScript(script: DefinedScript, args: unknown[], buffers: boolean): Promise<unknown> {
    const callback = splitCallback(args);
    let promise: Promise<unknown>;
    try {
      const evalsha = script.evalsha(args);
      promise = this.#link.send(evalsha, buffers).catch((err: unknown) => {
        if (!isNoScript(err)) throw err;
        return this.#link.send(script.asEval(evalsha), buffers);
      });
    } catch (err) {
      promise = Promise.reject(err);
    }
    return withCallback(promise, callback);
  }

  /** MULTI ... EXEC over `pool.transaction`: `exec()` resolves to `[error, reply]` pairs. */
  multi(commands?: unknown): IoredisBatch {
    return new this.#Batch(this.#link, true, commands);
  }

  /** Commands in one write over `pool.pipeline`: `exec()` resolves to `[error, reply]` pairs. */
  pipeline(commands?: unknown): IoredisBatch {
    return new this.#Batch(this.#link, false, commands);
  }

  /**
   * ioredis's scanStream: a Readable of key arrays, one per SCAN reply. On a Cluster, every
   * primary's keys (`cluster.scan`), in arrays of up to `count` (default 10).
   */
  scanStream(options: { match?: string; count?: number; type?: string } = {}): Readable {
    const link = this.#link;
    if (link.cluster) return Readable.from(clusterScanPages(link, options), { objectMode: true });
    async function* batches(): AsyncGenerator<string[]> {
      let cursor = '0';
      do {
        const args: unknown[] = [cursor];
        if (options.match !== undefined) args.push('MATCH', options.match);
        if (options.count !== undefined) args.push('COUNT', options.count);
        if (options.type !== undefined) args.push('TYPE', options.type);
        const [next, keys] = (await link.send(buildCommand('scan', args))) as [string, string[]];
        cursor = next;
        if (keys.length > 0) yield keys;
      } while (cursor !== '0');
    }
    return Readable.from(batches(), { objectMode: true });
  }

  /** @internal What every command method runs. */
  sendCommandArgs(name: string, args: unknown[], buffers: boolean): Promise<unknown> {
    const callback = splitCallback(args);
    let promise: Promise<unknown>;
    try {
      const command = buildCommand(name, args);
      const transform = transformReply(name);
      promise = this.#link.send(command, buffers);
      if (transform !== null) promise = promise.then((reply) => transform(reply as Reply));
    } catch (err) {
      promise = Promise.reject(err);
    }
    return withCallback(promise, callback);
  }
}

/** Exec results, for callers that type them. */
export type { ExecResult };

/**
 * One method per command of the command table (top-level names: `client`, `xinfo`, `config`
 * take their subcommand as the first argument, as in ioredis), on the client and on batches.
 * Names the classes define themselves (`quit`, `multi`...) keep their own meaning.
 */
function installCommands(): void {
  const client = IoredisCompat.prototype as unknown as Record<string, unknown>;
  const batch = IoredisBatch.prototype as unknown as Record<string, unknown>;
  for (const row of COMMAND_ROWS) {
    const upper = row[0];
    if (upper.includes('|')) continue;
    const name = upper.toLowerCase();
    for (const [method, buffers] of [[name, false], [`${name}Buffer`, true]] as const) {
      if (!(method in client)) {
        client[method] = function (this: IoredisCompat, ...args: unknown[]) {
          return this.sendCommandArgs(name, args, buffers);
        };
      }
      if (!(method in batch)) {
        batch[method] = function (this: IoredisBatch, ...args: unknown[]) {
          return this.queue(name, args, buffers);
        };
      }
    }
  }
}
installCommands();

/** An ioredis-shaped client on a Pool or a Cluster (see {@link IoredisCompat}). */
export function ioredisCompat(backend: Backend, options?: IoredisCompatOptions): IoredisCompat {
  return new IoredisCompat(backend, options);
}
