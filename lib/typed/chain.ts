/**
 * Chainable batches: `pool.multi().set(k, v).incr(n).exec()` (MULTI ... EXEC through the
 * receiver's `transaction`) and `pool.batch().get(a).get(b).exec()` (its `pipeline`). Each
 * chained method encodes its command at once (a bad argument is reported by exec(), nothing
 * sent); exec() sends them all and resolves to a tuple typed command by command, normalised
 * like the methods' own replies.
 */
import { ArgumentError, RedisError } from '../errors.js';
import type { Commands } from '../commands/methods.js';
import type { CommandOptions } from '../pool/command-options.js';
import type { Arg, Reply } from '../resp/types.js';
import { callOptions, encodeCall, type MethodSpec } from './encode.js';
import { NORMALIZE, type Normalizer } from './normalize.js';

/** What typed methods and batches send through (Pool, Handle, Cluster, ClusterHandle). */
export interface Sender {
  command(command: readonly Arg[], options?: CommandOptions): Promise<Reply>;
  transaction(commands: readonly (readonly Arg[])[], options?: CommandOptions): Promise<Reply[] | null>;
  pipeline(commands: readonly (readonly Arg[])[], options?: CommandOptions): Promise<unknown[]>;
}

/** Sends a batch's commands: the receiver's transaction or pipeline. */
export type Runner = (sender: Sender, commands: Arg[][], options: CommandOptions | undefined) => Promise<unknown[] | null>;

/**
 * A batch being built: every command method, returning the batch with its reply type added
 * to the tuple; `exec()` sends. `N` is `null` for a handle's MULTI (a WATCHed key changed).
 * `T` holds the replies as text, `U` the same replies with `returnBuffers` (each command's own
 * Buffer reply type: simple strings such as TYPE's, PING's and the HELP lines stay text, stream
 * IDs too, as they really come back); `B` (the receiver's returnBuffers) or exec's own
 * `returnBuffers` picks one.
 */
export interface Batch<T extends unknown[], N, out B extends boolean = false, U extends unknown[] = T extends [] ? [] : unknown[]>
  extends BatchMethods {
  /**
   * Sends the commands (MULTI ... EXEC, or one pipeline) and resolves to their replies in
   * order. Rejects with the first command's error when one failed (the others still ran:
   * Redis does not roll back); `pool.transaction([...])` / `pool.pipeline([...])` keep errors
   * in place instead. Per-call options (timeout, signal, returnBuffers) go here, for all.
   */
  exec(options: CommandOptions & { returnBuffers: true }): Promise<U | N>;
  exec(options: CommandOptions & { returnBuffers: false }): Promise<T | N>;
  exec(options?: CommandOptions): Promise<(B extends true ? U : B extends false ? T : T | U) | N>;
  /** How many commands are queued. */
  readonly length: number;
}

/**
 * The command methods of a {@link Batch}: one type for every batch, not one per `Batch<T, N,
 * B, U>`. Each method reads the batch it is called on (its `this`) and returns that batch with
 * the command's text and Buffer replies added (`Chained`). Were the methods typed with the
 * batch's own parameters, checking the declarations (`skipLibCheck: false`: the `out B`
 * annotation, the variance of T, N and U) would build and compare every method for each
 * marker instantiation: 148,838 type instantiations for a project of 50 commands, +2.4 to
 * +3.5 s of tsc (issue 11); typed this way, Batch's variance is read from exec() alone.
 * A method's Buffer reply is read from `Commands<true>` (its BufReplies exception, if any).
 */
export type BatchMethods = {
  [K in keyof Commands]: Commands[K] extends (...args: infer A) => Promise<infer R>
    ? <This extends AnyBatch>(this: This, ...args: A) => Chained<This, R, BufReplyIn<K>> : never;
};

/** Any batch (what a batch method is called on). */
type AnyBatch = Batch<unknown[], unknown, boolean, unknown[]>;

/** The batch `This` with one more command, replying `R` (text) or `BR` (returnBuffers). */
type Chained<This, R, BR> = This extends Batch<infer T, infer N, infer B, infer U> ? Batch<[...T, R], N, B, [...U, BR]> : never;

/** The reply of a command method on a `returnBuffers: true` receiver. */
type BufReplyIn<K extends keyof Commands> = Commands<true>[K] extends (...args: infer _) => Promise<infer R> ? R : never;

/** The runtime batch; its command methods are put on its prototype by {@link installBatchMethods}. */
export class Chain {
  readonly #sender: Sender;
  readonly #run: Runner;
  readonly #commands: Arg[][] = [];
  readonly #normalizers: (Normalizer | undefined)[] = [];
  #error: Error | null = null;
  readonly #transaction: boolean;

  constructor(sender: Sender, run: Runner, transaction: boolean) {
    this.#sender = sender;
    this.#run = run;
    this.#transaction = transaction;
  }

  get length(): number {
    return this.#commands.length;
  }

  /** @internal Called by the chained methods. */
  add(spec: MethodSpec, args: IArguments): this {
    if (this.#error !== null) return this;
    try {
      const command = encodeCall(spec, args);
      if (callOptions !== undefined) {
        throw new ArgumentError(
          `${spec.method}: per-call options (timeout, signal, returnBuffers) are not taken inside a ` +
            `${this.#transaction ? 'multi()' : 'batch()'}: pass them to exec()`,
        );
      }
      this.#commands.push(command);
      this.#normalizers.push(NORMALIZE.get(spec.method));
    } catch (err) {
      this.#error = err as Error;
    }
    return this;
  }

  async exec(options?: CommandOptions): Promise<unknown[] | null> {
    if (this.#error !== null) throw this.#error;
    const commands = this.#commands;
    const replies = await this.#run(this.#sender, commands, options);
    if (replies === null) return null;
    for (let i = 0; i < replies.length; i++) {
      const reply = replies[i];
      if (reply instanceof RedisError) throw reply;
      const normalize = this.#normalizers[i];
      if (normalize !== undefined) replies[i] = normalize(reply as Reply, commands[i]!);
    }
    return replies;
  }
}

/** Gives Chain.prototype one method per command (each adds its command and returns the batch). */
export function installBatchMethods(specs: ReadonlyMap<string, MethodSpec>): void {
  for (const [name, spec] of specs) {
    if (name in Chain.prototype) continue;
    Object.defineProperty(Chain.prototype, name, {
      value: function chained(this: Chain) { return this.add(spec, arguments); },
      writable: true, configurable: true, enumerable: false,
    });
  }
}
