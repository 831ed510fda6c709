/**
 * RESP3 replies reshaped as RESP2 gives them, for the compat clients on a `protocol: 3` pool or
 * cluster: the ioredis and node-redis shapes they imitate, and the libraries reading them, were
 * written against RESP2 (arrays, scores as text, no booleans).
 *
 * Most of it is by shape: a Map becomes a flat array `[k1, v1, k2, v2]` (HGETALL, CONFIG GET,
 * XINFO), a Set an array (SMEMBERS), a boolean what a Lua script's boolean is in RESP2 (true 1,
 * false nil). Doubles need the command: RESP3 sends a score as a double where RESP2 sends text,
 * and both decode a whole double and an integer to the same number, so the commands whose
 * replies hold doubles are listed here, each with where its doubles are. The text is the one
 * the server would have sent on RESP2, which depends on its version (./doubles.ts).
 */
import type { Arg, Reply } from '../resp/types.js';

/** Prints a double as RESP2 sends it: ./doubles.ts's text, or that text as a Buffer. */
type Printer = (x: number) => Reply;
type Reshape = (reply: Reply, command: readonly Arg[], double: Printer) => Reply;

/**
 * A RESP3 reply as the same command answers on RESP2; `double` prints a double as the server
 * does on RESP2 (./doubles.ts: its way depends on its version), as text or a Buffer.
 */
export function toResp2(reply: Reply, command: readonly Arg[], double: Printer): Reply {
  const name = String(command[0]).toLowerCase();
  const reshape = BY_COMMAND.get(name);
  return reshape !== undefined ? reshape(reply, command, double) : plain(reply);
}

/** True when the command's RESP3 reply may hold doubles that RESP2 sends as text. */
export function hasDoubles(command: readonly Arg[]): boolean {
  return DOUBLES.has(String(command[0]).toLowerCase());
}

/** Maps flat, Sets as arrays, booleans as Lua's RESP2 conversions; everything else as is. */
function plain(reply: Reply): Reply {
  if (reply === null || typeof reply !== 'object') {
    return typeof reply === 'boolean' ? (reply ? 1 : null) : reply;
  }
  if (Array.isArray(reply)) {
    let out: Reply[] | null = null;
    for (let i = 0; i < reply.length; i++) {
      const item = reply[i]!;
      const next = plain(item);
      if (next !== item) (out ??= reply.slice())[i] = next;
    }
    return out ?? reply;
  }
  if (reply instanceof Map) {
    const out: Reply[] = [];
    for (const [k, v] of reply) out.push(plain(k), plain(v));
    return out;
  }
  if (reply instanceof Set) return [...reply].map(plain);
  return reply;
}

/** A double as RESP2 prints it (text that is already text stays as it is). */
function text(value: Reply, double: Printer): Reply {
  return typeof value === 'number' ? double(value) : value;
}

/**
 * A coordinate as RESP2 prints it (the server's addReplyHumanLongDouble: `%.17Lf`, trailing
 * zeros and a bare point dropped). The server's coordinate is a double, widened to a long double
 * to be printed; RESP3 sends the same text, which parses back to that very double, so printing
 * it again with 17 decimals gives the server's text.
 */
function coordinate(value: Reply): Reply {
  if (typeof value !== 'number' || !Number.isFinite(value) || Math.abs(value) >= 1e21) return typeof value === 'number' ? String(value) : value;
  const fixed = value.toFixed(17);
  let end = fixed.length;
  while (fixed.charCodeAt(end - 1) === 0x30) end--; // '0'
  if (fixed.charCodeAt(end - 1) === 0x2e) end--; // '.'
  const out = fixed.slice(0, end);
  return out === '-0' ? '0' : out;
}

/** `[longitude, latitude]` as text (GEOPOS, WITHCOORD); null (a missing member) as is. */
function coordinates(pair: Reply): Reply {
  return Array.isArray(pair) ? pair.map(coordinate) : plain(pair);
}

/**
 * GEORADIUS / GEOSEARCH...: with WITHDIST / WITHHASH / WITHCOORD each match is
 * `[member, dist?, hash?, [longitude, latitude]?]`; the distance is text and the hash an integer
 * on both protocols, the coordinates doubles on RESP3 only. A STORE count is an integer.
 */
const geoMatches: Reshape = (r) => {
  if (!Array.isArray(r)) return plain(r);
  return r.map((match) => (Array.isArray(match) ? match.map((x) => (Array.isArray(x) ? coordinates(x) : plain(x))) : plain(match)));
};

/** `[[member, score], ...]` (RESP3) → `[member, 'score', ...]` (RESP2); flat replies keep their shape. */
function flatScored(reply: Reply, double: Printer): Reply {
  if (!Array.isArray(reply)) return plain(reply);
  const out: Reply[] = [];
  for (const item of reply) {
    if (Array.isArray(item)) out.push(plain(item[0]!), text(item[1]!, double));
    else out.push(text(item, double));
  }
  return out;
}

function has(command: readonly Arg[], token: string): boolean {
  for (let i = 1; i < command.length; i++) {
    const arg = command[i];
    if (typeof arg === 'string' && arg.toUpperCase() === token) return true;
  }
  return false;
}

const scalar: Reshape = (r, _c, d) => text(r, d);
const scored: Reshape = (r, c, d) => (has(c, 'WITHSCORES') ? flatScored(r, d) : plain(r));
/** ZPOPMIN/ZPOPMAX: pairs when a count was given, one flat pair otherwise. */
const popped: Reshape = (r, _c, d) => flatScored(r, d);
/** BZPOPMIN/BZPOPMAX: `[key, member, score]`. */
const keyMemberScore: Reshape = (r, _c, d) => (Array.isArray(r) ? [plain(r[0]!), plain(r[1]!), text(r[2]!, d)] : r);
/** ZMPOP/BZMPOP: `[key, [[member, score], ...]]`, the same nesting in RESP2 with text scores. */
const keyAndPairs: Reshape = (r, _c, d) => {
  if (!Array.isArray(r) || !Array.isArray(r[1])) return plain(r);
  return [plain(r[0]!), r[1].map((pair) => (Array.isArray(pair) ? [plain(pair[0]!), text(pair[1]!, d)] : pair))];
};
/** ZRANK/ZREVRANK WITHSCORE (Redis 7.2+): `[rank, score]`. */
const rankAndScore: Reshape = (r, _c, d) => (Array.isArray(r) && r.length === 2 ? [r[0]!, text(r[1]!, d)] : r);
/** XREAD/XREADGROUP: a Map of stream → entries in RESP3, `[[stream, entries], ...]` in RESP2. */
const streams: Reshape = (r) => {
  if (!(r instanceof Map)) return plain(r);
  const out: Reply[] = [];
  for (const [name, entries] of r) out.push([plain(name), plain(entries)]);
  return out;
};

/** The commands whose RESP3 replies hold scores as doubles (RESP2: text, printed per version). */
const SCORED: ReadonlyMap<string, Reshape> = new Map<string, Reshape>([
  ['zscore', scalar], ['zincrby', scalar],
  ['zadd', (r, c, d) => (has(c, 'INCR') ? text(r, d) : r)],
  ['zmscore', (r, _c, d) => (Array.isArray(r) ? r.map((x) => text(x, d)) : r)],
  ['zrange', scored], ['zrangebyscore', scored], ['zrevrange', scored], ['zrevrangebyscore', scored],
  ['zunion', scored], ['zinter', scored], ['zdiff', scored], ['zrandmember', scored],
  ['zpopmin', popped], ['zpopmax', popped], ['bzpopmin', keyMemberScore], ['bzpopmax', keyMemberScore],
  ['zmpop', keyAndPairs], ['bzmpop', keyAndPairs],
  ['zrank', rankAndScore], ['zrevrank', rankAndScore],
]);
const DOUBLES: ReadonlySet<string> = new Set(SCORED.keys());

const BY_COMMAND: ReadonlyMap<string, Reshape> = new Map<string, Reshape>([
  ...SCORED,
  // Text on both protocols (the server's %.4f, %.17Lf): kept as they come.
  ['geodist', scalar], ['incrbyfloat', scalar], ['hincrbyfloat', scalar],
  ['hrandfield', (r, c) => (has(c, 'WITHVALUES') && Array.isArray(r) ? r.flatMap((p) => (Array.isArray(p) ? p.map(plain) : [plain(p)])) : plain(r))],
  ['geopos', (r) => (Array.isArray(r) ? r.map(coordinates) : r)],
  ['georadius', geoMatches], ['georadius_ro', geoMatches], ['georadiusbymember', geoMatches],
  ['georadiusbymember_ro', geoMatches], ['geosearch', geoMatches],
  ['xread', streams], ['xreadgroup', streams],
]);
