/**
 * Where a command's keys are, whether it only reads, and how the server says a multi-key
 * command may be split: the cluster's only view of command metadata.
 *
 * TODO(table): switch to lib/commands/info.ts (firstKeyIndex, keyIndexes, isReadOnly,
 * commandInfo's request/response policies) once the command table is on main; until then a
 * small hand list of the common commands in COMMAND INFO's (first, last, step) form.
 */
import type { Command } from '../resp/types.js';

/** [first key index, last key index (negative: from the end), step, readonly] */
type Spec = readonly [number, number, number, boolean];

const R = true;
const W = false;
const SPECS: Record<string, Spec> = {
  GET: [1, 1, 1, R], SET: [1, 1, 1, W], GETEX: [1, 1, 1, W], GETDEL: [1, 1, 1, W], SETEX: [1, 1, 1, W],
  PSETEX: [1, 1, 1, W], SETNX: [1, 1, 1, W], GETSET: [1, 1, 1, W], APPEND: [1, 1, 1, W], STRLEN: [1, 1, 1, R],
  GETRANGE: [1, 1, 1, R], SETRANGE: [1, 1, 1, W], INCR: [1, 1, 1, W], DECR: [1, 1, 1, W], INCRBY: [1, 1, 1, W],
  DECRBY: [1, 1, 1, W], INCRBYFLOAT: [1, 1, 1, W], MGET: [1, -1, 1, R], MSET: [1, -1, 2, W], MSETNX: [1, -1, 2, W],
  DEL: [1, -1, 1, W], UNLINK: [1, -1, 1, W], EXISTS: [1, -1, 1, R], TOUCH: [1, -1, 1, R], TYPE: [1, 1, 1, R],
  EXPIRE: [1, 1, 1, W], PEXPIRE: [1, 1, 1, W], EXPIREAT: [1, 1, 1, W], TTL: [1, 1, 1, R], PTTL: [1, 1, 1, R],
  PERSIST: [1, 1, 1, W], RENAME: [1, 2, 1, W], RENAMENX: [1, 2, 1, W], COPY: [1, 2, 1, W], DUMP: [1, 1, 1, R],
  HGET: [1, 1, 1, R], HSET: [1, 1, 1, W], HMGET: [1, 1, 1, R], HMSET: [1, 1, 1, W], HGETALL: [1, 1, 1, R],
  HDEL: [1, 1, 1, W], HINCRBY: [1, 1, 1, W], HLEN: [1, 1, 1, R], HKEYS: [1, 1, 1, R], HVALS: [1, 1, 1, R],
  HEXISTS: [1, 1, 1, R], HSCAN: [1, 1, 1, R], HSETNX: [1, 1, 1, W],
  LPUSH: [1, 1, 1, W], RPUSH: [1, 1, 1, W], LPOP: [1, 1, 1, W], RPOP: [1, 1, 1, W], LRANGE: [1, 1, 1, R],
  LLEN: [1, 1, 1, R], LINDEX: [1, 1, 1, R], LREM: [1, 1, 1, W], LTRIM: [1, 1, 1, W], LMOVE: [1, 2, 1, W],
  RPOPLPUSH: [1, 2, 1, W], BLPOP: [1, -2, 1, W], BRPOP: [1, -2, 1, W], BLMOVE: [1, 2, 1, W],
  SADD: [1, 1, 1, W], SREM: [1, 1, 1, W], SMEMBERS: [1, 1, 1, R], SISMEMBER: [1, 1, 1, R], SCARD: [1, 1, 1, R],
  SSCAN: [1, 1, 1, R], SUNION: [1, -1, 1, R], SINTER: [1, -1, 1, R], SDIFF: [1, -1, 1, R],
  SUNIONSTORE: [1, -1, 1, W], SMOVE: [1, 2, 1, W],
  ZADD: [1, 1, 1, W], ZREM: [1, 1, 1, W], ZRANGE: [1, 1, 1, R], ZSCORE: [1, 1, 1, R], ZCARD: [1, 1, 1, R],
  ZINCRBY: [1, 1, 1, W], ZRANK: [1, 1, 1, R], ZSCAN: [1, 1, 1, R], ZRANGEBYSCORE: [1, 1, 1, R],
  PFADD: [1, 1, 1, W], PFCOUNT: [1, -1, 1, R], XADD: [1, 1, 1, W], XLEN: [1, 1, 1, R], XRANGE: [1, 1, 1, R],
  WATCH: [1, -1, 1, R], OBJECT: [2, 2, 1, R], PUBLISH: [0, 0, 0, R], SPUBLISH: [1, 1, 1, R],
};

/** Numkeys-style commands: the key count is at `at`, keys follow it. */
const NUMKEYS: Record<string, { at: number; readonly: boolean }> = {
  EVAL: { at: 2, readonly: false }, EVALSHA: { at: 2, readonly: false },
  EVAL_RO: { at: 2, readonly: true }, EVALSHA_RO: { at: 2, readonly: true },
  FCALL: { at: 2, readonly: false }, FCALL_RO: { at: 2, readonly: true },
};

/**
 * Commands the server marks `request_policy:multi_shard`: keys in several slots may be sent as
 * one command per slot. The response policy says how to merge: 'agg_sum' adds the counts,
 * 'all_succeeded' wants every part to succeed, none means "values in key order" (MGET).
 */
const MULTI_SHARD: Record<string, string | undefined> = {
  MGET: undefined, MSET: 'all_succeeded', DEL: 'agg_sum', UNLINK: 'agg_sum', EXISTS: 'agg_sum', TOUCH: 'agg_sum',
};

function name(command: Command): string {
  const first = command[0];
  const text = typeof first === 'string' ? first : String(first);
  return text.toUpperCase();
}

/** Index of the first key argument, or -1 for a keyless command. */
export function firstKeyIndex(command: Command): number {
  const n = name(command);
  const spec = SPECS[n];
  if (spec !== undefined) return spec[0] > 0 && spec[0] < command.length ? spec[0] : -1;
  const numkeys = NUMKEYS[n];
  if (numkeys !== undefined) return Number(command[numkeys.at]) > 0 ? numkeys.at + 1 : -1;
  return -1;
}

/** Index of every key argument. */
export function keyIndexes(command: Command): number[] {
  const n = name(command);
  const spec = SPECS[n];
  const out: number[] = [];
  if (spec !== undefined) {
    if (spec[0] <= 0) return out;
    const last = spec[1] < 0 ? command.length + spec[1] : spec[1];
    for (let i = spec[0]; i <= last && i < command.length; i += spec[2]) out.push(i);
    return out;
  }
  const numkeys = NUMKEYS[n];
  if (numkeys !== undefined) {
    const count = Number(command[numkeys.at]);
    for (let i = 0; i < count && numkeys.at + 1 + i < command.length; i++) out.push(numkeys.at + 1 + i);
  }
  return out;
}

/** True for commands that only read, which may go to replicas. */
export function isReadOnly(command: Command): boolean {
  const n = name(command);
  const spec = SPECS[n];
  if (spec !== undefined) return spec[3];
  return NUMKEYS[n]?.readonly ?? false;
}

/**
 * How a multi-key command whose keys span several slots may be split: null when it may not
 * (the cluster refuses it with CROSSSLOT), else the response policy for merging.
 */
export function splitPolicy(command: Command): { response: string | undefined } | null {
  const n = name(command);
  if (!(n in MULTI_SHARD)) return null;
  return { response: MULTI_SHARD[n] };
}

/** False when the command has at most one key (the common case: no key list is built). */
export function mayHaveManyKeys(command: Command): boolean {
  const n = name(command);
  const spec = SPECS[n];
  if (spec !== undefined) return spec[1] !== spec[0];
  return NUMKEYS[n] !== undefined;
}
