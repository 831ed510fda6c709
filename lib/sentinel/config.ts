/**
 * The `sentinel` option: which sentinels to ask, for which primary, with which credentials.
 * Validated here (called from lib/options.ts, whose table has the `sentinel` row); pure data,
 * no sockets. The sentinels' password and TLS secrets are private fields, redacted from JSON,
 * inspect and every message, like the data nodes' own.
 */
import type { ConnectionOptions } from 'node:tls';
import { inspect, type InspectOptions } from 'node:util';

/** One sentinel: `{ host, port }` (port defaults to 26379), `'host:port'` or `'redis://host:port'`. */
export type SentinelNodeInput = { host?: string; port?: number } | string;

/** What users pass as `sentinel`. */
export interface SentinelOptions {
  /** Sentinels to ask; any one that answers is enough, the others are found through it. */
  nodes: readonly SentinelNodeInput[];
  /** The monitored primary's name (`sentinel monitor <name> ...`). */
  name: string;
  /** ACL user on the sentinels (not the data nodes'). Needs `password`. */
  username?: string;
  /** The sentinels' own password (`requirepass` in sentinel.conf), not the data nodes'. */
  password?: string;
  /** `true` or Node TLS options for the sentinels. */
  tls?: boolean | ConnectionOptions;
}

export interface SentinelNode {
  readonly host: string;
  readonly port: number;
}

/** Redis Sentinel's own default port. */
export const SENTINEL_PORT = 26379;
const KEYS = ['nodes', 'name', 'username', 'password', 'tls'] as const;
const REDACTED = '[redacted]';
const TLS_SECRETS = ['key', 'passphrase', 'pfx'] as const;

/** The validated `sentinel` option. Frozen; secrets are getters over private fields. */
export class SentinelConfig {
  readonly nodes: readonly SentinelNode[];
  readonly name: string;
  readonly username?: string;
  readonly #password: string | undefined;
  readonly #tls: ConnectionOptions | undefined;

  constructor(nodes: SentinelNode[], name: string, username?: string, password?: string, tls?: ConnectionOptions) {
    this.nodes = Object.freeze(nodes);
    this.name = name;
    if (username !== undefined) this.username = username;
    this.#password = password;
    this.#tls = tls;
    Object.freeze(this);
  }

  get password(): string | undefined {
    return this.#password;
  }

  get tls(): ConnectionOptions | undefined {
    return this.#tls;
  }

  toJSON(): Record<string, unknown> {
    const view: Record<string, unknown> = { nodes: this.nodes.map((n) => `${n.host}:${n.port}`), name: this.name };
    if (this.username !== undefined) view.username = this.username;
    if (this.#password !== undefined) view.password = REDACTED;
    if (this.#tls !== undefined) {
      const tls: Record<string, unknown> = { ...this.#tls };
      for (const key of TLS_SECRETS) if (tls[key] !== undefined) tls[key] = REDACTED;
      view.tls = tls;
    }
    return view;
  }

  [inspect.custom](_depth: number, options: InspectOptions, format: typeof inspect): string {
    return `SentinelConfig ${format(this.toJSON(), options)}`;
  }
}

/** Suggests the key a typo meant, among `names` (lib/options.ts's nearest-name rule). */
export type Suggest = (key: string, names: readonly string[]) => string | undefined;

/**
 * Checks a `sentinel` option value.
 * @throws TypeError / RangeError naming `sentinel.<key>`, never a password
 */
export function validateSentinel(value: unknown, suggest: Suggest): SentinelConfig {
  if (value instanceof SentinelConfig) return value;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError("option 'sentinel' must be an object: { nodes: [{ host, port }], name }");
  }
  const input = value as Record<string, unknown>;
  for (const key of Object.keys(input)) {
    if ((KEYS as readonly string[]).includes(key)) continue;
    const near = suggest(key, KEYS);
    throw new TypeError(`unknown option 'sentinel.${key}'${near ? `; did you mean 'sentinel.${near}'?` : ''}`);
  }
  const { nodes, name, username, password, tls } = input;
  if (!Array.isArray(nodes) || nodes.length === 0) {
    throw new TypeError("option 'sentinel.nodes' must be a non-empty array of { host, port } or 'host:port'");
  }
  if (typeof name !== 'string' || name === '') {
    throw new TypeError("option 'sentinel.name' must be the monitored primary's name (a non-empty string)");
  }
  const text = (key: string, v: unknown): string | undefined => {
    if (v === undefined || v === '') return undefined;
    if (typeof v !== 'string') throw new TypeError(`option 'sentinel.${key}' must be a string`);
    return v;
  };
  const user = text('username', username);
  const pass = text('password', password);
  if (user !== undefined && pass === undefined) {
    throw new TypeError("option 'sentinel.username' needs 'sentinel.password'");
  }
  let tlsOptions: ConnectionOptions | undefined;
  if (tls === true) tlsOptions = Object.freeze({});
  else if (typeof tls === 'object' && tls !== null && !Array.isArray(tls)) tlsOptions = Object.freeze({ ...tls });
  else if (tls !== undefined && tls !== false) {
    throw new TypeError("option 'sentinel.tls' must be a boolean or TLS options object");
  }
  return new SentinelConfig(nodes.map(parseNode), name, user, pass, tlsOptions);
}

function parseNode(node: unknown, index: number): SentinelNode {
  const where = `option 'sentinel.nodes[${index}]'`;
  if (typeof node === 'string') return parseNodeText(node, where);
  if (typeof node !== 'object' || node === null || Array.isArray(node)) {
    throw new TypeError(`${where} must be { host, port } or 'host:port'`);
  }
  const { host = '127.0.0.1', port = SENTINEL_PORT, ...rest } = node as Record<string, unknown>;
  const extra = Object.keys(rest)[0];
  if (extra !== undefined) throw new TypeError(`${where} has an unknown key '${extra}' (only host and port)`);
  if (typeof host !== 'string' || host === '') throw new TypeError(`${where}.host must be a non-empty string`);
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new RangeError(`${where}.port must be an integer from 1 to 65535 (got ${String(port)})`);
  }
  return Object.freeze({ host: host.replace(/^\[(.*)\]$/, '$1'), port });
}

/** `'host:port'`, `'[::1]:26379'` or `'redis://host:port'`; never echoed (it could hold a password). */
function parseNodeText(text: string, where: string): SentinelNode {
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z\d+.-]*:\/\//i.test(text) ? text : `redis://${text}`);
  } catch {
    throw new TypeError(`${where} is not a valid 'host:port' or redis:// URL`);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new TypeError(`${where}: a sentinel URL must be redis:// (use sentinel.tls for TLS)`);
  }
  if (url.username || url.password) {
    throw new TypeError(`${where} holds credentials: give the sentinels' ones as sentinel.username / sentinel.password`);
  }
  if (!url.hostname) throw new TypeError(`${where} has no host`);
  return Object.freeze({
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port ? Number(url.port) : SENTINEL_PORT,
  });
}

/** "host:port", brackets around IPv6 hosts. */
export function addressOf(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}
