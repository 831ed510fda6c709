/**
 * Which keys a command sent through this pool may change, so the cache drops them the moment
 * the write is answered (read-your-writes). The server's invalidation for our own write may
 * arrive a moment after the write's reply, on another connection of the pool; without this, a
 * caller could read its old value right after its own SET.
 *
 * Dropping too much is harmless (one more round trip); missing a key only delays its drop until
 * the server's invalidation arrives.
 */
import type { Command } from '../resp/types.js';
import { cacheableKeys } from './cacheable.js';

/** Commands that change every key at once. */
const WHOLE_DB = new Set(['FLUSHALL', 'FLUSHDB', 'SWAPDB']);
/** Commands with no key arguments that change nothing we cache. */
const KEYLESS = new Set([
  'PING', 'ECHO', 'PUBLISH', 'SPUBLISH', 'INFO', 'TIME', 'DBSIZE', 'CLIENT', 'CONFIG', 'COMMAND',
  'SCAN', 'RANDOMKEY', 'MULTI', 'EXEC', 'DISCARD', 'WATCH', 'UNWATCH', 'SCRIPT', 'SLOWLOG',
  'LATENCY', 'MEMORY', 'LASTSAVE', 'ROLE', 'HELLO', 'AUTH', 'SELECT', 'QUIT', 'RESET', 'WAIT',
  'TTL', 'PTTL', 'EXPIRETIME', 'PEXPIRETIME', 'OBJECT', 'DUMP', 'TOUCH', 'SRANDMEMBER',
  'HRANDFIELD', 'ZRANDMEMBER', 'PFCOUNT',
]);
/** Every argument from the first is a key. */
const ALL_KEYS = new Set(['DEL', 'UNLINK']);
/** Keys at odd positions: key value key value... */
const PAIRS = new Set(['MSET', 'MSETNX']);
/** Two keys: source and destination. */
const TWO_KEYS = new Set([
  'RENAME', 'RENAMENX', 'COPY', 'SMOVE', 'LMOVE', 'RPOPLPUSH', 'BLMOVE', 'BRPOPLPUSH',
  'GEOSEARCHSTORE', 'ZRANGESTORE',
]);
/** A destination then source keys: SINTERSTORE dst k1 k2 ... */
const STORE_ALL = new Set(['SINTERSTORE', 'SUNIONSTORE', 'SDIFFSTORE', 'PFMERGE', 'BITOP']);
/** Scripts and functions: `numkeys` at index 2, keys after it. */
const NUMKEYS_AT_2 = new Set(['EVAL', 'EVALSHA', 'EVAL_RO', 'EVALSHA_RO', 'FCALL', 'FCALL_RO']);

/**
 * The keys `command` may write, `'all'` for the whole database, or null for none.
 * TODO(table): use isReadOnly/keyIndexes from lib/commands/info.ts once it is on main.
 */
export function writtenKeys(command: Command): string[] | 'all' | null {
  const first = command[0];
  const name = typeof first === 'string' ? first.toUpperCase() : String(first);
  if (cacheableKeys(name) !== undefined || KEYLESS.has(name)) return null;
  if (WHOLE_DB.has(name)) return 'all';
  if (command.length < 2) return null;
  let indexes: number[];
  if (ALL_KEYS.has(name)) indexes = range(1, command.length, 1);
  else if (PAIRS.has(name)) indexes = range(1, command.length, 2);
  else if (TWO_KEYS.has(name)) indexes = range(1, Math.min(3, command.length), 1);
  else if (STORE_ALL.has(name)) indexes = range(name === 'BITOP' ? 2 : 1, command.length, 1);
  else if (NUMKEYS_AT_2.has(name)) indexes = range(3, 3 + Math.max(0, Number(command[2]) || 0), 1);
  else indexes = [1];
  const names: string[] = [];
  for (const i of indexes) {
    if (i >= command.length) break;
    const arg = command[i]!;
    names.push(typeof arg === 'string' ? arg : Buffer.isBuffer(arg) ? arg.toString('utf8') : String(arg));
  }
  return names;
}

function range(from: number, to: number, step: number): number[] {
  const out: number[] = [];
  for (let i = from; i < to; i += step) out.push(i);
  return out;
}
