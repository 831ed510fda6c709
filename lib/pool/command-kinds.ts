import type { Command } from '../resp/types.js';

/**
 * How a command treats the connection it runs on. The pool shares connections between callers
 * only for commands that leave no state behind; the rest need a connection of their own.
 *
 * | kind        | examples                          | on a `use` handle          | via `pool.command` |
 * |-------------|-----------------------------------|----------------------------|--------------------|
 * | `shared`    | GET, SET, EVALSHA, PUBLISH        | shared pipelined connection| shared             |
 * | `blocking`  | BLPOP, BLMOVE, XREAD BLOCK, WAIT  | exclusive                  | exclusive, one-off |
 * | `session`   | MULTI, WATCH, SELECT, EXEC        | exclusive, reset on return | refused            |
 * | `poison`    | SUBSCRIBE, MONITOR, CLIENT REPLY  | exclusive, replaced after  | refused            |
 */
export type CommandKind = 'shared' | 'blocking' | 'session' | 'poison';

const BLOCKING = new Set([
  'BLPOP', 'BRPOP', 'BRPOPLPUSH', 'BLMOVE', 'BLMPOP', 'BZPOPMIN', 'BZPOPMAX', 'BZMPOP',
  'WAIT', 'WAITAOF',
]);
/** Commands that are blocking only with a BLOCK argument. */
const BLOCKING_WITH_OPTION = new Set(['XREAD', 'XREADGROUP']);
const SESSION = new Set(['MULTI', 'EXEC', 'DISCARD', 'WATCH', 'UNWATCH', 'SELECT']);
const POISON = new Set([
  'SUBSCRIBE', 'PSUBSCRIBE', 'SSUBSCRIBE', 'UNSUBSCRIBE', 'PUNSUBSCRIBE', 'SUNSUBSCRIBE',
  'MONITOR', 'AUTH', 'HELLO', 'RESET', 'QUIT', 'READONLY', 'READWRITE', 'SWAPDB', 'SYNC', 'PSYNC',
]);
/** CLIENT subcommands that change the connection. */
const POISON_CLIENT = new Set(['REPLY', 'TRACKING', 'SETNAME', 'NO-EVICT', 'NO-TOUCH', 'CACHING']);

/** Upper-case command name; cheap for the common already-upper-case case. */
export function commandName(command: Command): string {
  const first = command[0];
  const name = typeof first === 'string' ? first : String(first);
  return isUpper(name) ? name : name.toUpperCase();
}

function isUpper(name: string): boolean {
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c >= 97 && c <= 122) return false;
  }
  return true;
}

export function commandKind(name: string, command: Command): CommandKind {
  if (SESSION.has(name)) return 'session';
  if (BLOCKING.has(name)) return 'blocking';
  if (POISON.has(name)) return 'poison';
  if (BLOCKING_WITH_OPTION.has(name) && hasArg(command, 'BLOCK')) return 'blocking';
  if (name === 'CLIENT' && command.length > 1 && POISON_CLIENT.has(upper(command[1]))) return 'poison';
  return 'shared';
}

function hasArg(command: Command, word: string): boolean {
  for (let i = 1; i < command.length; i++) if (upper(command[i]) === word) return true;
  return false;
}

function upper(arg: unknown): string {
  return typeof arg === 'string' ? arg.toUpperCase() : '';
}
