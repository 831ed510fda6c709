/**
 * Small types the generated signatures (lib/commands/methods.ts) are written with. Kept
 * shallow on purpose: a project calling fifty methods should type-check in well under two
 * seconds (bench/types/ measures it).
 */
import type { Arg, Reply } from '../resp/types.js';

/** Per-call options, in the same object as a command's tokens (tokens are upper-case). */
export interface Call {
  /** Milliseconds until the command rejects with TimeoutError (0 = none). */
  timeout?: number;
  /** Rejects the command with AbortError when it fires. */
  signal?: AbortSignal;
  /** Bulk strings as Buffers: the reply type says so when this is `true`. */
  returnBuffers?: boolean;
}

/** Options with `returnBuffers: true` (createPool and createCluster read it for their type). */
export interface Bufs {
  returnBuffers: true;
}

/** Options with `returnBuffers: false`. */
export interface NoBufs {
  returnBuffers: false;
}

/**
 * A reply type with its strings as Buffers (what `returnBuffers: true` gives). String literal
 * types ('OK', 'NOKEY') stay: they are simple strings, which the decoder always gives as text.
 */
export type Buf<T> = [Reply] extends [T] ? T : BufEach<T>;

/** Buf, distributed over a union. `Reply` itself (already string | Buffer) stops the recursion. */
type BufEach<T> = T extends string ? (string extends T ? Buffer : T)
  : T extends Buffer | number | bigint | boolean | null | undefined | Error ? T
    : T extends object ? { [K in keyof T]: Buf<T[K]> } : T;

/** At most one of T's keys (SET's `EX | PX | EXAT | PXAT | KEEPTTL`). */
export type OneOf<T> = { [K in keyof T]: { [P in K]?: T[P] } & { [P in Exclude<keyof T, K>]?: undefined | false } }[keyof T];

/** Field/value (or key/value) pairs as an object: `hset(k, { a: 1, b: 2 })`. */
export type Pairs = Record<string, Arg>;
