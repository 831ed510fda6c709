/**
 * Where RESP2 and RESP3 replies differ in shape, the typed methods give one shape, the one
 * lib/commands/replies.ts declares. Each normaliser accepts both protocols' shapes (it looks at
 * the reply, not at the connection) and Buffers as well as strings (`returnBuffers`). Methods
 * not listed here return the decoder's reply untouched (GET, SET, INCR...: the same in both).
 */
import type { Arg, Reply } from '../resp/types.js';

/**
 * Turns a reply into its declared shape; `command` is the command sent (for WITHSCORES...).
 * A normaliser that reads `command` must declare it as a plain second parameter (so its
 * `length` is 2): the typed methods hand the command only to those, and give the others to
 * `.then` as they are (lib/typed/install.ts).
 */
export type Normalizer = (reply: Reply, command: readonly Arg[]) => unknown;

/** RESP2 flat `[k, v, k, v]` or RESP3 Map → object with string keys. */
export function record(reply: Reply, value: (v: Reply) => unknown = same): Record<string, unknown> | Reply {
  const out: Record<string, unknown> = {};
  if (reply instanceof Map) {
    for (const [k, v] of reply) out[text(k)] = value(v);
    return out;
  }
  if (!Array.isArray(reply)) return reply;
  for (let i = 0; i + 1 < reply.length; i += 2) out[text(reply[i]!)] = value(reply[i + 1]!);
  return out;
}

/** RESP3 Set → array (RESP2 already sends an array). */
function list(reply: Reply): Reply {
  return reply instanceof Set ? [...reply] : reply;
}

/** A float as RESP2 text or RESP3 double → number (null stays null). */
function num(reply: Reply): Reply {
  if (typeof reply === 'string') return Number(reply);
  if (Buffer.isBuffer(reply)) return Number(reply.toString('latin1'));
  return reply;
}

/** RESP2 flat `[m, s, m, s]` or RESP3 `[[m, s], ...]` → `[[m, s], ...]` with numeric scores. */
function scored(reply: Reply): Reply {
  if (!Array.isArray(reply)) return reply;
  const out: Reply[] = [];
  if (reply.length > 0 && Array.isArray(reply[0])) {
    for (const pair of reply as Reply[][]) out.push([pair[0]!, num(pair[1]!)]);
    return out;
  }
  // RESP3 ZPOPMIN without count: one flat pair.
  for (let i = 0; i + 1 < reply.length; i += 2) out.push([reply[i]!, num(reply[i + 1]!)]);
  return out;
}

function pairsOf(reply: Reply): Reply {
  if (!Array.isArray(reply) || reply.length === 0 || Array.isArray(reply[0])) return reply;
  const out: Reply[] = [];
  for (let i = 0; i + 1 < reply.length; i += 2) out.push([reply[i]!, reply[i + 1]!]);
  return out;
}

function has(command: readonly Arg[], word: string): boolean {
  for (let i = 1; i < command.length; i++) {
    const arg = command[i];
    if (typeof arg === 'string' && arg.length === word.length && arg.toUpperCase() === word) return true;
  }
  return false;
}

/** A stream entry `[id, [f, v, ...] | null]` → `{ id, fields }`. */
function entry(reply: Reply): unknown {
  if (!Array.isArray(reply)) return reply;
  const fields = reply[1];
  return { id: text(reply[0]!), fields: fields === null || fields === undefined ? null : record(fields) };
}

function entries(reply: Reply): unknown {
  return Array.isArray(reply) ? reply.map(entry) : reply;
}

/** XREAD: RESP2 `[[name, entries], ...]`, RESP3 Map name → entries → `[{ name, entries }]`. */
function streams(reply: Reply): unknown {
  if (reply === null) return null;
  const out: { name: string; entries: unknown }[] = [];
  if (reply instanceof Map) {
    for (const [name, list] of reply) out.push({ name: text(name), entries: entries(list) });
    return out;
  }
  if (!Array.isArray(reply)) return reply;
  for (const item of reply as Reply[][]) out.push({ name: text(item[0]!), entries: entries(item[1]!) });
  return out;
}

function withScores(reply: Reply, command: readonly Arg[]): unknown {
  return has(command, 'WITHSCORES') ? scored(reply) : reply;
}

function keyAndScored(reply: Reply): unknown {
  if (!Array.isArray(reply)) return reply;
  return [reply[0], scored(reply[1]!)];
}

function bzpop(reply: Reply): unknown {
  if (!Array.isArray(reply)) return reply;
  return [reply[0], reply[1], num(reply[2]!)];
}

function geopos(reply: Reply): unknown {
  if (!Array.isArray(reply)) return reply;
  return reply.map((p) => (Array.isArray(p) ? [num(p[0]!), num(p[1]!)] : p));
}

function text(value: Reply): string {
  return typeof value === 'string' ? value : Buffer.isBuffer(value) ? value.toString() : String(value);
}

function same(value: Reply): Reply {
  return value;
}

/** Normalisers by method name. */
export const NORMALIZE: ReadonlyMap<string, Normalizer> = new Map<string, Normalizer>([
  ['hgetall', (r) => record(r)],
  ['configGet', (r) => record(r)],
  ['pubsubNumsub', (r) => record(r, num)],
  ['pubsubShardnumsub', (r) => record(r, num)],
  ['xinfoStream', (r) => record(r)],
  ['xinfoGroups', (r) => (Array.isArray(r) ? r.map((g) => record(g)) : r)],
  ['xinfoConsumers', (r) => (Array.isArray(r) ? r.map((g) => record(g)) : r)],
  ['smembers', list], ['sunion', list], ['sinter', list], ['sdiff', list], ['spop', list],
  ['srandmember', list], ['keys', list], ['pubsubChannels', list], ['pubsubShardchannels', list],
  ['zscore', num], ['zincrby', num], ['incrbyfloat', num], ['hincrbyfloat', num], ['geodist', num],
  ['zadd', num],
  ['zmscore', (r) => (Array.isArray(r) ? r.map(num) : r)],
  ['zrange', withScores], ['zrangebyscore', withScores], ['zrevrangebyscore', withScores],
  ['zrevrange', withScores], ['zunion', withScores], ['zinter', withScores], ['zdiff', withScores],
  ['zrandmember', withScores],
  ['zpopmin', scored], ['zpopmax', scored],
  ['zmpop', keyAndScored], ['bzmpop', keyAndScored],
  ['bzpopmin', bzpop], ['bzpopmax', bzpop],
  ['hrandfield', (r, c) => (has(c, 'WITHVALUES') ? pairsOf(r) : r)],
  ['geopos', geopos],
  ['xrange', entries], ['xrevrange', entries],
  ['xclaim', (r, c) => (has(c, 'JUSTID') ? r : entries(r))],
  ['xautoclaim', (r, c) => (Array.isArray(r) && !has(c, 'JUSTID') ? [r[0], entries(r[1]!), r[2] ?? []] : r)],
  ['xread', streams], ['xreadgroup', streams],
]);
