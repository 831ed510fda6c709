/**
 * An object shaped like a node-redis (v4/v5) client, backed by a respool Pool: for libraries
 * that take "a node-redis client" (connect-redis 9, @keyv/redis 5...).
 *
 * ```ts
 * import { createPool } from 'respool';
 * import { nodeRedisCompat } from 'respool/compat';
 * const client = await nodeRedisCompat(createPool(url)).connect();
 * await client.set('k', 'v', { expiration: { type: 'EX', value: 60 } });
 * for await (const keys of client.scanIterator({ MATCH: 'sess:*' })) { ... }
 * ```
 *
 * The camelCase methods of ./commands.ts, `sendCommand([...])` for anything else, `multi()`
 * (`exec()` and `execAsPipeline()`), `scanIterator`, `isOpen`/`isReady`, `connect()`,
 * `quit()`/`close()`, `disconnect()`/`destroy()`, `duplicate()` and the events 'connect',
 * 'ready', 'error' and 'end'. It opens by itself (the pool connects anyway): `connect()` is
 * optional and resolves to the client once the pool answers.
 */
import { EventEmitter } from 'node:events';
import type { Reply } from '../../resp/types.js';
import { flattenArgs } from '../args.js';
import { connectionOptions, Link, type Backend } from '../link.js';
import { ClusterCursors } from '../scan.js';
import { METHODS, type NodeRedisMethodName, type NodeRedisParams, type NodeRedisReply, type ScanOptions } from './commands.js';
import { NodeRedisMulti } from './multi.js';

/**
 * The methods of ./commands.ts (installed below): their arguments as each row builds them, the
 * reply `unknown` (node-redis's shape: narrow it). Libraries that take this object declare
 * node-redis's own client type: pass it as `nodeRedisCompat(pool) as unknown as RedisClientType`
 * (or `as never`) where they are type-checked.
 */
export type NodeRedisMethods = {
  [K in Exclude<NodeRedisMethodName, 'multi'>]: (...args: NodeRedisParams<K>) => Promise<NodeRedisReply<K>>;
};

export interface NodeRedisCompat extends NodeRedisMethods {}

export class NodeRedisCompat extends EventEmitter {
  /** What libraries read from `client.options`: the server's URL (never with credentials). */
  readonly options: { url: string };
  readonly #link: Link;
  #cursors: ClusterCursors | null = null;

  constructor(backend: Backend) {
    super();
    this.#link = new Link(backend, {
      connecting: () => this.emit('connect'),
      ready: () => this.emit('ready'),
      failed: (err) => {
        if (this.listenerCount('error') > 0) this.emit('error', err);
      },
      closed: () => process.nextTick(() => this.emit('end')),
    });
    const { host, port, path, db } = connectionOptions(backend);
    this.options = { url: path !== undefined ? `unix://${path}?db=${db}` : `redis://${host}:${port}/${db}` };
    this.#link.open().catch(() => {});
  }

  /** True from creation until closed (the pool opens and reopens sockets by itself). */
  get isOpen(): boolean {
    return this.#link.state === 'connecting' || this.#link.state === 'ready';
  }

  /** True once the pool has answered, until closed. */
  get isReady(): boolean {
    return this.#link.state === 'ready';
  }

  /** Resolves to this client once the pool answers; reopens a closed client. */
  async connect(): Promise<this> {
    await this.#link.open();
    return this;
  }

  /** Closes this client once its commands are answered; the pool stays open. */
  async close(): Promise<void> {
    await this.#link.close(true);
  }

  /** node-redis v4's name for {@link close}. */
  async quit(): Promise<'OK'> {
    await this.#link.close(true);
    return 'OK';
  }

  /** Closes this client at once (blocking commands reject); the pool stays open. */
  destroy(): void {
    void this.#link.close(false);
  }

  /** node-redis v4's name for {@link destroy}. */
  async disconnect(): Promise<void> {
    await this.#link.close(false);
  }

  /** A new client on the same pool. */
  duplicate(): NodeRedisCompat {
    return new NodeRedisCompat(this.#link.backend);
  }

  /** Any command, as node-redis's `sendCommand(['SET', 'k', 'v'])`; the raw RESP2 reply. */
  sendCommand(args: readonly unknown[]): Promise<Reply> {
    try {
      if (!Array.isArray(args) || typeof args[0] !== 'string') {
        throw new TypeError("sendCommand takes an array: [name, ...args], e.g. ['GET', 'key']");
      }
      return this.#link.send(flattenArgs(args[0], args.slice(1)));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** MULTI ... EXEC (`exec()`), or the same commands as a plain pipeline (`execAsPipeline()`). */
  multi(): NodeRedisMulti {
    return new NodeRedisMulti(this.#link);
  }

  /** SCAN cursor by cursor, yielding each reply's keys as one array (node-redis v5). */
  async *scanIterator(options: ScanOptions & { cursor?: string } = {}): AsyncGenerator<string[]> {
    let cursor = options.cursor ?? '0';
    do {
      const reply = (await this.scan(cursor, options)) as { cursor: string; keys: string[] };
      cursor = reply.cursor;
      if (reply.keys.length > 0) yield reply.keys;
    } while (cursor !== '0');
  }

  /** @internal What every method of ./commands.ts runs. */
  run(name: string, args: unknown[]): Promise<unknown> {
    const row = METHODS[name]!;
    try {
      // On a Cluster, one cursor walks every primary (../scan.ts).
      if (name === 'scan' && this.#link.cluster) return (this.#cursors ??= new ClusterCursors(this.#link)).next(args[0], args[1] as ScanOptions | undefined);
      const promise = this.#link.send(row.build(...args));
      const shape = row.reply;
      return shape === undefined ? promise : promise.then(shape);
    } catch (err) {
      return Promise.reject(err);
    }
  }
}

for (const name of Object.keys(METHODS)) {
  (NodeRedisCompat.prototype as unknown as Record<string, unknown>)[name] = function (
    this: NodeRedisCompat,
    ...args: unknown[]
  ) {
    return this.run(name, args);
  };
}

/** A node-redis-shaped client on a Pool or a Cluster (see {@link NodeRedisCompat}). */
export function nodeRedisCompat(backend: Backend): NodeRedisCompat {
  return new NodeRedisCompat(backend);
}
