import { isBlockingNamed, neverBlocksNamed } from '../commands/info.js';
import type { Pending } from '../connection/pending.js';
import type { Command } from '../resp/types.js';
import { CLIENT_STATE, CONNECTION_STATE, helloEffect, upper } from './connection-state.js';

/**
 * How a command treats the connection it runs on. The pool shares connections between callers
 * only for commands that leave no state behind; the rest need a connection of their own.
 * Blocking comes from the command table (lib/commands/info.ts); state effects from the
 * curated ./connection-state.ts.
 *
 * | kind        | examples                          | on a `use` handle          | via `pool.command` |
 * |-------------|-----------------------------------|----------------------------|--------------------|
 * | `shared`    | GET, SET, EVALSHA, SWAPDB, HELLO  | shared pipelined connection| shared             |
 * | `blocking`  | BLPOP, BLMOVE, XREAD BLOCK, WAIT  | exclusive (WAIT: where the handle wrote) | exclusive, one-off |
 * | `session`   | MULTI, WATCH, SELECT, CLIENT SETNAME | exclusive, reset on return | refused (CLIENT SETNAME: one-off) |
 * | `poison`    | SUBSCRIBE, MONITOR, CLIENT REPLY  | exclusive, replaced after  | refused            |
 */
export type CommandKind = 'shared' | 'blocking' | 'session' | 'poison';

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

/**
 * @param name the upper-case name ({@link commandName})
 * @param protocol the connection's RESP version: a HELLO that keeps it changes nothing
 */
export function commandKind(name: string, command: Command, protocol?: 2 | 3): CommandKind {
  if (ALWAYS_SHARED.has(name)) return 'shared';
  const effect = CONNECTION_STATE.get(name);
  if (effect !== undefined) return effect;
  if (isBlockingNamed(name, command)) return 'blocking';
  if (name === 'CLIENT') return command.length > 1 ? CLIENT_STATE.get(upper(command[1])) ?? 'shared' : 'shared';
  if (name === 'HELLO') return helloEffect(command, protocol) ?? 'shared';
  if (neverBlocksNamed(name)) ALWAYS_SHARED.add(name);
  return 'shared';
}

/**
 * Names of the command table that are `shared` whatever their arguments (GET, SET, HSET...),
 * learnt as they are first sent: from then on one lookup instead of two. Bounded by the table.
 */
const ALWAYS_SHARED = new Set<string>();

/** Shared connections take stateless commands, and whole MULTI...EXEC blocks sent in one go. */
export function sharable(pendings: readonly Pending[], commands: readonly Command[], protocol: 2 | 3): boolean {
  let inMulti = false;
  for (let i = 0; i < pendings.length; i++) {
    const name = pendings[i]!.name;
    const kind = commandKind(name, commands[i]!, protocol);
    if (kind === 'shared') continue;
    if (name === 'MULTI' && !inMulti) inMulti = true;
    else if ((name === 'EXEC' || name === 'DISCARD') && inMulti) inMulti = false;
    else return false;
  }
  return !inMulti;
}
