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

// Sorted by data type. Where their keys are comes from the command table (keyIndexes).
const LIST = [
  // strings and bits
  'GET', 'MGET', 'STRLEN', 'GETRANGE', 'SUBSTR', 'GETBIT', 'BITCOUNT', 'BITPOS', 'BITFIELD_RO', 'LCS',
  // keyspace
  'EXISTS', 'TYPE',
  // hashes
  'HGET', 'HMGET', 'HGETALL', 'HKEYS', 'HVALS', 'HLEN', 'HEXISTS', 'HSTRLEN',
  // lists
  'LRANGE', 'LINDEX', 'LLEN', 'LPOS',
  // sets
  'SMEMBERS', 'SISMEMBER', 'SMISMEMBER', 'SCARD', 'SINTER', 'SUNION', 'SDIFF',
  // sorted sets
  'ZSCORE', 'ZMSCORE', 'ZRANK', 'ZREVRANK', 'ZCARD', 'ZCOUNT', 'ZLEXCOUNT', 'ZRANGE', 'ZREVRANGE',
  'ZRANGEBYSCORE', 'ZREVRANGEBYSCORE', 'ZRANGEBYLEX', 'ZREVRANGEBYLEX',
  // geo
  'GEOPOS', 'GEODIST', 'GEOHASH', 'GEOSEARCH', 'GEORADIUS_RO', 'GEORADIUSBYMEMBER_RO',
  // streams
  'XRANGE', 'XREVRANGE', 'XLEN',
];

/** The cacheable commands, upper-case names. */
export const CACHEABLE: ReadonlySet<string> = new Set(LIST);

/** True when `name` (any case) is a cacheable command. */
export function isCacheable(name: unknown): boolean {
  if (typeof name !== 'string') return false;
  return CACHEABLE.has(name) || CACHEABLE.has(name.toUpperCase());
}
