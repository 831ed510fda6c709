/**
 * Keeps the slot map current. A refresh asks several nodes for CLUSTER SHARDS (CLUSTER SLOTS on
 * servers without it) and keeps the view most of them share.
 *
 * - **Single flight**: callers asking while a refresh runs share it.
 * - **Minimum interval**: a refresh asked for sooner than `minRefreshInterval` after the last
 *   one is scheduled for then, and everyone asking meanwhile shares it: 200 callers getting
 *   MOVED at once cause one refresh.
 * - **Who is asked**: known nodes first (primaries, then replicas; up to {@link ASKED} of them),
 *   the seeds only when none of those answers. A dead seed among live ones does no harm.
 * - **Majority**: a stale node alone cannot undo the view the others agree on. Once more than
 *   half answered, the rest get 200 ms: a frozen node does not hold the refresh.
 * - **All fail**: the error names each node and what it said.
 * - **Periodic**: every `refreshInterval` ±25% (jitter, so many clients do not refresh in step).
 */
import { RedisError, ReplyError } from '../errors.js';
import type { Pool } from '../pool/pool.js';
import type { Reply } from '../resp/types.js';
import { fromShards, fromSlots, majorityView, parseAddress, type AddressContext, type SlotMap } from './slot-map.js';

/** Nodes asked per refresh: enough for a majority to outvote one stale node. */
const ASKED = 5;
/** ms a refresh waits for the last nodes once most have answered. */
const STRAGGLER_MS = 200;

export interface TopologyConfig {
  seeds: readonly string[];
  tls: boolean;
  addressMap?: (address: string) => string;
  minRefreshInterval: number;
  refreshInterval: number;
  /** ms one node may take to answer. */
  queryTimeout: number;
}

export interface TopologyHooks {
  /** The pool of a node (created on demand). */
  pool(address: string): Pool;
  /** A new map replaced the old one (`changed`: it differs). */
  updated(map: SlotMap, changed: boolean): void;
  /** A refresh failed (every node asked failed). */
  failed(error: RedisError): void;
}

/** Every node asked for the topology failed; `errors` says what each one said. */
export class TopologyError extends RedisError {
  readonly errors: ReadonlyArray<{ address: string; error: Error }>;

  constructor(errors: { address: string; error: Error }[]) {
    const each = errors.map((e) => `${e.address}: ${e.error.message}`).join('; ');
    super(`could not read the cluster topology from any node (${each})`, 'ETOPOLOGY');
    this.errors = errors;
  }
}

export class Topology {
  #map: SlotMap | null = null;
  readonly #config: TopologyConfig;
  readonly #hooks: TopologyHooks;
  #running: Promise<SlotMap> | null = null;
  #scheduled: Promise<SlotMap> | null = null;
  #lastStart = 0;
  #timer: NodeJS.Timeout | null = null;
  #closed = false;
  /** Servers answering "unknown subcommand" to CLUSTER SHARDS: ask them CLUSTER SLOTS. */
  readonly #slotsOnly = new Set<string>();

  constructor(config: TopologyConfig, hooks: TopologyHooks) {
    this.#config = config;
    this.#hooks = hooks;
  }

  /** The current map, or null before the first refresh succeeded. */
  get map(): SlotMap | null {
    return this.#map;
  }

  /**
   * Refreshes (shared with any refresh running or scheduled). Resolves with the new map;
   * rejects with TopologyError when no node answered.
   */
  refresh(): Promise<SlotMap> {
    if (this.#scheduled !== null) return this.#scheduled;
    if (this.#running !== null) {
      // One is running, but it may have asked before the event that prompted this call:
      // schedule one more after it, which later callers share.
      this.#scheduled = this.#running.catch(() => undefined).then(() => this.#startLater());
      return this.#scheduled;
    }
    return this.#startLater();
  }

  #startLater(): Promise<SlotMap> {
    this.#scheduled = null;
    const wait = this.#lastStart + this.#config.minRefreshInterval - Date.now();
    if (wait > 0) {
      this.#scheduled = new Promise<void>((resolve) => setTimeout(resolve, wait)).then(() => {
        this.#scheduled = null;
        return this.#start();
      });
      return this.#scheduled;
    }
    return this.#start();
  }

  #start(): Promise<SlotMap> {
    if (this.#running !== null) return this.#running;
    this.#lastStart = Date.now();
    this.#running = this.#run().finally(() => {
      this.#running = null;
      this.#schedulePeriodic();
    });
    return this.#running;
  }

  async #run(): Promise<SlotMap> {
    const errors: { address: string; error: Error }[] = [];
    const known = this.#known();
    let views = await this.#ask(known, errors);
    if (views.length === 0) {
      const seeds = this.#config.seeds.filter((s) => !known.includes(s));
      views = await this.#ask(seeds, errors);
    }
    const map = majorityView(views);
    if (map === null) {
      const error = new TopologyError(errors);
      this.#hooks.failed(error);
      throw error;
    }
    const changed = this.#map === null || this.#map.fingerprint !== map.fingerprint;
    this.#map = map;
    this.#hooks.updated(map, changed);
    return map;
  }

  /** Nodes of the current map to ask: primaries in random order, then replicas. */
  #known(): string[] {
    if (this.#map === null) return [];
    const primaries = shuffle(this.#map.shards.map((s) => s.primary));
    const replicas = shuffle(this.#map.shards.flatMap((s) => s.replicas));
    return [...new Set([...primaries, ...replicas])].slice(0, ASKED);
  }

  /**
   * Asks `addresses` in parallel. Resolves once all have settled, or once more than half have
   * answered and {@link STRAGGLER_MS} more passed: a frozen node (SIGSTOP, blackholed) would
   * otherwise hold every refresh, and every command waiting on one, for the whole queryTimeout.
   */
  #ask(addresses: readonly string[], errors: { address: string; error: Error }[]): Promise<SlotMap[]> {
    if (addresses.length === 0) return Promise.resolve([]);
    return new Promise((resolve) => {
      const views: SlotMap[] = [];
      let settled = 0;
      let timer: NodeJS.Timeout | null = null;
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        if (timer !== null) clearTimeout(timer);
        // A copy: answers arriving later must not change what was decided.
        resolve([...views]);
      };
      for (const address of addresses) {
        this.#query(address).then((view) => {
          views.push(view);
        }, (err: unknown) => {
          if (!done) errors.push({ address, error: explain(err as Error) });
        }).finally(() => {
          settled++;
          if (settled === addresses.length) finish();
          else if (timer === null && views.length * 2 > addresses.length) timer = setTimeout(finish, STRAGGLER_MS);
        });
      }
    });
  }

  async #query(address: string): Promise<SlotMap> {
    const pool = this.#hooks.pool(address);
    const ctx: AddressContext = {
      queriedHost: parseAddress(address).host,
      tls: this.#config.tls,
      map: this.#config.addressMap,
    };
    // Text replies whatever the user's returnBuffers: the parsers read host names and ids.
    const options = { timeout: this.#config.queryTimeout, returnBuffers: false };
    if (!this.#slotsOnly.has(address)) {
      try {
        return fromShards(await pool.command(['CLUSTER', 'SHARDS'], options), ctx);
      } catch (err) {
        if (!(err instanceof ReplyError && /unknown subcommand/i.test(err.message))) throw err;
        this.#slotsOnly.add(address);
      }
    }
    return fromSlots(await pool.command(['CLUSTER', 'SLOTS'], options), ctx);
  }

  #schedulePeriodic(): void {
    if (this.#closed || this.#config.refreshInterval === 0) return;
    if (this.#timer !== null) clearTimeout(this.#timer);
    const interval = this.#config.refreshInterval;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.refresh().catch(() => undefined);
    }, interval * (0.75 + Math.random() * 0.5));
    this.#timer.unref();
  }

  /** Stops periodic refreshes. */
  close(): void {
    this.#closed = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }
}

/** Turns "cluster support disabled" into a sentence about the seed. */
function explain(err: Error): Error {
  if (err instanceof ReplyError && /cluster support disabled/i.test(err.message)) {
    return new RedisError(`not a cluster node (${err.message})`, 'ENOTCLUSTER', { cause: err });
  }
  return err;
}

function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}
