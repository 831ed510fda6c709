/**
 * What the cache hands out, and what a cached reply costs.
 *
 * A cached reply is handed out many times, so no caller may be able to change what the next
 * one gets. Strings, numbers, bigints, booleans and null cannot be changed in JavaScript: they
 * are handed out as they are, which makes a hit on GET free of copies. Arrays, Maps, Sets and
 * Buffers can (`Object.freeze` protects neither a Map's entries nor a Buffer's bytes), so each
 * hit gets its own copy of those: a structural copy down to the immutable leaves, much cheaper
 * than `structuredClone` (no serialization, strings shared).
 */
import { ReplyError } from '../errors.js';
import type { Reply } from '../resp/types.js';

/** A copy no caller shares with the cache: immutable leaves are shared, containers copied. */
export function copyReply(value: Reply): Reply {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    const out = new Array<Reply>(value.length);
    for (let i = 0; i < value.length; i++) out[i] = copyReply(value[i]!);
    return out;
  }
  if (Buffer.isBuffer(value)) return Buffer.from(value);
  if (value instanceof Map) {
    const out = new Map<Reply, Reply>();
    for (const [k, v] of value) out.set(copyReply(k), copyReply(v));
    return out;
  }
  if (value instanceof Set) {
    const out = new Set<Reply>();
    for (const v of value) out.add(copyReply(v));
    return out;
  }
  return value; // a ReplyError: never stored (see storable), kept for completeness
}

/** Per-value overhead charged on top of the payload: object headers, slots, pointers. */
const VALUE_OVERHEAD = 32;

/**
 * An upper bound of the memory a reply holds, in bytes. A string is charged its UTF-8 length,
 * which is never less than what V8 stores (1 byte per Latin-1 character, 2 per UTF-16 unit),
 * plus a header; containers are charged per element.
 * @returns the size, or -1 when the reply must not be cached (it holds an error reply).
 */
export function sizeOf(value: Reply): number {
  switch (typeof value) {
    case 'string':
      return VALUE_OVERHEAD + (value.length < 64 && isAscii(value) ? value.length : Buffer.byteLength(value, 'utf8'));
    case 'number':
    case 'boolean':
      return 16;
    case 'bigint':
      return VALUE_OVERHEAD + 8 * Math.ceil(value.toString(16).length / 16);
    default:
      break;
  }
  if (value === null) return 8;
  if (value instanceof ReplyError) return -1;
  if (Buffer.isBuffer(value)) return 96 + value.length;
  let total = VALUE_OVERHEAD;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const size = sizeOf(value[i]!);
      if (size < 0) return -1;
      total += size + 8;
    }
    return total;
  }
  if (value instanceof Map) {
    for (const [k, v] of value) {
      const a = sizeOf(k);
      const b = sizeOf(v);
      if (a < 0 || b < 0) return -1;
      total += a + b + 32;
    }
    return total;
  }
  for (const v of value) {
    const size = sizeOf(v);
    if (size < 0) return -1;
    total += size + 24;
  }
  return total;
}

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}
