/**
 * How ioredis turns a method call into a command and a reply into a value, where it departs from
 * sending the arguments as they are: objects for HSET/HMSET/MSET/MSETNX, and HGETALL as an
 * object (ioredis's only RESP2 reply transform that libraries depend on: bullmq reads jobs
 * with it).
 */
import type { Arg, Reply } from '../../resp/types.js';
import { flattenArgs, pairsOf } from '../args.js';

export type ReplyTransform = (reply: Reply) => unknown;

/** Commands taking `{ field: value }` (or a Map) after their key, and the ones taking it alone. */
const OBJECT_AFTER_KEY: ReadonlySet<string> = new Set(['hset', 'hmset']);
const OBJECT_ALONE: ReadonlySet<string> = new Set(['mset', 'msetnx']);

/** `[name, ...args]` as ioredis would send `client[name](...args)`. */
export function buildCommand(name: string, args: readonly unknown[]): Arg[] {
  if (args.length === 2 && OBJECT_AFTER_KEY.has(name) && isFieldObject(args[1])) {
    return flattenArgs(name, [args[0], pairsOf(name, args[1] as object)]);
  }
  if (args.length === 1 && OBJECT_ALONE.has(name) && isFieldObject(args[0])) {
    return flattenArgs(name, [pairsOf(name, args[0] as object)]);
  }
  return flattenArgs(name, args);
}

function isFieldObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}

export function transformReply(name: string): ReplyTransform | null {
  return name === 'hgetall' ? pairsToObject : null;
}

/** `[f1, v1, f2, v2]` as `{ f1: v1, f2: v2 }`; a field named `__proto__` stays a plain field. */
export function pairsToObject(reply: Reply): unknown {
  if (!Array.isArray(reply)) return reply;
  const out: Record<string, unknown> = {};
  for (let i = 0; i + 1 < reply.length; i += 2) {
    const key = String(reply[i]);
    if (key in out) {
      Object.defineProperty(out, key, { value: reply[i + 1], enumerable: true, writable: true, configurable: true });
    } else {
      out[key] = reply[i + 1];
    }
  }
  return out;
}
