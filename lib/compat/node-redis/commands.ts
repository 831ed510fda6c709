/**
 * The node-redis (v4/v5) methods that `nodeRedisCompat` offers: camelCase names, options
 * objects, and node-redis's reply shapes where they differ from the raw RESP2 reply (HGETALL as
 * an object, SCAN as `{ cursor, keys }`, ZSCORE as a number). One row per method: how its
 * arguments become a command, and how its reply is shaped. This is what connect-redis 9 and
 * @keyv/redis 5 call, plus the common commands around them; `sendCommand([...])` sends anything.
 */
import type { Arg, Reply } from '../../resp/types.js';
import { flattenArgs, pairsOf } from '../args.js';
import { pairsToObject } from '../ioredis/shape.js';

export interface MethodRow {
  build: (...args: any[]) => Arg[];
  reply?: (reply: Reply) => unknown;
}

type Keys = string | Buffer | readonly (string | Buffer)[];

/** `SET` options as node-redis takes them (the v5 form and the older flat one). */
export interface SetOptions {
  expiration?: { type: 'EX' | 'PX' | 'EXAT' | 'PXAT'; value: number } | 'KEEPTTL';
  condition?: 'NX' | 'XX';
  EX?: number;
  PX?: number;
  EXAT?: number;
  PXAT?: number;
  KEEPTTL?: boolean;
  NX?: boolean;
  XX?: boolean;
  GET?: boolean;
}

export interface ScanOptions {
  MATCH?: string;
  COUNT?: number;
  TYPE?: string;
}

export interface ScriptOptions {
  keys?: readonly (string | Buffer)[];
  arguments?: readonly (string | Buffer | number)[];
}

function cmd(name: string, ...args: unknown[]): Arg[] {
  return flattenArgs(name, args);
}

function setOptions(options: SetOptions | undefined): unknown[] {
  if (options === undefined || options === null) return [];
  if (typeof options !== 'object') throw new TypeError('set: the options are an object, e.g. { EX: 60 } or { expiration: { type: \'EX\', value: 60 } }');
  const out: unknown[] = [];
  const exp = options.expiration;
  if (exp === 'KEEPTTL') out.push('KEEPTTL');
  else if (exp !== undefined) out.push(exp.type, exp.value);
  for (const word of ['EX', 'PX', 'EXAT', 'PXAT'] as const) if (options[word] !== undefined) out.push(word, options[word]);
  if (options.KEEPTTL === true) out.push('KEEPTTL');
  if (options.condition !== undefined) out.push(options.condition);
  if (options.NX === true) out.push('NX');
  if (options.XX === true) out.push('XX');
  if (options.GET === true) out.push('GET');
  return out;
}

function scanOptions(options: ScanOptions | undefined): unknown[] {
  const out: unknown[] = [];
  if (options?.MATCH !== undefined) out.push('MATCH', options.MATCH);
  if (options?.COUNT !== undefined) out.push('COUNT', options.COUNT);
  if (options?.TYPE !== undefined) out.push('TYPE', options.TYPE);
  return out;
}

function script(name: string, body: string | Buffer, options: ScriptOptions | undefined): Arg[] {
  const keys = options?.keys ?? [];
  return cmd(name, body, keys.length, keys, options?.arguments ?? []);
}

/** `[k1, v1, k2, v2]` from an object, a Map, `[[k, v], ...]` or a flat array. */
function entries(name: string, value: unknown): unknown[] {
  if (Array.isArray(value)) return value.flat();
  if (typeof value === 'object' && value !== null) return pairsOf(name, value);
  throw new TypeError(`${name}: the entries are an object, a Map or an array of [key, value]`);
}

function hSetArgs(key: unknown, fieldOrValues: unknown, value?: unknown): Arg[] {
  if (typeof fieldOrValues === 'string' || Buffer.isBuffer(fieldOrValues) || typeof fieldOrValues === 'number') {
    return cmd('HSET', key, fieldOrValues, value);
  }
  return cmd('HSET', key, entries('hSet', fieldOrValues));
}

function toNumberOrNull(reply: Reply): unknown {
  return reply === null ? null : Number(reply);
}

const ROWS = {
  // strings
  get: { build: (key) => cmd('GET', key) },
  set: { build: (key, value, options?: SetOptions) => cmd('SET', key, value, setOptions(options)) },
  setEx: { build: (key, seconds, value) => cmd('SETEX', key, seconds, value) },
  pSetEx: { build: (key, ms, value) => cmd('PSETEX', key, ms, value) },
  setNX: { build: (key, value) => cmd('SETNX', key, value) },
  getDel: { build: (key) => cmd('GETDEL', key) },
  mGet: { build: (keys: Keys) => cmd('MGET', keys) },
  mSet: { build: (values) => cmd('MSET', entries('mSet', values)) },
  incr: { build: (key) => cmd('INCR', key) },
  incrBy: { build: (key, by) => cmd('INCRBY', key, by) },
  decr: { build: (key) => cmd('DECR', key) },
  decrBy: { build: (key, by) => cmd('DECRBY', key, by) },
  append: { build: (key, value) => cmd('APPEND', key, value) },
  strLen: { build: (key) => cmd('STRLEN', key) },
  // keys
  del: { build: (keys: Keys) => cmd('DEL', keys) },
  unlink: { build: (keys: Keys) => cmd('UNLINK', keys) },
  exists: { build: (keys: Keys) => cmd('EXISTS', keys) },
  expire: { build: (key, seconds, mode?: string) => cmd('EXPIRE', key, seconds, mode === undefined ? [] : [mode]) },
  pExpire: { build: (key, ms, mode?: string) => cmd('PEXPIRE', key, ms, mode === undefined ? [] : [mode]) },
  persist: { build: (key) => cmd('PERSIST', key) },
  ttl: { build: (key) => cmd('TTL', key) },
  pTTL: { build: (key) => cmd('PTTL', key) },
  type: { build: (key) => cmd('TYPE', key) },
  rename: { build: (key, to) => cmd('RENAME', key, to) },
  keys: { build: (pattern) => cmd('KEYS', pattern) },
  scan: {
    build: (cursor, options?: ScanOptions) => cmd('SCAN', cursor, scanOptions(options)),
    reply: (reply) => {
      const [cursor, keys] = reply as [string, string[]];
      return { cursor: String(cursor), keys };
    },
  },
  // hashes
  hGet: { build: (key, field) => cmd('HGET', key, field) },
  hSet: { build: hSetArgs },
  hGetAll: { build: (key) => cmd('HGETALL', key), reply: pairsToObject },
  hmGet: { build: (key, fields: Keys) => cmd('HMGET', key, fields) },
  hDel: { build: (key, fields: Keys) => cmd('HDEL', key, fields) },
  hExists: { build: (key, field) => cmd('HEXISTS', key, field) },
  hIncrBy: { build: (key, field, by) => cmd('HINCRBY', key, field, by) },
  hKeys: { build: (key) => cmd('HKEYS', key) },
  hVals: { build: (key) => cmd('HVALS', key) },
  hLen: { build: (key) => cmd('HLEN', key) },
  // lists
  lPush: { build: (key, values: Keys) => cmd('LPUSH', key, values) },
  rPush: { build: (key, values: Keys) => cmd('RPUSH', key, values) },
  lPop: { build: (key) => cmd('LPOP', key) },
  rPop: { build: (key) => cmd('RPOP', key) },
  lRange: { build: (key, start, stop) => cmd('LRANGE', key, start, stop) },
  lLen: { build: (key) => cmd('LLEN', key) },
  lRem: { build: (key, count, value) => cmd('LREM', key, count, value) },
  lTrim: { build: (key, start, stop) => cmd('LTRIM', key, start, stop) },
  // sets
  sAdd: { build: (key, members: Keys) => cmd('SADD', key, members) },
  sRem: { build: (key, members: Keys) => cmd('SREM', key, members) },
  sMembers: { build: (key) => cmd('SMEMBERS', key) },
  sIsMember: { build: (key, member) => cmd('SISMEMBER', key, member) },
  sCard: { build: (key) => cmd('SCARD', key) },
  // sorted sets
  zAdd: {
    build: (key, members: { score: number; value: string } | { score: number; value: string }[]) => {
      const list = Array.isArray(members) ? members : [members];
      return cmd('ZADD', key, list.map((m) => [m.score, m.value]).flat());
    },
  },
  zRem: { build: (key, members: Keys) => cmd('ZREM', key, members) },
  zRange: { build: (key, min, max) => cmd('ZRANGE', key, min, max) },
  zRangeByScore: { build: (key, min, max) => cmd('ZRANGEBYSCORE', key, min, max) },
  zRemRangeByScore: { build: (key, min, max) => cmd('ZREMRANGEBYSCORE', key, min, max) },
  zScore: { build: (key, member) => cmd('ZSCORE', key, member), reply: toNumberOrNull },
  zCard: { build: (key) => cmd('ZCARD', key) },
  // scripts
  eval: { build: (body, options?: ScriptOptions) => script('EVAL', body, options) },
  evalSha: { build: (sha, options?: ScriptOptions) => script('EVALSHA', sha, options) },
  scriptLoad: { build: (body) => cmd('SCRIPT', 'LOAD', body) },
  // server, pub/sub publish
  ping: { build: (message?: string) => cmd('PING', message === undefined ? [] : [message]) },
  flushDb: { build: (mode?: string) => cmd('FLUSHDB', mode === undefined ? [] : [mode]) },
  flushAll: { build: (mode?: string) => cmd('FLUSHALL', mode === undefined ? [] : [mode]) },
  dbSize: { build: () => cmd('DBSIZE') },
  info: { build: (section?: string) => cmd('INFO', section === undefined ? [] : [section]) },
  time: { build: () => cmd('TIME') },
  publish: { build: (channel, message) => cmd('PUBLISH', channel, message) },
} satisfies Record<string, MethodRow>;

/** The methods by name, for the classes that install them. */
export const METHODS: Readonly<Record<string, MethodRow>> = ROWS;

/** The method names (client and multi take one method each). */
export type NodeRedisMethodName = keyof typeof ROWS;

/** A method's parameters, as its row's `build` takes them. */
export type NodeRedisParams<K extends NodeRedisMethodName> = Parameters<(typeof ROWS)[K]['build']>;

/** A method's reply where its row shapes it into a known type (`scan`: `{ cursor, keys }`), else `unknown`. */
export type NodeRedisReply<K extends NodeRedisMethodName> = (typeof ROWS)[K] extends { reply: (reply: Reply) => infer R } ? R : unknown;
