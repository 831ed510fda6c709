/**
 * The options schema. Every option is one row of {@link OPTION_TABLE}: its type, default, bounds
 * and doc. Validation, URL query parsing and the README's option table (lib/options-markdown.ts) are all driven by it, so
 * a new option is one new row, not an edit in three places.
 *
 * ```
 *  URL string ──parseRedisUrl──┐
 *                              ├─ merge (object wins) ─ validate each row ─ cross-checks ─ ResolvedOptions
 *  options object ─────────────┘
 * ```
 */
import type { ConnectionOptions } from 'node:tls';
import { inspect, type InspectOptions } from 'node:util';
import { SentinelConfig, validateSentinel, type SentinelOptions } from './sentinel/config.js';
import type { ClientCacheOptions } from './cache/config.js';
import { nearestName } from './nearest-name.js';

/** What users pass to the pool. Every field is optional; see {@link OPTION_TABLE} for defaults. */
export interface PoolOptions {
  host?: string;
  port?: number;
  /** Unix socket path; when set, `host` and `port` are ignored. */
  path?: string;
  /** `true` or Node TLS options; `rediss://` sets `true`. */
  tls?: boolean | ConnectionOptions;
  username?: string;
  password?: string;
  db?: number;
  name?: string;
  protocol?: 2 | 3;
  size?: number;
  minIdle?: number;
  connectTimeout?: number;
  acquireTimeout?: number;
  commandTimeout?: number;
  returnBuffers?: boolean;
  maxPending?: number;
  failFast?: boolean;
  reconnectInitialDelay?: number;
  reconnectMaxDelay?: number;
  reconnectFactor?: number;
  /** `null` = retry forever. */
  reconnectMaxAttempts?: number | null;
  /** TCP keep-alive initial delay in ms, 0 = off. */
  keepAlive?: number;
  /** ms between PINGs on idle connections, 0 = off. */
  healthCheckInterval?: number;
  noDelay?: boolean;
  /** Find the node through Redis Sentinel instead of `host`/`port`. */
  sentinel?: SentinelOptions;
  /** With `sentinel`: the primary, or a read pool over its replicas. */
  role?: 'primary' | 'replica';
  /** Client-side caching (needs `protocol: 3`): `true` for the defaults, or its limits. */
  clientCache?: boolean | ClientCacheOptions;
}

/**
 * Options after defaults and validation. Frozen. `password` and `tls` are getters on the
 * prototype, so they are left out of `JSON.stringify`, `util.inspect` and object spread:
 * read them by name (`opts.password`), never copy the object with `{ ...opts }`.
 */
export type ResolvedOptions = Readonly<
  Required<Omit<PoolOptions, 'path' | 'tls' | 'username' | 'password' | 'name' | 'sentinel' | 'clientCache'>>
> & {
  /** Its password and TLS secrets are getters too, redacted from inspect and JSON. */
  readonly sentinel?: SentinelConfig;
  readonly clientCache?: boolean | Readonly<ClientCacheOptions>;
  readonly path?: string;
  readonly tls?: ConnectionOptions;
  readonly username?: string;
  readonly password?: string;
  readonly name?: string;
  /**
   * "127.0.0.1:6379", "[::1]:6380", the socket path, or `'mymaster' (Sentinel primary)`: for
   * messages. Never contains credentials.
   */
  readonly address: string;
};

/** How a value of an option is checked, and parsed when it comes from a URL query. */
export type OptionType = 'string' | 'integer' | 'number' | 'boolean' | 'tls' | 'sentinel' | 'cache';

/** One row of the schema. */
export interface OptionSpec {
  readonly name: keyof PoolOptions;
  readonly type: OptionType;
  /** Absent: the option stays unset unless given. */
  readonly default?: string | number | boolean | null;
  readonly min?: number;
  readonly max?: number;
  /** The only values allowed (e.g. protocol 2 or 3). */
  readonly oneOf?: readonly number[];
  /** `null` is a meaningful value (e.g. reconnectMaxAttempts: retry forever). */
  readonly nullable?: boolean;
  /** Never echoed in messages, inspect or JSON. */
  readonly secret?: boolean;
  /** Extra rule for strings, with the words used when it is broken. */
  readonly pattern?: { readonly regex: RegExp; readonly hint: string };
  readonly doc: string;
}

type Primitive<T> = Extract<Exclude<T, undefined>, string | number | boolean | null>;
type SpecRows = { readonly [K in keyof PoolOptions]-?: Omit<OptionSpec, 'name' | 'default'> & {
  readonly default?: Primitive<PoolOptions[K]>;
} };

/** setTimeout fires at once (with a warning) past 2^31-1 ms, so no duration may exceed it. */
const MAX_MS = 2 ** 31 - 1;
const ms = (min = 0) => ({ type: 'integer', min, max: MAX_MS }) as const;

// Keyed by name so the compiler proves every PoolOptions key has exactly one row.
const ROWS: SpecRows = {
  host: { type: 'string', default: '127.0.0.1',
    doc: 'Server host name or IP. The IPv4 loopback, not `localhost`: Node 17+ may resolve `localhost` to `::1` first, where Redis often does not listen.' },
  port: { type: 'integer', default: 6379, min: 1, max: 65535, doc: 'Server TCP port; 6379 is Redis\'s own default.' },
  path: { type: 'string', doc: 'Unix socket path. When set, `host` and `port` are ignored.' },
  tls: { type: 'tls',
    doc: '`true` or Node `tls.connect` options to use TLS; `rediss://` sets `true`. `key`, `passphrase` and `pfx` are redacted from inspect and JSON output.' },
  username: { type: 'string', doc: 'ACL user (Redis 6+), authenticated with `password`. Without a password (or with an empty one) it authenticates with an empty password, which only users created with `nopass` accept; it never silently becomes the `default` user.' },
  password: { type: 'string', secret: true,
    doc: 'Sent with AUTH or HELLO. Never shown by inspect, JSON or error messages. An empty string counts as unset, so an empty environment variable does no harm.' },
  db: { type: 'integer', default: 0, min: 0, max: 2 ** 31 - 1, doc: 'Database selected after connecting. Redis Cluster has only database 0.' },
  name: { type: 'string', pattern: { regex: /^[!-~]+$/, hint: 'printable ASCII without spaces' },
    doc: 'Connection name (CLIENT SETNAME), shown by CLIENT LIST. Printable ASCII without spaces: the server refuses anything else.' },
  protocol: { type: 'integer', default: 2, oneOf: [2, 3],
    doc: 'RESP version. 2 works with every server; 3 (Redis 6+, via HELLO) adds maps, sets, doubles and push frames.' },
  size: { type: 'integer', default: 8, min: 1,
    doc: 'Most connections in the pool. Each one pipelines, so a few carry many concurrent commands; 8 leaves room for blocking commands without opening a socket per request.' },
  minIdle: { type: 'integer', default: 1, min: 0,
    doc: 'Connections kept open while idle, so the first command after a quiet spell skips the connect handshake. At most `size`.' },
  connectTimeout: { ...ms(), default: 10000,
    doc: 'ms allowed to connect and finish the handshake (AUTH, HELLO, SELECT); 0 = no limit. 10 s as in ioredis.' },
  acquireTimeout: { ...ms(), default: 10000,
    doc: 'ms a command may wait for a connection to be ready (connecting, reconnecting) or a `use()` handle for a connection of its own, before failing with TimeoutError; 0 = no limit.' },
  commandTimeout: { ...ms(), default: 0,
    doc: 'ms from the call to the reply (time spent queued included) before the caller gets TimeoutError; 0 = none, as in ioredis and node-redis, since blocking commands (BLPOP) may rightly wait longer. The late reply is read and dropped, so replies never shift onto the wrong caller.' },
  returnBuffers: { type: 'boolean', default: false,
    doc: 'Return bulk strings as Buffers instead of UTF-8 strings. Off because most web payloads are text.' },
  maxPending: { type: 'integer', default: 10000, min: 1,
    doc: 'Most commands waiting to be written on one connection, and most callers waiting for a connection or a lease, before new ones fail with QueueFullError. Bounds memory while Redis is slow, stopped or down.' },
  failFast: { type: 'boolean', default: false,
    doc: 'While reconnecting, fail new commands at once instead of queueing them (up to `maxPending`) until the connection is back. Off so that a brief reconnect is invisible to callers.' },
  reconnectInitialDelay: { ...ms(1), default: 50,
    doc: 'ms before the first reconnect attempt (ioredis\'s first step too). At least 1: a backoff that starts at 0 stays at 0 and would spin.' },
  reconnectMaxDelay: { ...ms(1), default: 2000,
    doc: 'Cap in ms on the backoff delay, jitter included (ioredis also caps at 2 s). Must be at least `reconnectInitialDelay`.' },
  reconnectFactor: { type: 'number', default: 2, min: 1, doc: 'Growth of the delay per attempt: 50, 100, 200, ... ms with the defaults.' },
  reconnectMaxAttempts: { type: 'integer', default: null, min: 0, nullable: true,
    doc: 'Reconnect attempts before giving up and failing waiting commands; `null` = forever, since a backend\'s Redis usually comes back; 0 = never reconnect.' },
  keepAlive: { ...ms(), default: 10000,
    doc: 'ms of silence before TCP keep-alive probes start; 0 = off. Finds peers lost behind NAT or load balancers that drop idle flows without a word.' },
  healthCheckInterval: { ...ms(), default: 15000,
    doc: 'ms between health checks: an idle connection gets a PING; one with commands in flight and nothing heard for two intervals is replaced, failing those commands with ConnectionError, unless a probe on a socket of its own (half an interval at most) finds the server holding it on purpose (CLIENT PAUSE, as during CLUSTER FAILOVER): then it waits on (published on `respool:held`). Connections busy with blocking commands are skipped. A connect attempt that commands wait on, its handshake unanswered for two intervals, is dropped too instead of waiting for connectTimeout (with failFast its commands then fail unsent). Catches what keep-alive cannot (a stopped server whose kernel still ACKs). 0 = off.' },
  noDelay: { type: 'boolean', default: true,
    doc: 'Disable Nagle\'s algorithm. Commands are already written in one batch per tick; Nagle would only add latency.' },
  sentinel: { type: 'sentinel',
    doc: '`{ nodes, name, username?, password?, tls? }`: find the primary (or replicas) of `name` through Redis Sentinel and follow its failovers; see [Sentinel](#sentinel). `nodes` are `{ host, port }` or `\'host:port\'` (port 26379 by default); the credentials and TLS are the sentinels\' own, the pool\'s `password`/`tls` are the data nodes\'. Excludes `host`, `port` and `path`.' },
  role: { type: 'string', default: 'primary', pattern: { regex: /^(primary|replica)$/, hint: "'primary' or 'replica'" },
    doc: 'With `sentinel`: `\'primary\'` (reads and writes), or `\'replica\'` for a read pool over the replicas Sentinel reports, each checked with ROLE.' },
  clientCache: { type: 'cache',
    doc: 'Client-side caching of reads sent with `pool.command`, invalidated by the server (CLIENT TRACKING). `true` or `{ maxEntries, maxBytes, ttl, mode, prefixes }`; needs `protocol: 3`. See [Client-side caching](#client-side-caching).' },
};

/** The schema, one row per option, in documentation order. */
export const OPTION_TABLE: readonly OptionSpec[] = Object.freeze(
  Object.entries(ROWS).map(([name, row]) => Object.freeze({ name: name as keyof PoolOptions, ...row })),
);
const BY_NAME = new Map(OPTION_TABLE.map((spec) => [spec.name as string, spec]));

// ─── Validation ────────────────────────────────────────────────────────────────────────────

/** A value for an error message; nothing from a secret option ever reaches here. */
function describe(value: unknown): string {
  if (typeof value === 'string') {
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
  }
  if (typeof value === 'bigint') return `${value}n`;
  if (value === null || typeof value !== 'object') return String(value);
  return Array.isArray(value) ? 'an array' : 'an object';
}

function fail(
  Kind: typeof TypeError | typeof RangeError,
  spec: OptionSpec,
  want: string,
  value: unknown,
  where = '',
): never {
  const got = spec.secret ? '' : ` (got ${describe(value)})`;
  throw new Kind(`option '${spec.name}'${where} must be ${want}${got}`);
}

/** The allowed values of a numeric option, in words: `from 1 to 65535`, `>= 0`, `2 or 3`. */
export function rangeText(spec: OptionSpec): string {
  if (spec.oneOf) return spec.oneOf.join(' or ');
  if (spec.max !== undefined) return `from ${spec.min ?? '-∞'} to ${spec.max}`;
  return spec.min !== undefined ? `>= ${spec.min}` : 'finite';
}

function checkNumber(spec: OptionSpec, value: unknown): number {
  const integer = spec.type === 'integer';
  const noun = integer ? 'an integer' : 'a number';
  if (typeof value !== 'number') fail(TypeError, spec, noun, value);
  const want = spec.oneOf ? rangeText(spec) : `${noun} ${rangeText(spec)}`;
  if (integer ? !Number.isSafeInteger(value) : !Number.isFinite(value)) fail(RangeError, spec, want, value);
  const outside = spec.oneOf
    ? !spec.oneOf.includes(value)
    : (spec.min !== undefined && value < spec.min) || (spec.max !== undefined && value > spec.max);
  if (outside) fail(RangeError, spec, want, value);
  return value;
}

/**
 * Checks one given (not undefined) value against its row and returns it normalized:
 * `tls: true` becomes `{}`, `tls: false` and empty optional strings become undefined.
 */
function validateOption(spec: OptionSpec, value: unknown): unknown {
  if (value === null && spec.nullable) return null;
  switch (spec.type) {
    case 'integer':
    case 'number':
      return checkNumber(spec, value);
    case 'boolean':
      return typeof value === 'boolean' ? value : fail(TypeError, spec, 'a boolean', value);
    case 'sentinel':
      return validateSentinel(value, nearestName);
    case 'tls':
      if (typeof value === 'boolean') return value ? Object.freeze({}) : undefined;
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        fail(TypeError, spec, 'a boolean or TLS options object', value);
      }
      return Object.freeze({ ...value });
    case 'cache':
      // The fields are checked by createPool (lib/cache/config.ts), with the protocol.
      if (typeof value === 'boolean') return value ? true : undefined;
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        fail(TypeError, spec, 'a boolean or an object', value);
      }
      return Object.freeze({ ...value });
    case 'string':
      if (typeof value !== 'string') fail(TypeError, spec, 'a string', value);
      // Options without a default are optional: '' (an empty env variable) means "not set".
      if (value === '') {
        return spec.default === undefined ? undefined : fail(RangeError, spec, 'a non-empty string', value);
      }
      if (spec.pattern && !spec.pattern.regex.test(value)) fail(RangeError, spec, spec.pattern.hint, value);
      return value;
  }
}

/** Rules that involve two options, checked once each has its final value. */
function checkCombinations(values: Record<string, unknown>): void {
  if ((values.minIdle as number) > (values.size as number)) {
    throw new RangeError(`option 'minIdle' (${values.minIdle}) must not exceed 'size' (${values.size})`);
  }
  const { reconnectInitialDelay: initial, reconnectMaxDelay: cap } = values as Record<string, number>;
  if (cap < initial) {
    throw new RangeError(
      `option 'reconnectMaxDelay' (${cap}) must be at least 'reconnectInitialDelay' (${initial})`,
    );
  }
  if (values.role === 'replica' && values.sentinel === undefined) {
    throw new TypeError("option 'role' needs 'sentinel': replicas are found through Sentinel");
  }
}

/** Sentinel finds the node: an address given as well would be ignored, so it is refused. */
function checkSentinelAlone(given: Record<string, unknown>): void {
  if (given.sentinel === undefined) return;
  const clash = ['host', 'port', 'path'].find((key) => given[key] !== undefined);
  if (clash !== undefined) {
    throw new TypeError(`option '${clash}' cannot be used with 'sentinel': Sentinel reports where the node is`);
  }
}

/** The option a mistyped key most likely meant: a name it begins (`pass`), or one a typo away. */
function nearestOption(key: string): string | undefined {
  return nearestName(key, OPTION_TABLE.map((spec) => spec.name));
}

function unknownOption(key: string, where: string): TypeError {
  const near = nearestOption(key);
  const hint = near ? `; did you mean '${near}'?` : '';
  return new TypeError(`unknown option '${key}'${where}${hint}`);
}

/** Checks that `input` is a plain options object with known keys; drops undefined values. */
function knownKeys(input: unknown, what: string): Record<string, unknown> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    const orUrl = what === 'options' ? ' or a Redis URL string' : '';
    throw new TypeError(`${what} must be an options object${orUrl}`);
  }
  const out: Record<string, unknown> = {};
  // Resolved options may be resolved again (with overrides): read each option by name, since
  // the secrets are getters that Object.entries would miss.
  if (input instanceof ResolvedPoolOptions) {
    for (const { name } of OPTION_TABLE) if (input[name] !== undefined) out[name] = input[name];
    return out;
  }
  for (const [key, value] of Object.entries(input)) {
    if (!BY_NAME.has(key)) throw unknownOption(key, '');
    if (value !== undefined) out[key] = value;
  }
  return out;
}

// ─── URLs ──────────────────────────────────────────────────────────────────────────────────

// Error messages about a URL never quote it: a password with an unescaped '@', '/' or '#'
// lands in the host, path or port, where no redaction could find it.
function badUrl(why: string): TypeError {
  return new TypeError(`invalid Redis URL: ${why} (the URL is not shown, as it may hold a password)`);
}

function decode(text: string, part: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw badUrl(`the ${part} is not valid percent-encoding`);
  }
}

/** Parses a query value by its row's type; the shared validator then checks bounds. */
function parseQueryValue(spec: OptionSpec, text: string): unknown {
  const where = ' in the Redis URL query';
  switch (spec.type) {
    case 'string':
      return text;
    case 'integer':
    case 'number':
      if (spec.nullable && text === 'null') return null;
      if (!/^[+-]?\d+(\.\d+)?$/.test(text)) {
        fail(TypeError, spec, `a number${spec.nullable ? ' or null' : ''}`, text, where);
      }
      return Number(text);
    case 'sentinel':
      throw new TypeError("option 'sentinel' cannot be set in the URL query: use a redis+sentinel:// URL");
    case 'boolean':
    case 'tls':
    case 'cache':
      if (text === 'true' || text === '1') return true;
      if (text === 'false' || text === '0') return false;
      return fail(TypeError, spec, 'true, false, 1 or 0', text, where);
  }
}

/** Sets an option found in the URL; each may be given only once (e.g. not in both path and query). */
function setOnce(into: Record<string, unknown>, name: string, value: unknown): void {
  if (name in into) throw new TypeError(`option '${name}' is given twice in the Redis URL`);
  into[name] = value;
}

function parseQuery(search: string, into: Record<string, unknown>): void {
  // Split by hand rather than URLSearchParams, which turns '+' into a space: a password in the
  // query must decode the same way as one in the userinfo.
  for (const pair of search.replace(/^\?/, '').split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const key = decode(eq === -1 ? pair : pair.slice(0, eq), 'query');
    const spec = BY_NAME.get(key);
    if (!spec) throw unknownOption(key, ' in the Redis URL query');
    setOnce(into, key, parseQueryValue(spec, decode(eq === -1 ? '' : pair.slice(eq + 1), 'query')));
  }
}

function parseTcpUrl(url: URL, out: Record<string, unknown>): void {
  if (url.protocol === 'rediss:') out.tls = true;
  if (url.username) out.username = decode(url.username, 'user name');
  if (url.password) out.password = decode(url.password, 'password');
  if (url.hostname) out.host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  else if (url.username || url.password) {
    throw badUrl('credentials but no host (percent-encode special characters in the password)');
  }
  if (url.port) out.port = Number(url.port);
  const db = url.pathname.replace(/^\//, '');
  if (db !== '') {
    if (!/^\d+$/.test(db)) throw badUrl('the path must be a database number, as in redis://host:6379/2');
    out.db = Number(db);
  }
}

function parseRedisUrl(text: string): Record<string, unknown> {
  if (/^rediss?\+sentinel:/i.test(text)) return parseSentinelUrl(text);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    // Not chained as `cause`: Node's URL error carries the whole input, password included.
    throw badUrl('it cannot be parsed');
  }
  const out: Record<string, unknown> = {};
  if (url.protocol === 'redis:' || url.protocol === 'rediss:') {
    parseTcpUrl(url, out);
  } else if (url.protocol === 'redis+unix:' || url.protocol === 'unix:') {
    if (url.hostname || !url.pathname.startsWith('/')) {
      throw badUrl('a socket URL needs an absolute path, as in unix:///run/redis.sock');
    }
    out.path = decode(url.pathname, 'socket path');
  } else {
    throw badUrl('the scheme must be redis://, rediss://, redis+unix://, unix:// or redis+sentinel://');
  }
  if (url.hash) throw badUrl('a fragment (#) is not allowed; percent-encode "#" in a password as %23');
  parseQuery(url.search, out);
  return out;
}

/** Query keys of a sentinel URL that set the sentinels' own credentials (not pool options). */
const SENTINEL_QUERY = { sentinelUsername: 'username', sentinelPassword: 'password' } as const;

/**
 * `redis+sentinel://[user:pass@]host[:port][,host2[:port2]...]/name[/db][?option=value...]`:
 * the form of the Python Redis-Sentinel-Url package, also read by RedisVL and Prefect.
 * Userinfo is the data nodes' credentials; `sentinelUsername`/`sentinelPassword` in the query
 * are the sentinels'. `rediss+sentinel://` uses TLS for both.
 */
function parseSentinelUrl(text: string): Record<string, unknown> {
  // WHATWG URL cannot parse a host list: take it out by hand, parse the rest with a stand-in.
  const parts = /^([a-z+]+:\/\/)((?:[^@/?#]*@)?)([^/?#]*)(.*)$/is.exec(text);
  const nodes = (parts?.[3] ?? '').split(',').filter((part) => part !== '');
  if (parts === null || nodes.length === 0) throw badUrl('a redis+sentinel:// URL needs at least one sentinel host');
  let url: URL;
  try {
    url = new URL(`${parts[1]}${parts[2]}sentinels${parts[4]}`);
  } catch {
    throw badUrl('it cannot be parsed');
  }
  const out: Record<string, unknown> = {};
  const tls = url.protocol.toLowerCase() === 'rediss+sentinel:';
  if (tls) out.tls = true;
  if (url.username) out.username = decode(url.username, 'user name');
  if (url.password) out.password = decode(url.password, 'password');
  const [name, db, ...rest] = url.pathname.replace(/^\//, '').split('/');
  if (!name || rest.length > 0) throw badUrl('the path must be /<primary name>[/<db>], as in redis+sentinel://h1,h2/mymaster/0');
  if (db !== undefined && db !== '') {
    if (!/^\d+$/.test(db)) throw badUrl('the database after the primary name must be a number');
    out.db = Number(db);
  }
  const sentinel: Record<string, unknown> = { nodes, name: decode(name, 'primary name') };
  if (tls) sentinel.tls = true;
  const query: string[] = [];
  for (const pair of url.search.replace(/^\?/, '').split('&')) {
    const key = pair.slice(0, pair.indexOf('=') === -1 ? pair.length : pair.indexOf('='));
    if (key in SENTINEL_QUERY) {
      sentinel[SENTINEL_QUERY[key as keyof typeof SENTINEL_QUERY]] = decode(pair.slice(key.length + 1), 'query');
    } else query.push(pair);
  }
  if (url.hash) throw badUrl('a fragment (#) is not allowed; percent-encode "#" in a password as %23');
  parseQuery(query.join('&'), out);
  out.sentinel = sentinel;
  return out;
}

/**
 * Returns `url` with its password (in the userinfo or a `password=` query parameter) and any
 * fragment replaced by `***`, for logs. A string that does not parse as a URL keeps only its scheme, since its
 * password could be anywhere.
 */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    const scheme = /^[a-z][a-z\d+.-]*:(\/\/)?/i.exec(url)?.[0] ?? '';
    return `${scheme}***`;
  }
  if (parsed.password) parsed.password = '***';
  parsed.search = parsed.search.replace(/([?&](?:sentinelP|p)assword=)[^&]*/g, '$1***');
  // Redis URLs have no use for a fragment; one is most likely a password with an unescaped '#'.
  if (parsed.hash) parsed.hash = '***';
  return parsed.href;
}

// ─── The resolved object ───────────────────────────────────────────────────────────────────

const REDACTED = '[redacted]';
const TLS_SECRETS = ['key', 'passphrase', 'pfx'] as const;

function addressOf(values: Record<string, unknown>): string {
  if (values.sentinel instanceof SentinelConfig) return `'${values.sentinel.name}' (Sentinel ${values.role})`;
  if (typeof values.path === 'string') return values.path;
  const host = values.host as string;
  return `${host.includes(':') ? `[${host}]` : host}:${values.port}`;
}

// The interface merges the plain fields into the class; the class adds the two secret getters.
interface ResolvedPoolOptions extends Omit<ResolvedOptions, 'password' | 'tls'> {}
class ResolvedPoolOptions {
  #password: string | undefined;
  #tls: ConnectionOptions | undefined;

  constructor(values: Record<string, unknown>) {
    const { password, tls, ...plain } = values;
    this.#password = password as string | undefined;
    this.#tls = tls as ConnectionOptions | undefined;
    for (const [key, value] of Object.entries(plain)) {
      if (value !== undefined) Object.assign(this, { [key]: value });
    }
    Object.assign(this, { address: addressOf(values) });
    Object.freeze(this);
  }

  get password(): string | undefined {
    return this.#password;
  }

  get tls(): ConnectionOptions | undefined {
    return this.#tls;
  }

  /** Every option in table order, secrets replaced by '[redacted]'. Used by JSON and inspect. */
  toJSON(): Record<string, unknown> {
    const view: Record<string, unknown> = {};
    for (const { name } of OPTION_TABLE) {
      const value = (this as unknown as Record<string, unknown>)[name];
      if (value !== undefined) view[name] = value;
    }
    if (this.#password !== undefined) view.password = REDACTED;
    if (this.#tls !== undefined) {
      const tls: Record<string, unknown> = { ...this.#tls };
      for (const key of TLS_SECRETS) if (tls[key] !== undefined) tls[key] = REDACTED;
      view.tls = tls;
    }
    view.address = this.address;
    return view;
  }

  [inspect.custom](_depth: number, options: InspectOptions, format: typeof inspect): string {
    return `ResolvedOptions ${format(this.toJSON(), options)}`;
  }

  toString(): string {
    return `ResolvedOptions(${this.address})`;
  }
}

/**
 * Parses and validates pool options: a Redis URL, an options object, or both (the object wins
 * over the URL, key by key; `undefined` values count as absent).
 *
 * URL forms: `redis://[user[:password]@]host[:port][/db][?option=value&...]`, `rediss://...`
 * (TLS), `redis+unix:///path/to/redis.sock?db=2` and `unix:///path/to/redis.sock`. Query
 * parameters may set any option of {@link OPTION_TABLE}; booleans are `true/false/1/0`.
 *
 * @throws TypeError for an unknown option, a wrong type or a malformed URL; RangeError for a
 *   value out of bounds. Messages name the option, never a password or the URL.
 */
export function resolveOptions(input?: string | PoolOptions, overrides?: PoolOptions): ResolvedOptions {
  const base = typeof input === 'string' ? parseRedisUrl(input) : knownKeys(input ?? {}, 'options');
  const merged = { ...base, ...knownKeys(overrides ?? {}, 'overrides') };
  // Resolved options carry the default host and port: only what a user wrote is checked.
  if (!(input instanceof ResolvedPoolOptions)) checkSentinelAlone(merged);
  const values: Record<string, unknown> = {};
  for (const spec of OPTION_TABLE) {
    const given = merged[spec.name];
    values[spec.name] = given === undefined ? spec.default : validateOption(spec, given);
  }
  if (typeof values.host === 'string') values.host = values.host.replace(/^\[(.*)\]$/, '$1');
  checkCombinations(values);
  return new ResolvedPoolOptions(values);
}
