/**
 * node-redis's `multi()`: the methods of ./commands.ts, chained, then `exec()` (MULTI ... EXEC
 * over `pool.transaction`) or `execAsPipeline()` (`pool.pipeline`). Both resolve to the
 * replies, shaped as the single methods shape them; like node-redis, they reject when a
 * command failed, with that command's error (`err.replies` holds every reply, errors in place).
 */
import type { RedisError } from '../../errors.js';
import type { Arg, Reply } from '../../resp/types.js';
import { flattenArgs } from '../args.js';
import { Link } from '../link.js';
import { METHODS, type NodeRedisMethodName, type NodeRedisParams } from './commands.js';

interface Entry {
  command: Arg[];
  reply: ((reply: Reply) => unknown) | undefined;
}

/** The methods of ./commands.ts, each queueing its command and returning the multi. */
export type NodeRedisMultiMethods = {
  [K in Exclude<NodeRedisMethodName, 'multi'>]: (...args: NodeRedisParams<K>) => NodeRedisMulti;
};

export interface NodeRedisMulti extends NodeRedisMultiMethods {}

export class NodeRedisMulti {
  readonly #link: Link;
  readonly #entries: Entry[] = [];
  #error: Error | null = null;

  constructor(link: Link) {
    this.#link = link;
  }

  /** Any command: `addCommand(['SET', 'k', 'v'])`. */
  addCommand(args: readonly unknown[]): this {
    try {
      if (!Array.isArray(args) || typeof args[0] !== 'string') {
        throw new TypeError("addCommand takes an array: [name, ...args], e.g. ['GET', 'key']");
      }
      this.#entries.push({ command: flattenArgs(args[0], args.slice(1)), reply: undefined });
    } catch (err) {
      this.#error ??= err as Error;
    }
    return this;
  }

  /** @internal Queues one method of ./commands.ts; an argument error fails exec. */
  queue(name: string, args: unknown[]): this {
    const row = METHODS[name]!;
    try {
      this.#entries.push({ command: row.build(...args), reply: row.reply });
    } catch (err) {
      this.#error ??= err as Error;
    }
    return this;
  }

  /** MULTI ... EXEC: every command or none is queued; the replies in order. */
  exec(): Promise<unknown[]> {
    return this.#run(true);
  }

  /** The same commands as one pipeline, without MULTI. */
  execAsPipeline(): Promise<unknown[]> {
    return this.#run(false);
  }

  async #run(transaction: boolean): Promise<unknown[]> {
    this.#link.checkOpen();
    if (this.#error !== null) throw this.#error;
    if (this.#entries.length === 0) return [];
    const commands = this.#entries.map((e) => e.command);
    const link = this.#link;
    const backend = link.backend;
    const options = Link.batchOptions(false);
    const sent: Promise<unknown[]> = transaction
      ? backend.transaction(commands, options).then((r) => r ?? [])
      : backend.pipeline(commands, options);
    const replies = await link.reshape(await link.track(sent), commands);
    let failed: RedisError | null = null;
    const out = replies.map((reply, i) => {
      if (reply instanceof Error) {
        failed ??= reply as RedisError;
        return reply;
      }
      const shape = this.#entries[i]!.reply;
      return shape === undefined ? reply : shape(reply as Reply);
    });
    if (failed !== null) {
      Object.defineProperty(failed, 'replies', { value: out, enumerable: false, configurable: true });
      throw failed;
    }
    return out;
  }
}

for (const name of Object.keys(METHODS)) {
  (NodeRedisMulti.prototype as unknown as Record<string, unknown>)[name] = function (
    this: NodeRedisMulti,
    ...args: unknown[]
  ) {
    return this.queue(name, args);
  };
}
