/**
 * Hand decisions about the typed methods (scripts/gen-methods.ts reads them; the generated
 * lib/commands/methods.ts and syntax-table.ts follow). Reply types are in ./replies.ts.
 */

/**
 * Commands with no typed method. Each keeps working through `command([...])` where it did.
 * - Already a method with another meaning: SCAN/HSCAN/SSCAN/ZSCAN are async iterators on the
 *   pool, SUBSCRIBE/PSUBSCRIBE take a listener, WATCH/UNWATCH are handle methods, and
 *   MULTI is the chainable transaction builder (`pool.multi().set(...).exec()`).
 * - Break the one-reply-per-command order (refused everywhere): the other SUBSCRIBE kin,
 *   MONITOR, SYNC, PSYNC, CLIENT REPLY.
 * - Change the connection's session, so a method on a shared pool would only ever fail:
 *   EXEC, DISCARD, SELECT, QUIT, RESET, HELLO, AUTH (a handle runs them with `command`).
 */
export const NO_METHOD: ReadonlySet<string> = new Set([
  'SCAN', 'HSCAN', 'SSCAN', 'ZSCAN',
  'SUBSCRIBE', 'PSUBSCRIBE', 'SSUBSCRIBE', 'UNSUBSCRIBE', 'PUNSUBSCRIBE', 'SUNSUBSCRIBE',
  'MONITOR', 'SYNC', 'PSYNC', 'CLIENT|REPLY',
  'MULTI', 'EXEC', 'DISCARD', 'WATCH', 'UNWATCH', 'SELECT', 'QUIT', 'RESET', 'HELLO', 'AUTH',
]);

/**
 * Methods that also accept, in their types, the ioredis spelling with tokens in Redis order
 * (`set(k, v, 'EX', 60, 'NX')`): the commands ioredis code most often spells that way. Every
 * method accepts it at run time; for these the compiler does too (the tail is then `Arg[]`,
 * checked by the server, not by the types).
 */
export const IOREDIS_POSITIONAL: ReadonlySet<string> = new Set([
  'set', 'getex', 'expire', 'pexpire', 'expireat', 'pexpireat', 'copy', 'restore', 'sort', 'sort_ro',
  'zadd', 'zrange', 'zrangebyscore', 'zrevrangebyscore', 'zrangebylex', 'zrevrangebylex', 'zrevrange',
  'zunionstore', 'zinterstore', 'zunion', 'zinter', 'zdiff', 'zrangestore',
  'xadd', 'xread', 'xreadgroup', 'xtrim', 'xclaim', 'xautoclaim', 'xpending', 'xgroupCreate',
  'geoadd', 'georadius', 'georadiusbymember', 'geosearch', 'geosearchstore',
  'lpos', 'bitcount', 'bitpos', 'bitfield', 'bitfield_ro', 'hrandfield', 'zrandmember', 'srandmember', 'spop', 'lpop', 'rpop',
  'evalsha', 'eval', 'eval_ro', 'evalsha_ro', 'fcall', 'fcall_ro', 'scriptFlush', 'scriptLoad',
  'clientSetname', 'clientKill', 'clientList', 'configGet', 'configSet', 'info', 'object', 'memoryUsage',
]);

/**
 * Replies whose shape depends on one option: the method gets an overload for it, typed from
 * `RepliesWith` in ./replies.ts (`set(k, v, { GET: true })` → `string | null`).
 */
export const REPLY_WITH: ReadonlyMap<string, string> = new Map([
  ['set', 'GET'],
  ['zrange', 'WITHSCORES'],
  ['zrangebyscore', 'WITHSCORES'],
  ['zrevrangebyscore', 'WITHSCORES'],
  ['zrevrange', 'WITHSCORES'],
  ['zunion', 'WITHSCORES'],
  ['zinter', 'WITHSCORES'],
  ['zdiff', 'WITHSCORES'],
  ['xclaim', 'JUSTID'],
]);

/**
 * Argument types COMMAND DOCS gets wrong, as `COMMAND argument` → type letter
 * (lib/typed/syntax.ts): ZINCRBY's increment is a float ("ZINCRBY z 1.5 m" works) though the
 * 7.0 docs say integer.
 */
export const ARG_TYPE_FIXES: ReadonlyMap<string, string> = new Map([
  ['ZINCRBY increment', 'd'],
]);
