/**
 * The cluster client's options: every pool option (applied to each node's pool), plus the few
 * that only make sense for a cluster, each one row of {@link CLUSTER_OPTION_TABLE} (type,
 * default, bounds, doc), validated in one place like the pool's.
 */
import { resolveOptions, type PoolOptions, type ResolvedOptions } from '../options.js';
import { formatAddress } from './slot-map.js';

export type ReadFrom = 'primary' | 'replica' | 'preferReplica';

/** A seed: a Redis URL (`redis://host:port`, `rediss://`) or `{ host, port }`. */
export type Seed = string | { host?: string; port: number };

export interface ClusterOptions extends Omit<PoolOptions, 'host' | 'port' | 'path' | 'db'> {
  /** Seeds: any reachable node is enough; the rest is discovered. */
  nodes: readonly Seed[];
  /**
   * Where keyed read-only commands go: 'primary' (default); 'replica' (replicas only: with none
   * up, a read waits until its deadline, then fails with code ENOREPLICA); 'preferReplica' (a
   * replica while one is up, else the primary).
   */
  readFrom?: ReadFrom;
  /** Maps an announced 'host:port' to one this process can reach (NAT, docker). */
  addressMap?: (address: string) => string;
  /** MOVED/ASK replies one command may follow before it fails (default 16). */
  maxRedirections?: number;
  /** ms between periodic topology refreshes, jittered by ±25% (default 30000; 0: off). */
  refreshInterval?: number;
  /** Least ms between two topology refreshes, however many replies ask for one (default 100). */
  minRefreshInterval?: number;
}

export interface ResolvedClusterOptions {
  /** 'host:port' of each seed. */
  readonly seeds: readonly string[];
  readonly readFrom: ReadFrom;
  readonly addressMap?: (address: string) => string;
  readonly maxRedirections: number;
  readonly refreshInterval: number;
  readonly minRefreshInterval: number;
  /** The user's failFast: the cluster's own (node pools always fail fast, see cluster.ts). */
  readonly failFast: boolean;
  /** Options every node's pool starts from (host and port are set per node). */
  readonly pool: ResolvedOptions;
}

interface Row {
  type: 'integer' | 'function' | 'readFrom';
  default?: unknown;
  min?: number;
  doc: string;
}

/** The cluster-only options (the pool's are in lib/options.ts). */
export const CLUSTER_OPTION_TABLE: Readonly<Record<string, Row>> = {
  readFrom: { type: 'readFrom', default: 'primary',
    doc: "'primary', 'replica' or 'preferReplica': where keyed read-only commands go. 'replica': replicas only; with none up a read waits for one until its deadline, then fails with ConnectionError code ENOREPLICA (failFast: at once). 'preferReplica': a replica while one is up, else the primary. Replica reads may lag the primary; connections to replicas send READONLY." },
  addressMap: { type: 'function',
    doc: "Maps an announced 'host:port' to a reachable one (NAT, docker port mapping). Applied to the topology and to MOVED/ASK targets." },
  maxRedirections: { type: 'integer', default: 16, min: 1,
    doc: 'MOVED/ASK replies one command may follow before it fails with code ETOOMANYREDIRECTS (16 as in ioredis and the cluster spec examples).' },
  refreshInterval: { type: 'integer', default: 30_000, min: 0,
    doc: 'ms between periodic topology refreshes (jittered ±25% so clients do not refresh in step); 0 = only on MOVED, errors and connection loss.' },
  minRefreshInterval: { type: 'integer', default: 100, min: 0,
    doc: 'Least ms between two refreshes: 200 callers getting MOVED at once cause one refresh, not 200.' },
};

function checkRow(name: string, row: Row, value: unknown): unknown {
  if (value === undefined) return row.default;
  if (row.type === 'function') {
    if (typeof value !== 'function') throw new TypeError(`option '${name}' must be a function`);
    return value;
  }
  if (row.type === 'readFrom') {
    if (value !== 'primary' && value !== 'replica' && value !== 'preferReplica') {
      throw new TypeError(`option 'readFrom' must be 'primary', 'replica' or 'preferReplica'`);
    }
    return value;
  }
  if (typeof value !== 'number' || !Number.isInteger(value)) throw new TypeError(`option '${name}' must be an integer`);
  if (row.min !== undefined && value < row.min) throw new RangeError(`option '${name}' must be >= ${row.min}`);
  return value;
}

function seedAddress(seed: Seed, index: number): string {
  if (typeof seed === 'string') return resolveOptions(seed).address;
  if (typeof seed === 'object' && seed !== null && typeof seed.port === 'number') {
    const { host, port } = resolveOptions({ host: seed.host, port: seed.port });
    return formatAddress(host, port);
  }
  throw new TypeError(`nodes[${index}] must be a Redis URL or { host, port }`);
}

/**
 * Validates cluster options. Pool options are checked by the pool's own schema (unknown names
 * are a TypeError there too); the first URL seed's credentials and TLS apply to every node.
 */
export function resolveClusterOptions(input: ClusterOptions): ResolvedClusterOptions {
  if (typeof input !== 'object' || input === null) throw new TypeError('createCluster needs an options object with nodes');
  const { nodes, ...rest } = input as ClusterOptions & Record<string, unknown>;
  if (!Array.isArray(nodes) || nodes.length === 0) {
    throw new TypeError("option 'nodes' must list at least one seed, e.g. ['redis://127.0.0.1:7000']");
  }
  const own: Record<string, unknown> = {};
  const poolInput: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(rest)) {
    if (key in CLUSTER_OPTION_TABLE) own[key] = value;
    else if (key === 'host' || key === 'port' || key === 'path') {
      throw new TypeError(`option '${key}' is not a cluster option: list the seeds in 'nodes'`);
    } else poolInput[key] = value;
  }
  const values: Record<string, unknown> = {};
  for (const [name, row] of Object.entries(CLUSTER_OPTION_TABLE)) values[name] = checkRow(name, row, own[name]);
  const seeds = nodes.map(seedAddress);
  const firstUrl = nodes.find((n): n is string => typeof n === 'string');
  const pool = resolveOptions(firstUrl ?? {}, poolInput as PoolOptions);
  if (pool.db !== 0) throw new TypeError('Redis Cluster has only database 0: remove the db option');
  return {
    seeds: [...new Set(seeds)],
    readFrom: values.readFrom as ReadFrom,
    addressMap: values.addressMap as ((address: string) => string) | undefined,
    maxRedirections: values.maxRedirections as number,
    refreshInterval: values.refreshInterval as number,
    minRefreshInterval: values.minRefreshInterval as number,
    failFast: pool.failFast,
    pool,
  };
}
