/**
 * What the server's COMMAND INFO does not say, decided by hand. The generated table
 * (./table.ts) is what the server said; this file is what we add, so a reader can tell the two
 * apart. Each entry says why.
 */
import type { Command } from '../resp/types.js';

/**
 * Commands that hold their connection until something happens, although the server does not
 * flag them `blocking`: WAIT and WAITAOF wait for replicas (up to their timeout, 0 = forever).
 * WAITAOF is newer than the server the table was generated from, so it is named here.
 */
export const BLOCKING_EXTRA: ReadonlySet<string> = new Set(['WAIT', 'WAITAOF']);

/** The commands that wait for replicas to acknowledge the writes made on their own connection. */
export const REPLICA_WAITS: ReadonlySet<string> = new Set(['WAIT', 'WAITAOF']);

/**
 * Commands that can reach the replication stream although the server does not flag them
 * `write`: scripts and functions (their writes replicate), PUBLISH (replicated outside a
 * cluster), EXEC (runs what was queued). A `use` handle runs WAIT where its last one went.
 */
export const MAY_REPLICATE: ReadonlySet<string> = new Set(['EVAL', 'EVALSHA', 'FCALL', 'PUBLISH', 'SPUBLISH', 'EXEC']);

/**
 * Commands the server flags `blocking` that block only with a given argument: XREAD and
 * XREADGROUP without BLOCK answer at once.
 */
export const BLOCKING_ONLY_WITH: ReadonlyMap<string, string> = new Map([
  ['XREAD', 'BLOCK'],
  ['XREADGROUP', 'BLOCK'],
]);

/**
 * Key positions the key specs get wrong or leave `unknown`, as the server's own getkeys
 * procedures compute them. Each returns every key index, in order.
 */
export const KEY_RULES: ReadonlyMap<string, (command: Command) => number[]> = new Map([
  // SORT's STORE destination is a key the spec marks unknown (the keyword may come anywhere);
  // its BY and GET patterns are not keys.
  ['SORT', (command: Command) => {
    const keys = command.length > 1 ? [1] : [];
    for (let i = 2; i < command.length - 1; i++) {
      const word = argWord(command[i]);
      if (word === 'STORE') keys.push(i + 1);
      if (word === 'STORE' || word === 'BY' || word === 'LIMIT' || word === 'GET') i += word === 'LIMIT' ? 2 : 1;
    }
    return keys;
  }],
  // MIGRATE host port key|"" db timeout [COPY] [REPLACE] [AUTH pw | AUTH2 user pw] [KEYS k...]:
  // with KEYS, the key argument is the empty string and is not a key.
  ['MIGRATE', (command: Command) => {
    const keys: number[] = [];
    if (command.length > 3 && !isEmpty(command[3])) keys.push(3);
    for (let i = 6; i < command.length; i++) {
      const word = argWord(command[i]);
      if (word === 'AUTH') i += 1;
      else if (word === 'AUTH2') i += 2;
      else if (word === 'KEYS') {
        for (let k = i + 1; k < command.length; k++) keys.push(k);
        break;
      }
    }
    return keys;
  }],
]);

function argWord(arg: unknown): string {
  if (typeof arg === 'string') return arg.toUpperCase();
  if (Buffer.isBuffer(arg) && arg.length < 16) return arg.toString('latin1').toUpperCase();
  return '';
}

function isEmpty(arg: unknown): boolean {
  return (typeof arg === 'string' || Buffer.isBuffer(arg)) && arg.length === 0;
}
