/**
 * One pool per cluster node, keyed by 'host:port', created on first use from the cluster's pool
 * options (so every pool option applies to each node). Tracks which nodes are down (their pool
 * is reconnecting) so reads can fall back from a lost replica to its primary.
 *
 * Pools of nodes that left the topology are closed only after they have been gone for a while
 * and hold no commands: a command may still be on its way to one when the map changes.
 */
import { Pool } from '../pool/pool.js';
import { resolveOptions, type ResolvedOptions } from '../options.js';
import { parseAddress } from './slot-map.js';

/** How long a node must be absent from the topology before its pool is closed. */
const FORGET_AFTER_MS = 60_000;

export interface NodeEvents {
  /** A node's pool lost or could not open a connection. */
  lost(address: string, error: Error): void;
  /** A node's pool has a ready connection. */
  ready(address: string): void;
  /** Any error a node's pool reports (only wired when someone listens). */
  error(address: string, error: Error): void;
}

interface Entry {
  pool: Pool;
  down: boolean;
  /** When it was first seen missing from the topology; 0 while it is in it. */
  absentSince: number;
}

export class NodePools {
  readonly #base: ResolvedOptions;
  readonly #readOnly: boolean;
  readonly #events: NodeEvents;
  readonly #entries = new Map<string, Entry>();
  #closed = false;

  /**
   * @param base options of every node's pool (host and port are set per node)
   * @param readOnly send READONLY on every connection (reads from replicas)
   */
  constructor(base: ResolvedOptions, readOnly: boolean, events: NodeEvents) {
    this.#base = base;
    this.#readOnly = readOnly;
    this.#events = events;
  }

  /** The pool of `address`, created if needed. */
  get(address: string): Pool {
    const entry = this.#entries.get(address);
    if (entry !== undefined) return entry.pool;
    return this.#create(address).pool;
  }

  /** The pool of `address` if there is one (none is created). */
  peek(address: string): Pool | undefined {
    return this.#entries.get(address)?.pool;
  }

  /** True while the node's pool reports a lost connection and no ready one since. */
  isDown(address: string): boolean {
    return this.#entries.get(address)?.down ?? false;
  }

  /**
   * True while the node is down and its connections keep trying on their own (reconnect
   * attempts unlimited, the default): commands for it can wait for the map to change, since
   * its pool will say 'ready' when it is back. A frozen node's reconnect attempt would hold a
   * command for the whole connectTimeout (TCP connects, the handshake never answers).
   */
  avoid(address: string): boolean {
    return this.#base.reconnectMaxAttempts === null && (this.#entries.get(address)?.down ?? false);
  }

  #create(address: string): Entry {
    const { host, port } = parseAddress(address);
    // Node pools always fail fast: a command for a node that is down must come back (unsent)
    // at once so the cluster can send it to the slot's new owner, not wait in that pool.
    const options = resolveOptions(this.#base, { host, port, failFast: true });
    const pool = new Pool(options, undefined, { readOnly: this.#readOnly });
    const entry: Entry = { pool, down: false, absentSince: 0 };
    pool.on('ready', (event: { subscriber?: boolean }) => {
      if (event.subscriber === true) return;
      entry.down = false;
      this.#events.ready(address);
    });
    pool.on('reconnecting', (event: { error: Error; subscriber?: boolean }) => {
      if (event.subscriber === true) return;
      entry.down = true;
      this.#events.lost(address, event.error);
    });
    pool.on('error', (error: Error) => this.#events.error(address, error));
    this.#entries.set(address, entry);
    return entry;
  }

  /** Every node with a pool. */
  entries(): [string, Pool][] {
    return [...this.#entries].map(([address, entry]) => [address, entry.pool]);
  }

  /**
   * Notes which nodes the topology lists; closes the pools of nodes gone for FORGET_AFTER_MS
   * that hold no command.
   */
  retain(listed: ReadonlySet<string>): void {
    const now = Date.now();
    for (const [address, entry] of this.#entries) {
      if (listed.has(address)) {
        entry.absentSince = 0;
        continue;
      }
      if (entry.absentSince === 0) entry.absentSince = now;
      else if (now - entry.absentSince >= FORGET_AFTER_MS && entry.pool.stats.inFlight === 0) {
        this.#entries.delete(address);
        void entry.pool.close();
      }
    }
  }

  /** Closes every pool. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const pools = [...this.#entries.values()].map((e) => e.pool);
    await Promise.all(pools.map((p) => p.close()));
  }
}
