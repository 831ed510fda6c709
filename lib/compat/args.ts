/**
 * Arguments as code written for ioredis passes them, turned into respool's `Arg`s.
 *
 * Libraries written for ioredis rely on its argument rules, not on a documented API: arrays are
 * spread one level (`client.evalsha(sha, [n, ...keys], cb)`, `client.rlflxIncr([key, ...])`),
 * `undefined` and `null` are sent as the empty string (bullmq passes optional script arguments
 * that way), and a trailing function is a Node-style callback (redlock 4). respool's own
 * `command([...])` refuses all three, so they are translated here, at the edge, never in the pool.
 */
import type { Arg } from '../resp/types.js';

/** A Node-style callback, as ioredis takes one after the arguments. */
export type Callback = (err: Error | null, result?: unknown) => void;

/**
 * The arguments after the command name: arrays spread one level, `undefined`/`null` as `''`,
 * booleans and bigints as their text, integers beyond 2^53 as exact decimal text (as ioredis).
 * Anything else (a plain object, a function in the middle) is a TypeError: sending
 * `[object Object]` would hide a bug.
 */
export function flattenArgs(name: string, raw: readonly unknown[], out: Arg[] = [name]): Arg[] {
  for (let i = 0; i < raw.length; i++) {
    const arg = raw[i];
    if (Array.isArray(arg)) {
      for (let j = 0; j < arg.length; j++) out.push(toArg(name, arg[j]));
    } else {
      out.push(toArg(name, arg));
    }
  }
  return out;
}

export function toArg(name: string, arg: unknown): Arg {
  switch (typeof arg) {
    case 'string':
      return arg;
    case 'number':
      // Beyond 2^53 String() prints an exponent (1e+21) that Redis refuses as an integer.
      return Number.isInteger(arg) && !Number.isSafeInteger(arg) ? BigInt(arg).toString() : String(arg);
    case 'undefined':
      return '';
    case 'boolean':
    case 'bigint':
      return String(arg);
    case 'object':
      if (arg === null) return '';
      if (Buffer.isBuffer(arg)) return arg;
      if (arg instanceof Uint8Array) return Buffer.from(arg.buffer, arg.byteOffset, arg.byteLength);
      break;
    default:
      break;
  }
  throw new TypeError(
    `${name}: an argument is a string, Buffer, number, boolean, bigint, null or undefined, not ${describe(arg)}`,
  );
}

function describe(arg: unknown): string {
  if (arg === null || typeof arg !== 'object') return typeof arg;
  return `an object (${Object.prototype.toString.call(arg)})`;
}

/** Splits a trailing callback off `args` (ioredis accepts one after any command's arguments). */
export function splitCallback(args: unknown[]): Callback | undefined {
  const last = args[args.length - 1];
  if (typeof last !== 'function') return undefined;
  args.pop();
  return last as Callback;
}

/**
 * Settles `callback` (if any) from `promise`, and returns `promise` either way, as ioredis does.
 * The callback's branch handles the rejection, so an ignored promise is not an unhandled one.
 * What the callback returns is ignored: redlock 4's returns a promise that may reject, and
 * adopting it would turn that into an unhandled rejection. What it throws is rethrown on its
 * own tick, as ioredis does, so it is not swallowed.
 */
export function withCallback<T>(promise: Promise<T>, callback: Callback | undefined): Promise<T> {
  if (callback !== undefined) {
    promise.then((result) => call(callback, null, result), (err: Error) => call(callback, err, undefined));
  }
  return promise;
}

function call(callback: Callback, err: Error | null, result: unknown): void {
  try {
    callback(err, result);
  } catch (thrown) {
    process.nextTick(() => {
      throw thrown;
    });
  }
}

/**
 * `{ a: 1, b: 2 }` or a Map as `a 1 b 2`: ioredis accepts an object for HSET, HMSET, MSET and
 * MSETNX (after the key for the hash commands).
 */
export function pairsOf(name: string, value: object): unknown[] {
  const out: unknown[] = [];
  if (value instanceof Map) {
    for (const [k, v] of value) out.push(k, v);
  } else {
    for (const key of Object.keys(value)) out.push(key, (value as Record<string, unknown>)[key]);
  }
  if (out.length === 0) throw new TypeError(`${name}: the object of fields is empty`);
  return out;
}
