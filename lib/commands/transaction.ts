import { RedisError, ReplyError } from '../errors.js';
import { commandName } from '../pool/command-kinds.js';
import type { CommandOptions } from '../pool/handle.js';
import type { Command, Reply } from '../resp/types.js';

/** Sends commands back to back and resolves to their replies, errors in place. */
export type PipelineFn = (commands: readonly Command[], options?: CommandOptions) => Promise<unknown[]>;

/** Commands that would break the MULTI ... EXEC around them. */
const NOT_INSIDE = new Set(['MULTI', 'EXEC', 'DISCARD', 'WATCH', 'UNWATCH']);

/**
 * Runs `commands` as one MULTI ... EXEC, sent as one pipeline so that nothing can come
 * between them on the connection.
 *
 * @returns EXEC's results, one per command, with a command's error reply (e.g. WRONGTYPE) as a
 *   ReplyError in its place: the other commands still ran, as Redis transactions do. Null when
 *   EXEC was refused because a WATCHed key changed.
 * @throws ReplyError EXECABORT when a command was refused while queueing (a syntax error, an
 *   unknown command): nothing ran. Its `cause` is the first refusal. A ConnectionError or
 *   TimeoutError when the transaction's fate is unknown.
 */
export async function runTransaction(
  pipeline: PipelineFn,
  commands: readonly Command[],
  options?: CommandOptions,
): Promise<Reply[] | null> {
  checkCommands(commands);
  const results = await pipeline([['MULTI'], ...commands, ['EXEC']], options);
  const multi = results[0];
  // A failed MULTI (e.g. nested in a handle's own MULTI) says more than what EXEC then did.
  if (multi instanceof Error) throw multi;
  const exec = results[results.length - 1];
  if (exec instanceof ReplyError && exec.code === 'EXECABORT') {
    exec.cause ??= results.slice(1, -1).find((result) => result instanceof ReplyError);
  }
  if (exec instanceof Error) throw exec;
  return exec as Reply[] | null;
}

function checkCommands(commands: readonly Command[]): void {
  if (!Array.isArray(commands)) {
    throw new TypeError('a transaction takes an array of commands, e.g. [[\'INCR\', \'n\'], [\'GET\', \'n\']]');
  }
  for (const command of commands) {
    if (!Array.isArray(command) || command.length === 0) {
      throw new TypeError('a command is an array: [name, ...args], e.g. [\'GET\', \'key\']');
    }
    const name = commandName(command);
    if (NOT_INSIDE.has(name)) {
      throw new RedisError(
        `${name} cannot be one of a transaction's commands: the transaction adds MULTI and EXEC ` +
          'itself, and WATCH goes before it (handle.watch())',
        'EUSAGE',
      );
    }
  }
}
