/**
 * Reply types of the typed methods, curated by hand (the server does not publish them), one
 * entry per command. A command not listed here replies `Reply` until someone curates it.
 *
 * Replies are the same under RESP2 and RESP3: where the two protocols differ, the method
 * normalises (lib/typed/normalize.ts) to the shape written here:
 * - maps (HGETALL, CONFIG GET, PUBSUB NUMSUB) → plain objects `Record<string, V>` (RESP2 sends a
 *   flat array, RESP3 a Map): field names are always strings, even with `returnBuffers`;
 * - sets (SMEMBERS, SUNION...) → arrays (RESP3 sends a Set);
 * - scores and floats (ZSCORE, ZINCRBY, INCRBYFLOAT, GEODIST...) → numbers (RESP2 sends text);
 * - members with scores (ZRANGE ... WITHSCORES, ZPOPMIN) → `[member, score][]`;
 * - streams (XRANGE, XREAD, XCLAIM, XAUTOCLAIM) → {@link StreamEntry} objects.
 *
 * With `returnBuffers: true` the strings of these types are Buffers (`Buf<T>`, lib/typed/types.ts),
 * except where {@link BufReplies} says otherwise.
 */
import type { Reply } from '../resp/types.js';
import type { Buf } from '../typed/types.js';

/** One stream entry: its ID and its fields (null for an entry deleted since it was read by a group). */
export interface StreamEntry {
  id: string;
  fields: Record<string, string> | null;
}

/** XREAD / XREADGROUP: the entries of each stream that had some, in the order asked. */
export type StreamRead = { name: string; entries: StreamEntry[] }[] | null;

type Nullable = string | null;
type Int = number;
type Ok = 'OK';
type Scored = [member: string, score: number][];
type Info = Record<string, Reply>;

/** Reply type per method, normalised across RESP2 and RESP3. */
export interface Replies {
  // ── string ──
  append: Int; decr: Int; decrby: Int; get: Nullable; getdel: Nullable; getex: Nullable;
  getrange: string; getset: Nullable; incr: Int; incrby: Int; incrbyfloat: number;
  lcs: string | Int | Reply[]; mget: Nullable[]; mset: Ok; msetnx: Int; psetex: Ok;
  set: Ok | null; setex: Ok; setnx: Int; setrange: Int; strlen: Int; substr: string;
  // ── hash ──
  hdel: Int; hexists: Int; hget: Nullable; hgetall: Record<string, string>; hincrby: Int;
  hincrbyfloat: number; hkeys: string[]; hlen: Int; hmget: Nullable[]; hmset: Ok;
  hrandfield: string | null | string[] | [field: string, value: string][];
  hset: Int; hsetnx: Int; hstrlen: Int; hvals: string[];
  // ── list ──
  blmove: Nullable; blmpop: [key: string, elements: string[]] | null;
  blpop: [key: string, element: string] | null; brpop: [key: string, element: string] | null;
  brpoplpush: Nullable; lindex: Nullable; linsert: Int; llen: Int; lmove: Nullable;
  lmpop: [key: string, elements: string[]] | null; lpop: string | string[] | null;
  lpos: Int | Int[] | null; lpush: Int; lpushx: Int; lrange: string[]; lrem: Int; lset: Ok;
  ltrim: Ok; rpop: string | string[] | null; rpoplpush: Nullable; rpush: Int; rpushx: Int;
  // ── set ──
  sadd: Int; scard: Int; sdiff: string[]; sdiffstore: Int; sinter: string[]; sintercard: Int;
  sinterstore: Int; sismember: Int; smembers: string[]; smismember: Int[]; smove: Int;
  spop: string | string[] | null; srandmember: string | string[] | null; srem: Int;
  sunion: string[]; sunionstore: Int;
  // ── sorted set ──
  bzmpop: [key: string, members: Scored] | null;
  bzpopmax: [key: string, member: string, score: number] | null;
  bzpopmin: [key: string, member: string, score: number] | null;
  zadd: number | null; zcard: Int; zcount: Int; zdiff: string[]; zdiffstore: Int;
  zincrby: number; zinter: string[]; zintercard: Int; zinterstore: Int; zlexcount: Int;
  zmpop: [key: string, members: Scored] | null; zmscore: (number | null)[];
  zpopmax: Scored; zpopmin: Scored; zrandmember: string | null | string[] | Scored;
  zrange: string[]; zrangebylex: string[]; zrangebyscore: string[]; zrangestore: Int;
  zrank: Int | null; zrem: Int; zremrangebylex: Int; zremrangebyrank: Int; zremrangebyscore: Int;
  zrevrange: string[]; zrevrangebylex: string[]; zrevrangebyscore: string[]; zrevrank: Int | null;
  zscore: number | null; zunion: string[]; zunionstore: Int;
  // ── generic (keys and expiry) ──
  copy: Int; del: Int; dump: Nullable; exists: Int; expire: Int; expireat: Int; expiretime: Int;
  keys: string[]; migrate: 'OK' | 'NOKEY'; move: Int; objectEncoding: Nullable; objectFreq: Int;
  objectHelp: string[]; objectIdletime: Int; objectRefcount: Int; persist: Int; pexpire: Int;
  pexpireat: Int; pexpiretime: Int; pttl: Int; randomkey: Nullable; rename: Ok; renamenx: Int;
  restore: Ok; sort: Nullable[] | Int; sort_ro: Nullable[]; touch: Int; ttl: Int; type: string;
  unlink: Int; wait: Int;
  // ── stream ──
  xack: Int; xadd: Nullable; xautoclaim: [next: string, entries: StreamEntry[], deleted: string[]];
  xclaim: StreamEntry[]; xdel: Int; xgroupCreate: Ok; xgroupCreateconsumer: Int;
  xgroupDelconsumer: Int; xgroupDestroy: Int; xgroupHelp: string[]; xgroupSetid: Ok;
  xinfoConsumers: Info[]; xinfoGroups: Info[]; xinfoHelp: string[];
  xinfoStream: Info & { length: Int; groups?: Int; 'last-generated-id': string };
  xlen: Int;
  xpending: [count: Int, smallest: Nullable, greatest: Nullable, consumers: [name: string, count: string][] | null]
    | [id: string, consumer: string, idle: Int, deliveries: Int][];
  xrange: StreamEntry[]; xread: StreamRead; xreadgroup: StreamRead; xrevrange: StreamEntry[];
  xsetid: Ok; xtrim: Int;
  // ── scripting ──
  eval: Reply; evalsha: Reply; eval_ro: Reply; evalsha_ro: Reply; fcall: Reply; fcall_ro: Reply;
  functionDelete: Ok; functionDump: string; functionFlush: Ok; functionHelp: string[];
  functionKill: Ok; functionList: Reply[]; functionLoad: string; functionRestore: Ok;
  functionStats: Reply; scriptDebug: Ok; scriptExists: Int[]; scriptFlush: Ok;
  scriptHelp: string[]; scriptKill: Ok; scriptLoad: string;
  // ── pub/sub (publishing and introspection) ──
  publish: Int; spublish: Int; pubsubChannels: string[]; pubsubShardchannels: string[];
  pubsubHelp: string[]; pubsubNumpat: Int; pubsubNumsub: Record<string, number>;
  pubsubShardnumsub: Record<string, number>;
  // ── server information ──
  info: string; dbsize: Int; time: [seconds: string, microseconds: string]; lastsave: Int;
  configGet: Record<string, string>; configSet: Ok; configResetstat: Ok;
  flushall: Ok; flushdb: Ok; ping: string; echo: string; role: Reply[]; commandCount: Int;
  clientId: Int; clientGetname: Nullable; clientSetname: Ok; clientInfo: string; clientList: string;
  memoryUsage: Int | null; slowlogLen: Int; lolwut: string;
  // ── geo ──
  geoadd: Int; geodist: number | null; geohash: Nullable[]; geopos: ([longitude: number, latitude: number] | null)[];
  georadius: (string | Reply[])[] | Int; georadius_ro: (string | Reply[])[];
  georadiusbymember: (string | Reply[])[] | Int; georadiusbymember_ro: (string | Reply[])[];
  geosearch: (string | Reply[])[]; geosearchstore: Int;
  // ── bitmap, hyperloglog ──
  bitcount: Int; bitop: Int; bitpos: Int; getbit: Int; setbit: Int; bitfield: (Int | null)[];
  bitfield_ro: Int[]; pfadd: Int; pfcount: Int; pfmerge: Ok;
}

/** A stream entry with `returnBuffers`: the ID stays text (the normaliser reads it), field values are Buffers. */
export interface BufStreamEntry {
  id: string;
  fields: Record<string, Buffer> | null;
}

/** XREAD / XREADGROUP with `returnBuffers`: stream names and IDs text, field values Buffers. */
export type BufStreamRead = { name: string; entries: BufStreamEntry[] }[] | null;

/**
 * Replies with `returnBuffers: true` where `Buf<T>` (each string a Buffer) is not what comes:
 * simple strings are always text (TYPE, PING without a message, the HELP lines), and stream
 * IDs and names are text, read so by the normaliser. Tested with the rest in
 * test/typed/pool-buffers.test.ts.
 */
export interface BufReplies {
  type: string; ping: string | Buffer;
  objectHelp: string[]; xgroupHelp: string[]; xinfoHelp: string[]; functionHelp: string[];
  scriptHelp: string[]; pubsubHelp: string[];
  xrange: BufStreamEntry[]; xrevrange: BufStreamEntry[]; xclaim: BufStreamEntry[];
  xautoclaim: [next: Buffer, entries: BufStreamEntry[], deleted: Buffer[]];
  xread: BufStreamRead; xreadgroup: BufStreamRead;
}

/** Replies that change with one option (see REPLY_WITH in ./method-choices.ts). */
export interface RepliesWith {
  set: Nullable; zrange: Scored; zrangebyscore: Scored; zrevrangebyscore: Scored; zrevrange: Scored;
  zunion: Scored; zinter: Scored; zdiff: Scored; xclaim: string[];
}

/**
 * A method's reply type: curated, or `Reply`. `B` says whether bulk strings come back as
 * Buffers: `true` for a call with `returnBuffers: true` or on a pool created with it, `boolean`
 * when that is not known at compile time (both types then).
 */
export type ReplyOf<K extends string, B extends boolean = false> =
  K extends keyof Replies ? (B extends true ? (K extends keyof BufReplies ? BufReplies[K] : Buf<Replies[K]>) : Replies[K]) : Reply;

/** The reply of a method called with the option its shape depends on (`set` with `GET`). */
export type WithOf<K extends keyof RepliesWith, B extends boolean = false> =
  B extends true ? Buf<RepliesWith[K]> : RepliesWith[K];

/** The same with `returnBuffers: true`. */
export type BufReplyOf<K extends string> = ReplyOf<K, true>;
