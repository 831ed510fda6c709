/**
 * ioredis's `pipeline()` and `multi()`: a chain of command methods ending in `exec()`, which
 * resolves to `[error, reply]` pairs (`[[null, 'OK'], [ReplyError, null]]`). A pipeline runs on
 * `pool.pipeline` (one write, replies in order), a multi on `pool.transaction` (MULTI ... EXEC
 * in one write, so nobody else's command lands inside). Defined scripts ride as EVALSHA; the
 * ones the server is not known to hold are SCRIPT LOADed ahead, in the same write (./scripts.ts).
 * On a Cluster, a pipeline is the cluster's (split by node, answered in order) and a multi the
 * cluster's transaction (its keys in one slot); scripts ride there as EVAL, since a SCRIPT LOAD
 * (no key) would not reach the node of the script's keys.
 */
import type { Arg, Command, Reply } from '../../resp/types.js';
import { splitCallback, withCallback, type Callback } from '../args.js';
import { Cluster } from '../../cluster/cluster.js';
import type { Pool } from '../../pool/pool.js';
import { Link } from '../link.js';
import type { IoredisBatchMethods } from './methods.js';
import { buildCommand, transformReply, type ReplyTransform } from './shape.js';
import { isNoScript, loadedScripts, type DefinedScript } from './scripts.js';
import { runTransaction, type PipelineFn } from '../../commands/transaction.js';

interface Entry {
  command: Arg[];
  buffers: boolean;
  transform: ReplyTransform | null;
  script: DefinedScript | null;
  /** ioredis also takes a callback per queued command (`multi.get(k, cb)`). */
  callback: Callback | undefined;
}

/** `[error, reply]` per command, as ioredis's exec resolves. */
export type ExecResult = [Error | null, unknown][];

/** The command methods, chained (typed in ./methods.ts, installed by ./client.ts). */
export interface IoredisBatch extends IoredisBatchMethods<IoredisBatch> {}

export class IoredisBatch {
  readonly #link: Link;
  readonly #transaction: boolean;
  readonly #entries: Entry[] = [];
  #error: Error | null = null;

  constructor(link: Link, transaction: boolean, commands?: unknown) {
    this.#link = link;
    this.#transaction = transaction;
    if (Array.isArray(commands)) {
      for (const c of commands) {
        if (!Array.isArray(c) || typeof c[0] !== 'string') {
          throw new TypeError("pipeline/multi take an array of commands, e.g. [['set', 'k', 'v'], ['get', 'k']]");
        }
        this.queue(c[0].toLowerCase(), c.slice(1), false);
      }
    }
  }

  /** Commands queued so far. */
  get length(): number {
    return this.#entries.length;
  }

  /** @internal Queues `name(...args)`; an argument error fails exec, as ioredis does. */
  queue(name: string, args: unknown[], buffers: boolean, script: DefinedScript | null = null): this {
    const callback = splitCallback(args);
    try {
      const command = script !== null ? script.evalsha(args) : buildCommand(name, args);
      this.#entries.push({ command, buffers, transform: transformReply(name), script, callback });
    } catch (err) {
      this.#error ??= err as Error;
    }
    return this;
  }

  /** Any command by name, as on the client: `pipeline().call('JSON.SET', k, '$', v)`. */
  call(name: string, ...args: unknown[]): this {
    return this.queue(String(name), args, false);
  }

  callBuffer(name: string, ...args: unknown[]): this {
    return this.queue(String(name), args, true);
  }

  /** Sends the queued commands; resolves to `[error, reply]` pairs (errors in place). */
  exec(callback?: Callback): Promise<ExecResult> {
    return withCallback(this.#exec(), typeof callback === 'function' ? callback : undefined);
  }

  async #exec(): Promise<ExecResult> {
    this.#link.checkOpen();
    if (this.#error !== null) throw this.#error;
    const entries = this.#entries;
    if (entries.length === 0) return [];
    const buffers = entries.some((e) => e.buffers);
    const options = Link.batchOptions(buffers);
    const link = this.#link;
    const backend = link.backend;
    let commands: Command[];
    let sent: Promise<unknown[]>;
    if (backend instanceof Cluster) {
      commands = entries.map((e) => (e.script !== null ? e.script.asEval(e.command) : e.command));
      sent = this.#transaction ? backend.transaction(commands, options).then((r) => r ?? []) : backend.pipeline(commands, options);
    } else {
      commands = entries.map((e) => e.command);
      const send = this.#withLoads(backend);
      sent = this.#transaction ? runTransaction(send, commands, options).then((r) => r ?? []) : send(commands, options);
    }
    const replies = await link.reshape(await link.track(sent), commands, buffers);
    if (!(backend instanceof Cluster) && replies.some(isNoScript)) loadedScripts(backend).clear();
    const out: ExecResult = new Array(entries.length);
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i]!;
      let reply = replies[i];
      if (reply instanceof Error) {
        out[i] = [reply, null];
      } else {
        if (buffers && !entry.buffers) reply = asStrings(reply as Reply);
        out[i] = [null, entry.transform !== null ? entry.transform(reply as Reply) : reply];
      }
      entry.callback?.(out[i]![0], out[i]![1]);
    }
    return out;
  }

  /**
   * `pool.pipeline` with a SCRIPT LOAD, ahead of the batch's commands, for each script of the
   * batch the server is not known to hold (see ./scripts.ts); their replies are taken off.
   */
  #withLoads(pool: Pool<boolean>): PipelineFn {
    const loaded = loadedScripts(pool);
    const missing = new Map<string, DefinedScript>();
    for (const e of this.#entries) {
      if (e.script !== null && !loaded.has(e.script.sha1)) missing.set(e.script.sha1, e.script);
    }
    if (missing.size === 0) return (commands, options) => pool.pipeline(commands, options);
    const scripts = [...missing.values()];
    const loads: Command[] = scripts.map((s) => ['script', 'load', s.lua]);
    return async (commands, options) => {
      const replies = await pool.pipeline([...loads, ...commands], options);
      // A script the server refused to load (a Lua syntax error) shows as NOSCRIPT in place.
      for (let i = 0; i < scripts.length; i++) if (!(replies[i] instanceof Error)) loaded.add(scripts[i]!.sha1);
      return replies.slice(scripts.length);
    };
  }
}

/** Bulk strings back to text, for the commands of a mixed batch that did not ask for Buffers. */
function asStrings(reply: Reply): Reply {
  if (Buffer.isBuffer(reply)) return reply.toString('utf8');
  if (Array.isArray(reply)) return reply.map(asStrings);
  return reply;
}
