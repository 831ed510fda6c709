/**
 * Client-side caching for the pool: cacheable reads sent with `pool.command` are answered from
 * memory until the server says their key changed.
 *
 * Every connection of the pool turns CLIENT TRACKING on in its handshake (RESP3), so whichever
 * connection a read runs on, the server remembers the key for it and pushes an `invalidate`
 * message on that same connection when the key changes, ordered after the read's reply.
 *
 * ```
 *  read ──> hit? ── yes ──> a copy of the entry (strings, numbers: the entry itself)
 *            │ no
 *            ├── a fill for the same command in flight, not invalidated? ──> join it (single flight)
 *            └── new fill {epoch, poisoned:false} ──> server ──> reply ──> store it unless
 *                                                                the fill was poisoned or the
 *                                                                epoch moved meanwhile
 *  invalidate k (push, or our own write answered) ──> drop entries that read k,
 *                                                     poison fills reading k (nobody joins them)
 *  connection lost / FLUSHALL (null invalidate) / clear() ──> drop everything, epoch + 1
 * ```
 *
 * The race the fills guard against: a read's reply is on its way while a write changes its
 * key. If the invalidation is decoded first, the reply may hold the old value: the fill is
 * poisoned and its value handed to its callers (who asked before the write was known) but not
 * kept. If the reply is decoded first, it is kept, and the invalidation drops it. Fills store
 * their value in a promise reaction, after everything decoded before them: never earlier than
 * the order the bytes arrived in.
 */
import { isUtf8 } from 'node:buffer';
import { encodeCommand } from '../resp/encoder.js';
import type { Command, Reply } from '../resp/types.js';
import { keyIndexes } from '../commands/info.js';
import { isCacheable } from './cacheable.js';
import type { ClientCacheConfig } from './config.js';
import { copyReply, sizeOf } from './copy.js';
import { Store } from './store.js';
import { cacheHitChannel } from '../diagnostics/channels.js';
import { publishCacheHit } from '../diagnostics/trace.js';
import { writtenKeys } from './writes.js';

/** The per-command options the cache looks at (a subset of the pool's CommandOptions). */
export interface CacheCommandOptions {
  returnBuffers?: boolean;
  timeout?: number;
  signal?: AbortSignal;
}

/** Sends a command to the server, uncached. */
export type SendFn = (command: Command, options: CacheCommandOptions | undefined) => Promise<Reply>;

/** Counters since the pool was created, and what the cache holds now. */
export interface ClientCacheStats {
  /** Reads answered from memory. */
  hits: number;
  /** Cacheable reads sent to the server (or joined to one in flight: `coalesced` of them). */
  misses: number;
  /** Misses that joined a read of the same command already in flight. */
  coalesced: number;
  /** Replies held now. */
  entries: number;
  /** Estimated bytes held now (an upper bound). */
  bytes: number;
  /** Entries dropped to stay within maxEntries/maxBytes, least recently used first. */
  evictions: number;
  /** Entries dropped because their ttl ran out. */
  expired: number;
  /** Entries dropped because a key they read changed (server push or our own write). */
  invalidations: number;
  /** Times everything was dropped: connection lost, FLUSHALL/FLUSHDB, `clear()`. */
  flushes: number;
}

/** A read on its way to the server whose reply may be kept. */
class Fill {
  readonly head: string;
  readonly tail: string;
  /** head and tail joined, for the single-flight map (heads hold no NUL). */
  readonly key: string;
  readonly names: readonly string[];
  readonly epoch: number;
  poisoned = false;
  promise: Promise<Reply> | null = null;

  constructor(head: string, tail: string, names: readonly string[], epoch: number) {
    this.head = head;
    this.tail = tail;
    this.key = head + '\0' + tail;
    this.names = names;
    this.epoch = epoch;
  }
}

/**
 * The pool's client-side cache (`pool.clientCache`). Present on every pool; `enabled` is false
 * unless the pool was created with the `clientCache` option, and then it holds nothing.
 */
export class ClientCache {
  /** True when the pool caches reads. */
  readonly enabled: boolean;
  readonly #config: ClientCacheConfig | null;
  readonly #store: Store;
  readonly #send: SendFn;
  readonly #buffers: boolean;
  /** Single flight: fills others may join, by command. */
  readonly #flights = new Map<string, Fill>();
  /** Fills in flight, by the Redis keys they read, to poison them. */
  readonly #reading = new Map<string, Fill | Fill[]>();
  #epoch = 0;
  #hits = 0;
  #misses = 0;
  #coalesced = 0;
  #flushes = 0;

  /** @internal created by the pool */
  constructor(config: ClientCacheConfig | null, send: SendFn, returnBuffers: boolean) {
    this.enabled = config !== null;
    this.#config = config;
    this.#store = new Store(config ?? { maxEntries: 1, maxBytes: 1, ttl: 0 });
    this.#send = send;
    this.#buffers = returnBuffers;
  }

  /** Counters and current size; built when asked for. */
  get stats(): ClientCacheStats {
    const { evictions, expired, invalidations } = this.#store.counters;
    return {
      hits: this.#hits,
      misses: this.#misses,
      coalesced: this.#coalesced,
      entries: this.#store.size,
      bytes: this.#store.bytes,
      evictions,
      expired,
      invalidations,
      flushes: this.#flushes,
    };
  }

  /** Drops every cached reply; reads in flight are not kept either. */
  clear(): void {
    this.#flush();
  }

  // ── reads ─────────────────────────────────────────────────────────────────────────────

  /**
   * @internal A cacheable read's reply, from memory or the server; null when `command` is not
   * cacheable (the pool then sends it as usual).
   */
  read(command: Command, options: CacheCommandOptions | undefined): Promise<Reply> | null {
    if (!isCacheable(command[0])) return null;
    const buffers = options?.returnBuffers ?? this.#buffers;
    // The reply's name: (command name, its one argument) for GET k and the like, which builds
    // nothing; (*, the RESP encoding) for the rest. The reply form is part of the head.
    const name = command[0];
    const arg = command[1];
    let head: string;
    let tail: string;
    if (command.length === 2 && typeof name === 'string' && typeof arg === 'string') {
      head = buffers ? BUFFERS + name : name;
      tail = arg;
    } else {
      head = buffers ? BUFFERS + '*' : '*';
      try {
        tail = encoded(command);
      } catch (err) {
        return Promise.reject(err);
      }
    }
    const entry = this.#store.get(head, tail);
    if (entry !== undefined) {
      this.#hits++;
      if (cacheHitChannel.hasSubscribers) publishCacheHit(String(command[0]).toUpperCase(), command[1]);
      const value = entry.value;
      return Promise.resolve(typeof value !== 'object' || value === null ? value : copyReply(value));
    }
    const names = this.#keyNames(command);
    if (names === null) return null;
    this.#misses++;
    // A caller with its own timeout or signal gets a read of its own: joining another's read
    // would tie it to that caller's deadline.
    const joinable = options === undefined || (options.timeout === undefined && options.signal === undefined);
    if (joinable) {
      const flight = this.#flights.get(head + '\0' + tail);
      if (flight !== undefined) {
        this.#coalesced++;
        return flight.promise!.then(copyReply);
      }
    }
    const fill = new Fill(head, tail, names, this.#epoch);
    for (const name of names) this.#addReading(name, fill);
    if (joinable) this.#flights.set(fill.key, fill);
    fill.promise = this.#send(command, options).then(
      (value) => this.#filled(fill, value),
      (err: unknown) => {
        this.#done(fill);
        throw err;
      },
    );
    return joinable ? fill.promise.then(copyReply) : fill.promise;
  }

  /** The reply of a fill arrived: keep it unless something changed meanwhile. */
  #filled(fill: Fill, value: Reply): Reply {
    this.#done(fill);
    if (!fill.poisoned && fill.epoch === this.#epoch) {
      const size = sizeOf(value);
      if (size >= 0) this.#store.set(fill.head, fill.tail, fill.names, value, size);
    }
    return value;
  }

  #done(fill: Fill): void {
    if (this.#flights.get(fill.key) === fill) this.#flights.delete(fill.key);
    for (const name of fill.names) {
      const found = this.#reading.get(name);
      if (found === fill) this.#reading.delete(name);
      else if (Array.isArray(found)) {
        const at = found.indexOf(fill);
        if (at !== -1) found.splice(at, 1);
        if (found.length === 0) this.#reading.delete(name);
      }
    }
  }

  #addReading(name: string, fill: Fill): void {
    const found = this.#reading.get(name);
    if (found === undefined) this.#reading.set(name, fill);
    else if (Array.isArray(found)) found.push(fill);
    else if (found !== fill) this.#reading.set(name, [found, fill]);
  }

  /**
   * The Redis keys of a cacheable command as the server names them in invalidations (UTF-8
   * text); null when one cannot be named that way (a Buffer key that is not UTF-8) or, in
   * BCAST mode, falls outside the tracked prefixes: such reads are not cached.
   */
  #keyNames(command: Command): string[] | null {
    const indexes = keyIndexes(command);
    if (indexes.length === 0) return null;
    const names: string[] = [];
    for (const i of indexes) {
      const arg = command[i]!;
      let name: string;
      if (typeof arg === 'string') name = arg;
      else if (typeof arg === 'number') name = '' + arg;
      else if (isUtf8(arg)) name = arg.toString('utf8');
      else return null;
      if (!this.#tracked(name)) return null;
      names.push(name);
    }
    return names;
  }

  #tracked(name: string): boolean {
    const prefixes = this.#config!.prefixes;
    if (prefixes.length === 0) return true;
    for (const prefix of prefixes) if (name.startsWith(prefix)) return true;
    return false;
  }

  // ── what makes entries go ─────────────────────────────────────────────────────────────

  /** @internal A RESP3 push frame from a pool connection. */
  push(frame: Reply[]): void {
    if (frame.length < 2 || !isInvalidate(frame[0]!)) return;
    const keys = frame[1];
    if (keys === null) {
      this.#flush(); // FLUSHALL / FLUSHDB
      return;
    }
    if (!Array.isArray(keys)) return;
    for (const key of keys) {
      this.#invalidate(typeof key === 'string' ? key : Buffer.isBuffer(key) ? key.toString('utf8') : String(key));
    }
  }

  /** @internal A command sent through the pool was answered: drop what it may have changed. */
  written(command: Command): void {
    const names = writtenKeys(command);
    if (names === null) return;
    if (names === 'all') this.#flush();
    else for (const name of names) this.#invalidate(name);
  }

  /** @internal A connection's socket closed: the server forgot what it tracked for it. */
  connectionLost(): void {
    this.#flush();
  }

  #invalidate(name: string): void {
    this.#store.invalidate(name);
    const found = this.#reading.get(name);
    if (found === undefined) return;
    if (Array.isArray(found)) for (const fill of found) this.#poison(fill);
    else this.#poison(found);
  }

  #poison(fill: Fill): void {
    fill.poisoned = true;
    if (this.#flights.get(fill.key) === fill) this.#flights.delete(fill.key);
  }

  #flush(): void {
    this.#epoch++;
    this.#flushes++;
    this.#store.clear();
    this.#flights.clear();
  }
}

/** Starts the head of Buffer-form replies: no command name starts with U+0001. */
const BUFFERS = '\u0001';

/**
 * A command as the bytes the server would see: its RESP encoding, or for one with Buffers or
 * non-ASCII text, those bytes as latin1 after `#`.
 * @throws TypeError for an argument that cannot be sent (as the encoder would)
 */
function encoded(command: Command): string {
  const payload = encodeCommand(command);
  return typeof payload === 'string' ? payload : '#' + payload.toString('latin1');
}

function isInvalidate(kind: Reply): boolean {
  if (typeof kind === 'string') return kind === 'invalidate';
  return Buffer.isBuffer(kind) && kind.length === 10 && kind.toString('latin1') === 'invalidate';
}
