/**
 * The types of the ioredis-shaped command methods (`client.get(k)`, `client.hset(k, obj)`,
 * `pipeline.zadd(...)`): one per top-level command of the generated table
 * (lib/commands/table.ts `TopCommandName`), each with a `...Buffer` twin. Arguments are what
 * ioredis code passes; replies are `unknown` (RESP2 as ioredis gives it: narrow it, or let the
 * library that takes the client read it), never `any`.
 *
 * Commands made with `defineCommand` exist at run time only; declare them as ioredis users do:
 * `declare module 'respool/compat' { interface IoredisCompat { myScript(key: string): Promise<number> } }`.
 */
import type { TopCommandName } from '../../commands/table.js';
import type { Callback } from '../args.js';

/**
 * One argument as ioredis code passes it: text, numbers, Buffers, arrays of them (spread one
 * level), an object or Map of fields (HSET, HMSET, MSET, MSETNX), `null`/`undefined` (sent as
 * `''`), a trailing Node-style callback.
 */
export type IoredisArg =
  | string | number | bigint | boolean | Buffer | null | undefined
  | readonly IoredisArg[] | { readonly [field: string]: unknown } | ReadonlyMap<unknown, unknown> | Callback;

/** Command names the client and batch classes define themselves, with their own meaning. */
type ClientOwn = 'quit' | 'multi';
type BatchOwn = 'exec' | 'multi';

type ClientName = Exclude<TopCommandName, ClientOwn>;
type BatchName = Exclude<TopCommandName, BatchOwn>;

/** The command methods of a compat client: each resolves to the command's RESP2 reply. */
export type IoredisMethods = {
  [K in ClientName | `${TopCommandName}Buffer`]: (...args: IoredisArg[]) => Promise<unknown>;
};

/** The command methods of a pipeline or multi: each queues its command and returns the batch. */
export type IoredisBatchMethods<Batch> = {
  [K in BatchName | `${TopCommandName}Buffer`]: (...args: IoredisArg[]) => Batch;
};
