import { createHash } from 'node:crypto';
import { ReplyError } from '../errors.js';
import type { CommandOptions } from '../pool/handle.js';
import type { Arg, Command, Reply } from '../resp/types.js';

/** Anything that sends one command: the pool, or a `use` handle. */
export interface CommandRunner {
  command(command: Command, options?: CommandOptions): Promise<Reply>;
}

/**
 * A Lua script run by its SHA1 digest. `run` sends EVALSHA, so the source crosses the wire
 * only when the server does not have it yet (a new server, a restart, SCRIPT FLUSH): then the
 * NOSCRIPT error is answered with one EVAL, which also caches the script again server-side.
 *
 * ```ts
 * const incrBy = pool.script("return redis.call('INCRBY', KEYS[1], ARGV[1])");
 * await incrBy.run(['counter'], [5]); // 5
 * ```
 */
export class Script {
  /** The Lua source, as given. */
  readonly source: string | Buffer;
  /** Lower-case hex SHA1 of the source's bytes: what EVALSHA and SCRIPT EXISTS take. */
  readonly sha1: string;
  readonly #runner: CommandRunner;

  constructor(runner: CommandRunner, source: string | Buffer) {
    if (typeof source !== 'string' && !Buffer.isBuffer(source)) {
      throw new TypeError('a script is Lua source text');
    }
    this.#runner = runner;
    this.source = source;
    // Redis hashes the bytes it receives; a string is sent as UTF-8, so hash it as UTF-8.
    this.sha1 = createHash('sha1').update(source).digest('hex');
  }

  /**
   * Runs the script with `keys` (KEYS[1..n]) and `args` (ARGV[1..n]) and resolves with its
   * result; a Lua error rejects with ReplyError.
   */
  async run(keys: readonly Arg[] = [], args: readonly Arg[] = [], options?: CommandOptions): Promise<Reply> {
    try {
      return await this.#runner.command(['EVALSHA', this.sha1, keys.length, ...keys, ...args], options);
    } catch (err) {
      if (!(err instanceof ReplyError) || err.code !== 'NOSCRIPT') throw err;
    }
    return this.#runner.command(['EVAL', this.source, keys.length, ...keys, ...args], options);
  }
}
