/**
 * Sends commands to the node that serves their slot and follows the cluster's redirections
 * (see redirect.ts for the table of what is retried and why). The facade (cluster.ts), the
 * splitter (split.ts) and `use` handles (handle.ts) all send through here.
 *
 * ```
 *   send(command, slot) ──> owner of slot (map lookup) ──> node pool ──> reply
 *                 ▲                                              │ MOVED / ASK / TRYAGAIN /
 *                 └────── patch map, refresh, back off ◄─────────┘ CLUSTERDOWN / unsent
 * ```
 */
import { ConnectionError, RedisError, ReplyError, TimeoutError } from '../errors.js';
import type { CommandOptions } from '../pool/handle.js';
import type { Pool } from '../pool/pool.js';
import { commandName } from '../pool/command-kinds.js';
import type { Command, Reply } from '../resp/types.js';
import type { NodePools } from './nodes.js';
import type { ReadFrom } from './options.js';
import { redirectionFor, retryDelay, type Redirection } from './redirect.js';
import { KEYLESS } from './route.js';
import { parseAddress, patchSlot, type Shard, type SlotMap } from './slot-map.js';
import type { Topology } from './topology.js';

export interface SenderConfig {
  readFrom: ReadFrom;
  maxRedirections: number;
  /** Budget for retries when the command has no timeout of its own (the pool's acquireTimeout). */
  retryBudget: number;
  /** The pool option: a command's timeout when it gives none. */
  commandTimeout: number;
  /** Fail at once when a node is unreachable, instead of waiting for the topology to heal. */
  failFast: boolean;
  addressMap?: (address: string) => string;
}

/** Emitted for each redirection followed (only built when someone listens). */
export interface RedirectionEvent {
  command: string;
  kind: 'moved' | 'ask' | 'backoff' | 'reroute';
  from: string;
  to?: string;
  slot: number;
}

/** Where a retry loop stands; one per command, only created once a first attempt failed. */
interface RetryState {
  readonly name: string;
  readonly deadline: number;
  redirections: number;
  retries: number;
  /** ASK target for the next attempt. */
  ask: string | null;
  last: Error;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export class Sender {
  readonly #topology: Topology;
  readonly #nodes: NodePools;
  readonly #config: SenderConfig;
  readonly #onRedirection: (event: RedirectionEvent) => void;
  #roundRobin = 0;
  #keylessRobin = 0;

  constructor(topology: Topology, nodes: NodePools, config: SenderConfig, onRedirection: (e: RedirectionEvent) => void) {
    this.#topology = topology;
    this.#nodes = nodes;
    this.#config = config;
    this.#onRedirection = onRedirection;
  }

  // ── routing ───────────────────────────────────────────────────────────────────────────

  /** The map, waiting for the first refresh if there is none yet. */
  async map(deadline: number): Promise<SlotMap> {
    for (let attempt = 0; ; attempt++) {
      const map = this.#topology.map;
      if (map !== null) return map;
      try {
        return await this.#topology.refresh();
      } catch (err) {
        if (this.#config.failFast || Date.now() + retryDelay(attempt) >= deadline) throw err;
        await sleep(retryDelay(attempt));
      }
    }
  }

  /** Where read-only commands go (the cluster option). */
  get readFrom(): ReadFrom {
    return this.#config.readFrom;
  }

  /**
   * The address to send a command for `slot` to, or null when no node serves the slot.
   * Read-only commands (the command table's `readonly` flag) go to a replica that is up when
   * readFrom says so: with 'preferReplica' the primary when none is, with 'replica' nowhere
   * (null: see {@link Sender.unserved}). KEYLESS: any shard, round robin; a read-only keyless
   * command (DBSIZE, RANDOMKEY, KEYS, EVAL_RO with no keys...) goes to a replica of any shard
   * that has one up, like a keyed read.
   */
  address(map: SlotMap, slot: number, readOnly: boolean): string | null {
    const reads = readOnly && this.#config.readFrom !== 'primary';
    if (slot === KEYLESS) {
      const shards = map.shards;
      if (shards.length === 0) return null;
      // A counter of its own: #replicaUp advances #roundRobin by the replicas it tries.
      const first = (this.#keylessRobin++ & 0x7fffffff) % shards.length;
      if (!reads) return shards[first]!.primary;
      for (let i = 0; i < shards.length; i++) {
        const replica = this.#replicaUp(shards[(first + i) % shards.length]!);
        if (replica !== null) return replica;
      }
      return this.#config.readFrom === 'replica' ? null : shards[first]!.primary;
    }
    const index = map.slots[slot]!;
    if (index < 0) return null;
    const shard = map.shards[index]!;
    if (reads) {
      const replica = this.#replicaUp(shard);
      if (replica !== null) return replica;
      if (this.#config.readFrom === 'replica') return null;
    }
    return shard.primary;
  }

  /** One of the shard's replicas that is up (round robin), or null. */
  #replicaUp(shard: Shard): string | null {
    const replicas = shard.replicas;
    for (let i = 0; i < replicas.length; i++) {
      const replica = replicas[(this.#roundRobin++ & 0x7fffffff) % replicas.length]!;
      if (!this.#nodes.isDown(replica)) return replica;
    }
    return null;
  }

  /**
   * Why {@link Sender.address} gave null: no node serves the slot (CLUSTERDOWN), or (readFrom
   * 'replica', a read) the shard serving it has no replica up: a ConnectionError with code
   * ENOREPLICA, unsent. Both are waited out (refresh, back off) until the command's deadline:
   * a replica restarting or resyncing is back within seconds, and the refreshed map lists it.
   */
  unserved(map: SlotMap, slot: number, readOnly: boolean): RedisError {
    const replicasOnly = readOnly && this.#config.readFrom === 'replica';
    if (slot === KEYLESS) {
      if (!replicasOnly || map.shards.length === 0) return new RedisError('no node serves any slot', 'CLUSTERDOWN');
      return new ConnectionError(
        `no replica is up in the cluster (primaries ${map.shards.map((s) => s.primary).join(', ')}), and readFrom ` +
          "'replica' reads only from replicas ('preferReplica' falls back to a primary); the command was not sent",
        { code: 'ENOREPLICA', unsent: true },
      );
    }
    const index = map.slots[slot]!;
    if (!replicasOnly || index < 0) {
      return new RedisError(`no node serves slot ${slot}`, 'CLUSTERDOWN');
    }
    const shard = map.shards[index]!;
    const replicas = shard.replicas.length === 0 ? 'it has none in the cluster\'s map' : `${shard.replicas.join(', ')} down`;
    return new ConnectionError(
      `no replica is up for slot ${slot} (primary ${shard.primary}; ${replicas}), and readFrom ` +
        "'replica' reads only from replicas ('preferReplica' falls back to the primary); the command was not sent",
      { code: 'ENOREPLICA', unsent: true },
    );
  }

  /** The map as it is now (null before the first refresh). */
  currentMap(): SlotMap | null {
    return this.#topology.map;
  }

  /** The pool of a node. */
  pool(address: string): Pool {
    return this.#nodes.get(address);
  }

  // ── one command ───────────────────────────────────────────────────────────────────────

  /**
   * Sends `command` for `slot` and follows redirections until it gets a reply that is the
   * caller's to see, the deadline passes, or maxRedirections is reached.
   */
  async send(command: Command, options: CommandOptions | undefined, slot: number, readOnly: boolean): Promise<Reply> {
    const start = Date.now();
    let map = this.#topology.map;
    if (map === null) map = await this.map(this.#deadline(start, options));
    const address = this.address(map, slot, readOnly);
    if (address !== null) {
      try {
        return await this.#pool(address).command(command, options);
      } catch (err) {
        const redirection = redirectionFor(err, parseAddress(address).host, this.#config.addressMap);
        if (redirection.action === 'none') throw err;
        const state = this.#state(command, options, start, err as Error);
        await this.#follow(redirection, state, address, slot);
        return this.#retry(command, options, slot, readOnly, state);
      }
    }
    const state = this.#state(command, options, start, this.unserved(map, slot, readOnly));
    if (this.#config.failFast && noReplica(state.last)) throw state.last;
    await this.#follow({ action: 'backoff', refresh: true }, state, '', slot);
    return this.#retry(command, options, slot, readOnly, state);
  }

  /**
   * Runs `run` (a transaction, a handle's pipeline) on the pool of the node serving `slot`, and
   * again on the new owner when it fails with a redirection that proves nothing ran: MOVED or
   * CLUSTERDOWN, also when it comes as the cause of EXECABORT (every queued command was refused).
   * ASK is waited out like TRYAGAIN: ASKING covers one command, not a MULTI block.
   */
  async sendGroup<T>(slot: number, run: (pool: Pool) => Promise<T>, options: CommandOptions | undefined): Promise<T> {
    const start = Date.now();
    let state: RetryState | null = null;
    for (;;) {
      const map = await this.map(state?.deadline ?? this.#deadline(start, options));
      const address = this.address(map, slot, false);
      try {
        if (address === null) throw new RedisError(`no node serves slot ${slot}`, 'CLUSTERDOWN');
        return await run(this.#pool(address));
      } catch (err) {
        const cause = err instanceof ReplyError && err.code === 'EXECABORT' && err.cause instanceof ReplyError
          ? err.cause
          : err;
        let redirection = cause instanceof RedisError && cause.code === 'CLUSTERDOWN' && address === null
          ? { action: 'backoff' as const, refresh: true }
          : redirectionFor(cause, address === null ? '' : parseAddress(address).host, this.#config.addressMap);
        if (redirection.action === 'none') throw err;
        if (redirection.action === 'ask') redirection = { action: 'backoff', refresh: false };
        state ??= this.#state(['TRANSACTION'], options, start, err as Error);
        state.last = err as Error;
        await this.#follow(redirection, state, address ?? '', slot);
      }
    }
  }

  /**
   * The pool to send to, or (the node is down and reconnecting) an unsent ConnectionError: the
   * command then refreshes, backs off and asks the map again, as when the node refused it, so
   * it goes to the promoted replica as soon as the map names it.
   */
  #pool(address: string): Pool {
    if (this.#nodes.avoid(address)) {
      throw new ConnectionError(`${address} is down (its connection was lost and is not back)`, { unsent: true });
    }
    return this.#nodes.get(address);
  }

  #deadline(start: number, options: CommandOptions | undefined): number {
    const timeout = options?.timeout ?? this.#config.commandTimeout;
    if (timeout > 0) return start + timeout;
    return this.#config.retryBudget > 0 ? start + this.#config.retryBudget : Infinity;
  }

  #state(command: Command, options: CommandOptions | undefined, start: number, first: Error): RetryState {
    return {
      name: commandName(command),
      deadline: this.#deadline(start, options),
      redirections: 0,
      retries: 0,
      ask: null,
      last: first,
    };
  }

  /** Attempts after the first. */
  async #retry(
    command: Command,
    options: CommandOptions | undefined,
    slot: number,
    readOnly: boolean,
    state: RetryState,
  ): Promise<Reply> {
    for (;;) {
      const attemptOptions = this.#attemptOptions(options, state);
      const ask = state.ask;
      state.ask = null;
      const map = await this.map(state.deadline);
      // After ASK the importing node answers; after anything else the map (patched) decides.
      // A retried read goes to the primary (the replica it tried may be the trouble), unless
      // readFrom 'replica' says replicas only.
      const replicasOnly = readOnly && this.#config.readFrom === 'replica';
      const address = ask ?? this.address(map, slot, replicasOnly || (readOnly && state.retries === 0));
      if (address === null) {
        state.last = this.unserved(map, slot, readOnly);
        if (this.#config.failFast && replicasOnly) throw state.last;
        await this.#follow({ action: 'backoff', refresh: true }, state, '', slot);
        continue;
      }
      try {
        const pool = this.#pool(address);
        if (ask === null) return await pool.command(command, attemptOptions);
        const [, reply] = await pool.pipeline([['ASKING'], command], attemptOptions);
        if (reply instanceof Error) throw reply;
        return reply as Reply;
      } catch (err) {
        const redirection = redirectionFor(err, parseAddress(address).host, this.#config.addressMap);
        if (redirection.action === 'none') throw err;
        state.last = err as Error;
        await this.#follow(redirection, state, address, slot);
      }
    }
  }

  /** A retry gets what is left of the command's own timeout, if it has one. */
  #attemptOptions(options: CommandOptions | undefined, state: RetryState): CommandOptions | undefined {
    const timeout = options?.timeout ?? this.#config.commandTimeout;
    if (timeout <= 0) return options;
    return { ...options, timeout: Math.max(1, state.deadline - Date.now()) };
  }

  /**
   * Acts on a redirection before the next attempt: patch and refresh, back off. Throws when the
   * command must give up (deadline, maxRedirections, failFast).
   */
  async #follow(redirection: Redirection, state: RetryState, from: string, slot: number): Promise<void> {
    if (this.#config.failFast && redirection.action === 'reroute') throw state.last;
    this.#report(redirection, state, from, slot);
    switch (redirection.action) {
      case 'moved':
        this.#countRedirection(state);
        if (this.#topology.map !== null) patchSlot(this.#topology.map, redirection.slot, redirection.address);
        this.#topology.refresh().catch(ignore);
        return;
      case 'ask':
        this.#countRedirection(state);
        state.ask = redirection.address;
        return;
      case 'backoff':
      case 'reroute': {
        const refresh = redirection.action === 'reroute' || redirection.refresh;
        const waitFor = refresh ? this.#topology.refresh().catch(ignore) : null;
        const delay = retryDelay(state.retries++);
        if (Date.now() + delay >= state.deadline) throw this.#gaveUp(state);
        await sleep(delay);
        if (waitFor !== null) await waitFor;
        if (Date.now() >= state.deadline) throw this.#gaveUp(state);
        return;
      }
      case 'none':
        throw state.last;
    }
  }

  #countRedirection(state: RetryState): void {
    if (++state.redirections > this.#config.maxRedirections) {
      throw new RedisError(
        `${state.name} was redirected more than ${this.#config.maxRedirections} times (maxRedirections); ` +
          `last: ${state.last.message}`,
        'ETOOMANYREDIRECTS',
        { cause: state.last },
      );
    }
  }

  /** The error of a command whose retries ran out of time: it names the last cause. */
  #gaveUp(state: RetryState): Error {
    const last = state.last;
    if (noReplica(last)) return last;
    if (last instanceof ConnectionError) {
      return new ConnectionError(
        `${state.name}: the node serving its slot stayed unreachable (${last.message}); the command was not sent`,
        { cause: last, unsent: true },
      );
    }
    const why = last instanceof ReplyError ? `the cluster kept answering ${last.message}` : last.message;
    return new TimeoutError(`${state.name} timed out retrying: ${why}`, { cause: last });
  }

  #report(redirection: Redirection, state: RetryState, from: string, slot: number): void {
    if (redirection.action === 'none') return;
    const to = redirection.action === 'moved' || redirection.action === 'ask' ? redirection.address : undefined;
    this.#onRedirection({ command: state.name, kind: redirection.action, from, to, slot });
  }
}

function ignore(): void {}

/** The ENOREPLICA error of {@link Sender.unserved}: already says what was waited for. */
function noReplica(err: Error): boolean {
  return err instanceof ConnectionError && err.code === 'ENOREPLICA';
}
