/**
 * What a command does to the connection it runs on, where it does anything: curated by hand,
 * since the server does not publish it. Everything not named here leaves no state behind (the
 * generated table in lib/commands/ says which commands block). Read through command-kinds.ts.
 *
 * | command                                    | effect    | why                                              |
 * |--------------------------------------------|-----------|--------------------------------------------------|
 * | MULTI EXEC DISCARD WATCH UNWATCH           | `session` | a transaction or watch: undone by DISCARD/UNWATCH |
 * | SELECT                                     | `session` | the connection's db: undone by SELECT <pool db>   |
 * | CLIENT SETNAME                             | `session` | a label only: put back to the pool's `name`       |
 * | HELLO, bare or with the pool's protocol    | none      | answers server info, changes nothing              |
 * | HELLO ... SETNAME (same protocol, no AUTH) | `session` | like CLIENT SETNAME                               |
 * | HELLO with another protocol, or AUTH       | `poison`  | reply shapes or the user change                   |
 * | (P/S)SUBSCRIBE, (P/S)UNSUBSCRIBE, MONITOR  | `poison`  | the connection stops answering commands normally  |
 * | AUTH, RESET, QUIT, READONLY, READWRITE     | `poison`  | user, every setting, the socket, cluster reads    |
 * | SYNC, PSYNC                                | `poison`  | the connection becomes a replication stream       |
 * | CLIENT REPLY/TRACKING/CACHING/NO-EVICT/NO-TOUCH | `poison` | replies skipped, pushes, eviction settings   |
 * | SWAPDB, FLUSHDB, CLIENT KILL/PAUSE, ...    | none      | they change data or the server, not this connection |
 *
 * `session` state is undone when a `use` handle's lease goes back to the pool; a `poison`ed
 * connection is closed and replaced instead.
 */
import type { Command } from '../resp/types.js';

export type StateEffect = 'session' | 'poison';

/** Commands whose effect does not depend on their arguments. */
export const CONNECTION_STATE: ReadonlyMap<string, StateEffect> = new Map([
  ['MULTI', 'session'], ['EXEC', 'session'], ['DISCARD', 'session'], ['WATCH', 'session'],
  ['UNWATCH', 'session'], ['SELECT', 'session'],
  ['SUBSCRIBE', 'poison'], ['PSUBSCRIBE', 'poison'], ['SSUBSCRIBE', 'poison'],
  ['UNSUBSCRIBE', 'poison'], ['PUNSUBSCRIBE', 'poison'], ['SUNSUBSCRIBE', 'poison'],
  ['MONITOR', 'poison'], ['AUTH', 'poison'], ['RESET', 'poison'], ['QUIT', 'poison'],
  ['READONLY', 'poison'], ['READWRITE', 'poison'], ['SYNC', 'poison'], ['PSYNC', 'poison'],
]);

/** CLIENT subcommands that change the connection (the rest: none). */
export const CLIENT_STATE: ReadonlyMap<string, StateEffect> = new Map([
  ['SETNAME', 'session'],
  ['REPLY', 'poison'], ['TRACKING', 'poison'], ['CACHING', 'poison'], ['NO-EVICT', 'poison'],
  ['NO-TOUCH', 'poison'],
]);

/**
 * HELLO [protover [AUTH user pass] [SETNAME name]]: nothing when it keeps the connection's
 * protocol and authenticates no one; a name change like CLIENT SETNAME; otherwise poison.
 * Without the connection's protocol (undefined), any protover counts as a change.
 */
export function helloEffect(command: Command, protocol: 2 | 3 | undefined): StateEffect | null {
  if (command.length < 2) return null;
  if (protocol === undefined || String(command[1]) !== String(protocol)) return 'poison';
  let effect: StateEffect | null = null;
  for (let i = 2; i < command.length; i++) {
    const word = typeof command[i] === 'string' ? (command[i] as string).toUpperCase() : '';
    if (word === 'AUTH') return 'poison';
    if (word === 'SETNAME') {
      effect = 'session';
      i++;
    }
  }
  return effect;
}

/** True for the `session` commands whose only state is the connection name. */
export function setsName(name: string, command: Command): boolean {
  if (name === 'CLIENT') return command.length > 1 && upper(command[1]) === 'SETNAME';
  if (name !== 'HELLO') return false;
  for (let i = 2; i < command.length; i++) if (upper(command[i]) === 'SETNAME') return true;
  return false;
}

export function upper(arg: unknown): string {
  return typeof arg === 'string' ? arg.toUpperCase() : Buffer.isBuffer(arg) ? arg.toString('latin1').toUpperCase() : '';
}
