/**
 * Which commands the client-side cache may answer from memory: our own curated list, not
 * the server's (the command table says what is read-only; it cannot say what is safe to keep).
 *
 * A command is on the list only if its reply is a function of the contents of its keys and
 * its arguments, nothing else:
 * - read-only, with every key it reads among its arguments (so the server tracks them all and
 *   an invalidation for any of them reaches us);
 * - no randomness (SRANDMEMBER, HRANDFIELD, ZRANDMEMBER, RANDOMKEY are left out);
 * - no clock (TTL, PTTL, EXPIRETIME, OBJECT IDLETIME are left out: they change with no write);
 * - no server state beyond the key (DBSIZE, INFO, MEMORY USAGE, OBJECT FREQ are left out);
 * - no keys the server cannot see (SORT_RO ... BY/GET patterns read keys not in the command).
 *
 * Left out although deterministic: PFCOUNT (it may rewrite its key's cached cardinality),
 * SINTERCARD/ZINTER/ZUNION/ZDIFF (a numkeys argument; rare as hot reads), XREAD (its BLOCK
 * form is a blocking command), module commands.
 */

/** Where a command's keys are: the first argument, the first two, or every argument. */
export type KeyPositions = 'first' | 'two' | 'all';

// Sorted by data type; 'first' unless noted.
const LIST: Record<string, KeyPositions> = {
  // strings and bits
  GET: 'first', MGET: 'all', STRLEN: 'first', GETRANGE: 'first', SUBSTR: 'first',
  GETBIT: 'first', BITCOUNT: 'first', BITPOS: 'first', BITFIELD_RO: 'first', LCS: 'two',
  // keyspace
  EXISTS: 'all', TYPE: 'first',
  // hashes
  HGET: 'first', HMGET: 'first', HGETALL: 'first', HKEYS: 'first', HVALS: 'first', HLEN: 'first',
  HEXISTS: 'first', HSTRLEN: 'first',
  // lists
  LRANGE: 'first', LINDEX: 'first', LLEN: 'first', LPOS: 'first',
  // sets
  SMEMBERS: 'first', SISMEMBER: 'first', SMISMEMBER: 'first', SCARD: 'first',
  SINTER: 'all', SUNION: 'all', SDIFF: 'all',
  // sorted sets
  ZSCORE: 'first', ZMSCORE: 'first', ZRANK: 'first', ZREVRANK: 'first', ZCARD: 'first',
  ZCOUNT: 'first', ZLEXCOUNT: 'first', ZRANGE: 'first', ZREVRANGE: 'first',
  ZRANGEBYSCORE: 'first', ZREVRANGEBYSCORE: 'first', ZRANGEBYLEX: 'first', ZREVRANGEBYLEX: 'first',
  // geo
  GEOPOS: 'first', GEODIST: 'first', GEOHASH: 'first', GEOSEARCH: 'first',
  GEORADIUS_RO: 'first', GEORADIUSBYMEMBER_RO: 'first',
  // streams
  XRANGE: 'first', XREVRANGE: 'first', XLEN: 'first',
};

/** The cacheable commands and where their keys are, upper-case names. */
export const CACHEABLE: ReadonlyMap<string, KeyPositions> = new Map(Object.entries(LIST));

/** The key positions of a cacheable command, or undefined when it is not cacheable. */
export function cacheableKeys(name: unknown): KeyPositions | undefined {
  if (typeof name !== 'string') return undefined;
  const found = CACHEABLE.get(name);
  return found !== undefined ? found : CACHEABLE.get(name.toUpperCase());
}
