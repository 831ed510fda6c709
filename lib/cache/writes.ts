/**
 * Which keys a command sent through this pool may change, so the cache drops them the moment
 * the write is answered (read-your-writes). The server's invalidation for our own write may
 * arrive a moment after the write's reply, on another connection of the pool; without this, a
 * caller could read its old value right after its own SET.
 *
 * Dropping too much is harmless (one more round trip); missing a key only delays its drop until
 * the server's invalidation arrives.
 */
import { isReadOnly, keyIndexes } from '../commands/info.js';
import type { Command } from '../resp/types.js';

/** Commands that change every key at once. */
const WHOLE_DB = new Set(['FLUSHALL', 'FLUSHDB', 'SWAPDB']);

/** The keys `command` may write (from the command table), `'all'` for every key, or null. */
export function writtenKeys(command: Command): string[] | 'all' | null {
  if (isReadOnly(command)) return null;
  const first = command[0];
  const name = typeof first === 'string' ? first.toUpperCase() : String(first);
  if (WHOLE_DB.has(name)) return 'all';
  const indexes = keyIndexes(command);
  if (indexes.length === 0) return null;
  const names: string[] = [];
  for (const i of indexes) {
    const arg = command[i]!;
    names.push(typeof arg === 'string' ? arg : Buffer.isBuffer(arg) ? arg.toString('utf8') : String(arg));
  }
  return names;
}
