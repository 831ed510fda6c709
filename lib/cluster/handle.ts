/**
 * What `cluster.use(fn)` hands to `fn`: a pool handle (lib/pool/handle.ts) on the node that
 * serves the slot of the handle's first keyed command, with everything a pool handle does
 * (commands in order, MULTI/WATCH/blocking commands upgrade it to a connection of its own).
 *
 * ```
 *   c.command(['MULTI'])        not bound yet: answered 'OK' here, sent once the node is known
 *   c.command(['INCR', '{u}a'])  binds: pool.use() on the owner of slot('{u}a'), sends MULTI, INCR
 *   c.command(['GET', 'other'])  another node's slot: a shared handle sends it through the
 *                               cluster; an exclusive one (in MULTI, WATCH) refuses: CROSSSLOT
 * ```
 *
 * Keyless commands before the first keyed one go through the cluster: any primary, or for a
 * read-only one a replica with `readFrom` (MULTI excepted, see above). Once bound, the handle
 * stays on the primary whatever `readFrom` says: it must read its own writes, which an
 * asynchronous replica may not have yet, and WATCH/MULTI need the primary.
 *
 * Redirections: a command the node refused because of where its slot is (MOVED, ASK, TRYAGAIN,
 * CLUSTERDOWN, or never sent: the refusals that prove it did not run, redirect.ts) is sent again
 * through the cluster, which follows the redirection, as long as the handle holds no state on
 * its connection. That covers `command`, each refused command of a `pipeline` (sent again in
 * input order, replies put back in place) and a `transaction` whose commands were all refused
 * (EXECABORT caused by MOVED...: nothing ran; run again on the new owner). Once the handle has
 * sent MULTI, WATCH, SELECT or another command that leaves state on its connection, a
 * refusal is the caller's: what it relied on (the WATCH, the open MULTI) lives on the old node.
 * Blocking commands (BLPOP...) leave no state: a handle that only ran those still follows.
 */
import { PoolClosedError, RedisError, ReplyError } from '../errors.js';
import { runTransaction } from '../commands/transaction.js';
import { commandKind, commandName } from '../pool/command-kinds.js';
import type { CommandOptions, Handle } from '../pool/handle.js';
import type { Arg, Command, Reply } from '../resp/types.js';
import type { ResolvedClusterOptions } from './options.js';
import { redirectionFor } from './redirect.js';
import { commandSlot, CROSS_SLOT, crossSlotError, groupSlot, KEYLESS } from './route.js';
import type { Sender } from './sender.js';
import { parseAddress } from './slot-map.js';

/** What the handle sends through the cluster (the Cluster itself): redirections followed. */
export interface ClusterSend {
  command(command: Command, options?: CommandOptions): Promise<Reply>;
  pipeline(commands: readonly Command[], options?: CommandOptions): Promise<unknown[]>;
  transaction(commands: readonly Command[], options?: CommandOptions): Promise<Reply[]>;
}

/** `B` (types only): the cluster's `returnBuffers`, for the typed methods' reply types. */
export class ClusterHandle<B extends boolean = false> {
  readonly #sender: Sender;
  readonly #options: ResolvedClusterOptions;
  readonly #cluster: ClusterSend;
  /** The pool handle, once bound. */
  #inner: Handle | null = null;
  #address: string | null = null;
  /** Resolves once bound (commands issued while binding wait on it, in order). */
  #binding: Promise<Handle> | null = null;
  /** Ends the pool.use() callback that holds the inner handle. */
  #finish: (() => void) | null = null;
  #used: Promise<void> | null = null;
  /** MULTI issued before any key: sent first once the handle binds. */
  #deferredMulti = false;
  /** A command that needs a connection of its own was sent: the handle is (or is becoming) exclusive. */
  #pinned = false;
  /**
   * A command that leaves state on the connection (MULTI, WATCH, SELECT...) was sent: from then
   * on the handle's commands stay on its connection, refusals included. Never cleared: after
   * EXEC a WATCH may still be pending, and telling the two apart is not worth the risk.
   */
  #stateful = false;
  #released = false;
  /** The last command sent again through the cluster after a redirection, if any. */
  #resending: Promise<Reply> | null = null;

  /** @internal created by Cluster.use */
  constructor(sender: Sender, options: ResolvedClusterOptions, cluster: ClusterSend) {
    this.#sender = sender;
    this.#options = options;
    this.#cluster = cluster;
  }

  /** The node this handle is bound to, or null before its first keyed command. */
  get address(): string | null {
    return this.#address;
  }

  /** True once the handle holds a connection of its own (MULTI, WATCH, a blocking command). */
  get exclusive(): boolean {
    return this.#pinned || (this.#inner?.exclusive ?? false);
  }

  /** Sends a command on this handle (see the class comment for where it goes). */
  command(command: Command, options?: CommandOptions): Promise<Reply> {
    if (this.#released) return Promise.reject(usedAfterRelease());
    if (!Array.isArray(command) || command.length === 0) {
      return Promise.reject(new TypeError('a command is an array: [name, ...args], e.g. [\'GET\', \'key\']'));
    }
    const slot = commandSlot(command);
    if (this.#binding === null) {
      const name = commandName(command);
      if (slot === KEYLESS && !this.#deferredMulti) {
        if (name === 'MULTI') {
          this.#deferredMulti = true;
          return Promise.resolve('OK');
        }
        return this.#cluster.command(command, options);
      }
      if (slot === KEYLESS && (name === 'EXEC' || name === 'DISCARD')) {
        // MULTI then EXEC with nothing keyed in between: an empty transaction.
        this.#deferredMulti = false;
        return Promise.resolve(name === 'EXEC' ? [] : 'OK');
      }
      if (slot === CROSS_SLOT) return this.#crossSlot(command, options);
      this.#bind(slot);
    }
    if (slot === CROSS_SLOT) return this.#crossSlot(command, options);
    const inner = this.#inner;
    if (inner !== null) return this.#onBound(inner, command, options, slot);
    return this.#binding!.then((h) => this.#onBound(h, command, options, slot));
  }

  /**
   * Sends commands in order on this handle; replies in order, errors in place. Commands refused
   * because of where their slot is are sent again through the cluster (see the class comment).
   */
  async pipeline(commands: readonly Command[], options?: CommandOptions): Promise<unknown[]> {
    if (this.#released) throw usedAfterRelease();
    if (this.#binding === null) {
      const slot = groupSlot(commands);
      if (slot === CROSS_SLOT) throw crossSlotError('this pipeline on a use() handle');
      this.#bind(slot);
    }
    const inner = this.#inner ?? (await this.#binding!);
    // Decided before sending: a pipeline that opens a MULTI or a WATCH keeps its refusals.
    const stateful = this.#stateful || this.#deferredMulti || (Array.isArray(commands) && commands.some(leavesState));
    if (stateful) this.#stateful = true;
    const results = await inner.pipeline(commands, options);
    return stateful ? results : this.#redirectRefused(commands, results, options);
  }

  /** Sends the commands of `results` that were refused for their slot again, in input order. */
  async #redirectRefused(commands: readonly Command[], results: unknown[], options: CommandOptions | undefined): Promise<unknown[]> {
    let refused: number[] | null = null;
    for (let i = 0; i < results.length; i++) {
      if (results[i] instanceof Error && this.#provesNotRun(results[i])) (refused ??= []).push(i);
    }
    if (refused === null) return results;
    const again = await this.#cluster.pipeline(refused.map((i) => commands[i]!), options);
    for (let j = 0; j < refused.length; j++) results[refused[j]!] = again[j];
    return results;
  }

  /** WATCHes keys (they must share the handle's slot) for the next transaction. */
  watch(...keys: Arg[]): Promise<Reply> {
    if (keys.length === 0) return Promise.reject(new TypeError('watch needs at least one key'));
    return this.command(['WATCH', ...keys]);
  }

  /** Forgets every WATCHed key. */
  unwatch(): Promise<Reply> {
    return this.command(['UNWATCH']);
  }

  /**
   * MULTI ... EXEC on this handle's node; null when a WATCHed key changed (or moved: the
   * server then refuses EXEC, nothing ran).
   */
  async transaction(commands: readonly Command[], options?: CommandOptions): Promise<Reply[] | null> {
    if (this.#released) throw usedAfterRelease();
    if (this.#binding === null) {
      const slot = groupSlot(commands);
      if (slot === CROSS_SLOT) throw crossSlotError('this transaction');
      this.#bind(slot);
    }
    const inner = this.#inner ?? (await this.#binding!);
    // A WATCH (or a MULTI of the caller's) lives on this connection: its refusal is the caller's.
    const stateful = this.#stateful || this.#deferredMulti;
    try {
      return await runTransaction((c, o) => inner.pipeline(c, o), commands, options);
    } catch (err) {
      // EXECABORT whose cause is a refusal for the slot (MOVED while queueing): nothing ran.
      const cause = err instanceof ReplyError && err.code === 'EXECABORT' ? err.cause : err;
      if (stateful || !this.#provesNotRun(cause)) throw err;
      return this.#cluster.transaction(commands, options);
    }
  }

  /** True for a refusal that proves the command did not run and names where to go instead. */
  #provesNotRun(err: unknown): boolean {
    return redirectionFor(err, parseAddress(this.#address!).host, this.#options.addressMap).action !== 'none';
  }

  #crossSlot(command: Command, options: CommandOptions | undefined): Promise<Reply> {
    // A shared handle may send a splittable command (MGET...) through the cluster.
    if (!this.#stateful && !this.#deferredMulti) return this.#cluster.command(command, options);
    return Promise.reject(crossSlotError(commandName(command)));
  }

  /** Routes a command once bound: here, or through the cluster when its slot is elsewhere. */
  #onBound(inner: Handle, command: Command, options: CommandOptions | undefined, slot: number): Promise<Reply> {
    if (slot !== KEYLESS) {
      const map = this.#sender.currentMap();
      const owner = map === null ? null : this.#sender.address(map, slot, false);
      if (owner !== null && owner !== this.#address) {
        if (!this.#stateful && !leavesState(command)) return this.#cluster.command(command, options);
        const held = this.#stateful ? ' and holds state there (MULTI, WATCH, SELECT...)' : '';
        return Promise.reject(new RedisError(
          `this use() handle is bound to ${this.#address}${held}; slot ${slot} is served by ${owner}: ` +
            "keep a handle's keys under one hash tag",
          'CROSSSLOT',
        ));
      }
    }
    const kind = commandKind(commandName(command), command);
    if (kind !== 'shared') this.#pinned = true;
    if (kind === 'session' || kind === 'poison') this.#stateful = true;
    if (this.#stateful) return inner.command(command, options);
    return this.#followingCommand(inner, command, options);
  }

  /**
   * A command on a handle that holds no connection state (shared, or exclusive only for
   * blocking commands): one its node refused because of where the slot is (MOVED, ASK,
   * TRYAGAIN, CLUSTERDOWN, unsent: nothing ran) is sent again through the cluster, which
   * follows the redirection. Anything else (a reply, a connection lost after writing) is the
   * caller's: the command may have run.
   */
  async #followingCommand(inner: Handle, command: Command, options: CommandOptions | undefined): Promise<Reply> {
    try {
      return await inner.command(command, options);
    } catch (err) {
      if (this.#stateful || !this.#provesNotRun(err)) throw err;
      // Refusals arrive in the order the commands were issued (one connection); sending them
      // again one after another keeps that order for callers that did not await each command.
      const send = () => this.#cluster.command(command, options);
      const again = this.#resending === null ? send() : this.#resending.then(send, send);
      this.#resending = again;
      return again;
    }
  }

  /**
   * Binds the handle to the node serving `slot`. With a map at hand (the usual case) this is
   * synchronous up to the pool's checkout, whose callback runs at once: the first command
   * goes out in the same tick, with no promise of ours in between.
   */
  #bind(slot: number): void {
    const map = this.#sender.currentMap();
    const address = map === null ? null : this.#sender.address(map, slot, false);
    if (address !== null) {
      this.#binding = this.#checkout(address);
      return;
    }
    this.#binding = (async () => {
      const known = await this.#sender.map(Date.now() + this.#options.pool.acquireTimeout);
      const owner = this.#sender.address(known, slot, false);
      if (owner === null) throw new RedisError(`no node serves slot ${slot}`, 'CLUSTERDOWN');
      return this.#checkout(owner);
    })();
  }

  /** Holds a handle of `address`'s pool until release(); resolves once it is held. */
  #checkout(address: string): Promise<Handle> {
    this.#address = address;
    return new Promise<Handle>((resolve, reject) => {
      // #used never rejects: a checkout refused (pool closed) rejects the binding instead.
      this.#used = this.#sender.pool(address).use((inner) => {
        this.#held(inner);
        resolve(inner);
        return new Promise<void>((done) => (this.#finish = done));
      }).then(undefined, reject);
    });
  }

  #held(inner: Handle): void {
    this.#inner = inner;
    if (this.#deferredMulti) {
      this.#deferredMulti = false;
      this.#pinned = true;
      this.#stateful = true;
      // Its 'OK' was given already; an error here shows up again at EXEC.
      inner.command(['MULTI']).catch(() => undefined);
    }
  }

  /** @internal Called by the cluster when `fn` has ended. Never throws. */
  async release(): Promise<void> {
    if (this.#released) return;
    this.#released = true;
    if (this.#binding !== null) {
      try {
        await this.#binding;
      } catch {
        // A binding that failed was the caller's error already; nothing is held.
      }
    }
    this.#finish?.();
    if (this.#used !== null) await this.#used;
  }
}

function usedAfterRelease(): RedisError {
  return new RedisError('this handle was used after its use() callback returned', 'EUSAGE');
}

/** MULTI, WATCH, SELECT...: the command leaves state on its connection (see command-kinds.ts). */
function leavesState(command: Command): boolean {
  if (!Array.isArray(command) || command.length === 0) return false;
  const kind = commandKind(commandName(command), command);
  return kind === 'session' || kind === 'poison';
}
