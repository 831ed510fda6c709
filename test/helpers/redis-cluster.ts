/**
 * A real Redis Cluster for tests: N primaries with R replicas each, from `redis-server
 * --cluster-enabled yes` on free loopback ports and `redis-cli --cluster create`, ready once every
 * node says `cluster_state:ok` and agrees on who owns every slot. Each node is a
 * {@link RedisServer} (so tracked by cleanup.ts and stopped after the run even if a test forgets).
 *
 * ```ts
 * const cluster = await startCluster();               // 3 primaries + 3 replicas
 * const owner = await cluster.ownerOf(keySlot('k'));  // the primary serving a slot
 * await cluster.stop();
 * ```
 *
 * Starting one takes a few seconds: suites share one through {@link sharedCluster} unless they
 * change the topology (failover, kill, resharding), which start their own.
 */
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { track } from './cleanup.js';
import { freePort } from './ports.js';
import { startRedis, type RedisServer } from './redis-server.js';

export interface ClusterOptions {
  /** Primaries (default 3). */
  primaries?: number;
  /** Replicas per primary (default 1). */
  replicas?: number;
  /** cluster-node-timeout in ms (default 1000: failover within a couple of seconds). */
  nodeTimeout?: number;
  /** Extra redis-server args for every node. */
  args?: string[];
}

/** One line of CLUSTER NODES. */
export interface NodeInfo {
  id: string;
  port: number;
  role: 'primary' | 'replica';
  /** The primary's id, for a replica. */
  primaryId: string | null;
  /** Slot ranges `[start, end]` it serves (primaries). */
  slots: [number, number][];
  flags: string[];
}

export interface RedisCluster {
  /** Every node, primaries and replicas, in start order. */
  readonly servers: RedisServer[];
  /** `redis://127.0.0.1:PORT` of every node. */
  readonly urls: string[];
  /** The server listening on `port`. */
  server(port: number): RedisServer;
  /** CLUSTER NODES as seen by `via` (default: the first running node). */
  nodes(via?: RedisServer): Promise<NodeInfo[]>;
  /** The primaries, as the first running node sees them. */
  primaries(): Promise<RedisServer[]>;
  /** The replicas, as the first running node sees them. */
  replicas(): Promise<RedisServer[]>;
  /** The primary serving `slot`. */
  ownerOf(slot: number): Promise<RedisServer>;
  /** FLUSHALL on every primary. */
  flushAll(): Promise<void>;
  /**
   * Moves `slot` to the primary on `toPort` the way redis-cli --cluster reshard does: IMPORTING
   * and MIGRATING, MIGRATE of its keys in batches (`onBatch` runs after each: tests act mid-move),
   * then SETSLOT NODE on every primary.
   */
  migrateSlot(slot: number, toPort: number, options?: { batch?: number; onBatch?: () => Promise<void> }): Promise<void>;
  /** The node id of the server on `port`. */
  idOf(port: number): Promise<string>;
  /** Resolves once every running node says cluster_state:ok and all agree on the slot owners. */
  waitForOk(timeoutMs?: number): Promise<void>;
  /** Stops every node. */
  stop(): Promise<void>;
}

const SLOTS = 16384;

/** Starts a cluster and resolves once it is healthy. */
export async function startCluster(options: ClusterOptions = {}): Promise<RedisCluster> {
  const primaries = options.primaries ?? 3;
  const replicas = options.replicas ?? 1;
  const count = primaries * (1 + replicas);
  const nodeTimeout = options.nodeTimeout ?? 1000;
  const servers = await Promise.all(Array.from({ length: count }, async () => {
    // The bus port defaults to port + 10000, which may be taken or past 65535: pick one.
    const busPort = await freePort();
    return startRedis({
      args: ['--cluster-enabled', 'yes', '--cluster-port', String(busPort),
        '--cluster-node-timeout', String(nodeTimeout), '--cluster-require-full-coverage', 'yes',
        // A replica may take over however long it was cut off: tests kill primaries at will.
        '--cluster-replica-validity-factor', '0', ...(options.args ?? [])],
    });
  }));
  const cluster = new Cluster(servers);
  try {
    await createCluster(servers, replicas);
    await cluster.waitForOk(30_000);
  } catch (err) {
    await cluster.stop();
    throw err;
  }
  return cluster;
}

let shared: Promise<RedisCluster> | null = null;

/**
 * One cluster for every suite that leaves its topology alone (it may write keys: call
 * `flushAll()` in a hook). Started on first use, stopped when the test run ends.
 */
export function sharedCluster(): Promise<RedisCluster> {
  if (shared === null) {
    shared = startCluster();
    const started = shared;
    track({
      close: async () => (await started.catch(() => null))?.stop(),
      closeSync: () => {}, // the servers are tracked themselves
    });
  }
  return shared;
}

function createCluster(servers: RedisServer[], replicas: number): Promise<void> {
  const args = ['--cluster', 'create', ...servers.map((s) => `127.0.0.1:${s.port}`),
    '--cluster-replicas', String(replicas), '--cluster-yes'];
  return new Promise((resolve, reject) => {
    const child = spawn('redis-cli', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', (err) => reject(new Error(`redis-cli could not be spawned: ${err.message}`)));
    child.once('close', (code) => {
      if (code === 0 && output.includes('All 16384 slots covered')) resolve();
      else reject(new Error(`redis-cli --cluster create failed (exit ${code}):\n${output.slice(-2000)}`));
    });
  });
}

/** Parses CLUSTER NODES text. */
export function parseClusterNodes(text: string): NodeInfo[] {
  const nodes: NodeInfo[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const fields = line.trim().split(' ');
    const [id, address, flagText, primary] = fields as [string, string, string, string];
    const port = Number(/:(\d+)@/.exec(address)?.[1] ?? 0);
    const flags = flagText.split(',');
    const slots: [number, number][] = [];
    for (const range of fields.slice(8)) {
      if (range.startsWith('[')) continue; // a migration in progress
      const [start, end] = range.split('-').map(Number) as [number, number?];
      slots.push([start, end ?? start]);
    }
    nodes.push({
      id,
      port,
      role: flags.includes('master') ? 'primary' : 'replica',
      primaryId: primary === '-' ? null : primary,
      slots,
      flags,
    });
  }
  return nodes;
}

class Cluster implements RedisCluster {
  readonly servers: RedisServer[];

  constructor(servers: RedisServer[]) {
    this.servers = servers;
  }

  get urls(): string[] {
    return this.servers.map((s) => s.url);
  }

  server(port: number): RedisServer {
    const server = this.servers.find((s) => s.port === port);
    if (server === undefined) throw new Error(`no cluster node on port ${port}`);
    return server;
  }

  async #anyRunning(): Promise<RedisServer> {
    for (const server of this.servers) {
      try {
        await server.cli('PING');
        return server;
      } catch {
        // stopped or killed: ask the next one
      }
    }
    throw new Error('no cluster node answers');
  }

  async nodes(via?: RedisServer): Promise<NodeInfo[]> {
    const server = via ?? (await this.#anyRunning());
    return parseClusterNodes(await server.cli('CLUSTER', 'NODES'));
  }

  async primaries(): Promise<RedisServer[]> {
    const nodes = await this.nodes();
    return nodes.filter((n) => n.role === 'primary' && n.slots.length > 0 && !n.flags.includes('fail'))
      .map((n) => this.server(n.port));
  }

  async replicas(): Promise<RedisServer[]> {
    const nodes = await this.nodes();
    return nodes.filter((n) => n.role === 'replica' && !n.flags.includes('fail')).map((n) => this.server(n.port));
  }

  async ownerOf(slot: number): Promise<RedisServer> {
    const nodes = await this.nodes();
    const owner = nodes.find((n) => n.role === 'primary' && n.slots.some(([a, b]) => slot >= a && slot <= b));
    if (owner === undefined) throw new Error(`no primary serves slot ${slot}`);
    return this.server(owner.port);
  }

  async flushAll(): Promise<void> {
    await Promise.all((await this.primaries()).map((s) => s.cli('FLUSHALL')));
  }

  async idOf(port: number): Promise<string> {
    return this.server(port).cli('CLUSTER', 'MYID');
  }

  async migrateSlot(slot: number, toPort: number, options: { batch?: number; onBatch?: () => Promise<void> } = {}): Promise<void> {
    const from = await this.ownerOf(slot);
    const to = this.server(toPort);
    if (from.port === toPort) return;
    const [fromId, toId] = [await this.idOf(from.port), await this.idOf(toPort)];
    await to.cli('CLUSTER', 'SETSLOT', slot, 'IMPORTING', fromId);
    await from.cli('CLUSTER', 'SETSLOT', slot, 'MIGRATING', toId);
    for (;;) {
      const keys = JSON.parse(await from.cli('CLUSTER', 'GETKEYSINSLOT', slot, options.batch ?? 100)) as string[];
      if (keys.length === 0) break;
      await from.cli('MIGRATE', '127.0.0.1', toPort, '', 0, 5000, 'REPLACE', 'KEYS', ...keys);
      await options.onBatch?.();
    }
    // The new owner first, then the old one, then the rest (as redis-cli does).
    await to.cli('CLUSTER', 'SETSLOT', slot, 'NODE', toId);
    await from.cli('CLUSTER', 'SETSLOT', slot, 'NODE', toId);
    for (const primary of await this.primaries()) {
      if (primary.port !== from.port && primary.port !== toPort) await primary.cli('CLUSTER', 'SETSLOT', slot, 'NODE', toId);
    }
  }

  async waitForOk(timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let why = '';
    while (Date.now() < deadline) {
      why = await this.#notOkReason();
      if (why === '') return;
      // Cluster state spreads by gossip; there is no event to wait for, so poll.
      await sleep(100);
    }
    throw new Error(`cluster not ok after ${timeoutMs} ms: ${why}`);
  }

  /** '' when healthy, else why not. */
  async #notOkReason(): Promise<string> {
    let reference: string | null = null;
    for (const server of this.servers) {
      let info: string;
      let nodes: NodeInfo[];
      try {
        info = await server.cli('CLUSTER', 'INFO');
        nodes = await this.nodes(server);
      } catch {
        continue; // a stopped node has no say
      }
      if (!info.includes('cluster_state:ok')) return `node ${server.port} is not ok`;
      const owners = ownerSummary(nodes);
      if (owners === null) return `node ${server.port} does not see all ${SLOTS} slots served`;
      if (reference === null) reference = owners;
      else if (owners !== reference) return `node ${server.port} disagrees about the slot owners`;
      if (nodes.some((n) => n.flags.includes('handshake'))) return `node ${server.port} still shakes hands`;
      const self = nodes.find((n) => n.flags.includes('myself'));
      if (self?.role === 'replica' && !(await server.cli('INFO', 'replication')).includes('master_link_status:up')) {
        return `replica ${server.port} is not in sync with its primary`;
      }
    }
    return reference === null ? 'no node answers' : '';
  }

  async stop(): Promise<void> {
    await Promise.all(this.servers.map((s) => s.stop()));
  }
}

/** "port:ranges;..." for the primaries serving slots, or null when some slot is unserved. */
function ownerSummary(nodes: NodeInfo[]): string | null {
  let covered = 0;
  const parts: string[] = [];
  for (const node of nodes) {
    if (node.role !== 'primary' || node.slots.length === 0) continue;
    for (const [a, b] of node.slots) covered += b - a + 1;
    parts.push(`${node.port}:${node.slots.map(([a, b]) => `${a}-${b}`).join(',')}`);
  }
  if (covered !== SLOTS) return null;
  return parts.sort().join(';');
}
