/**
 * The cache's memory: replies by command, bounded by entries and by bytes, least recently used
 * out first, with an optional time to live; indexed by Redis key so an invalidation finds every
 * reply that read the key (GET k, HGET k f, MGET a k...).
 *
 * ```
 *   entries: head -> tail -> Entry     byName: redis key -> Entry | Set<Entry>
 *   (head, tail) names a reply: (`GET`, `user:1`) for one-argument commands, so a hit hashes
 *   the caller's own key string and builds nothing; (`*`, RESP encoding) for the rest.
 *
 *   LRU list (intrusive, doubly linked):  head (oldest) <-> ... <-> tail (newest)
 *     get(): hit moves the entry to the tail      set(): append, then evict from the head
 *                                                 until within maxEntries and maxBytes
 * ```
 *
 * No timers: an expired entry is dropped when it is next read, or as the LRU reaches it.
 */
import { cacheEvictionChannel } from '../diagnostics/channels.js';
import { publishCacheEviction as publishEviction } from '../diagnostics/trace.js';
import type { Reply } from '../resp/types.js';

export interface StoreLimits {
  maxEntries: number;
  maxBytes: number;
  /** ms an entry lives after it was stored; 0: until invalidated or evicted. */
  ttl: number;
}

/** One cached reply. */
export class Entry {
  readonly head: string;
  readonly tail: string;
  /** The Redis keys the reply depends on. */
  readonly names: readonly string[];
  readonly value: Reply;
  readonly size: number;
  readonly expiresAt: number;
  prev: Entry | null = null;
  next: Entry | null = null;

  constructor(head: string, tail: string, names: readonly string[], value: Reply, size: number, expiresAt: number) {
    this.head = head;
    this.tail = tail;
    this.names = names;
    this.value = value;
    this.size = size;
    this.expiresAt = expiresAt;
  }
}

/** Fixed charge per entry: the Entry, its slots in two maps, the names array. */
const ENTRY_OVERHEAD = 160;

/** Why entries left: counted for the stats. */
export interface StoreCounters {
  evictions: number;
  expired: number;
  invalidations: number;
}

export class Store {
  readonly #limits: StoreLimits;
  readonly #entries = new Map<string, Map<string, Entry>>();
  #size = 0;
  readonly #byName = new Map<string, Entry | Set<Entry>>();
  #head: Entry | null = null;
  #tail: Entry | null = null;
  #bytes = 0;
  readonly counters: StoreCounters = { evictions: 0, expired: 0, invalidations: 0 };

  constructor(limits: StoreLimits) {
    this.#limits = limits;
  }

  get size(): number {
    return this.#size;
  }
  get bytes(): number {
    return this.#bytes;
  }

  /** The live entry named (head, tail), now the most recently used; undefined if absent or expired. */
  get(head: string, tail: string): Entry | undefined {
    const entry = this.#entries.get(head)?.get(tail);
    if (entry === undefined) return undefined;
    if (entry.expiresAt !== 0 && entry.expiresAt <= Date.now()) {
      this.#remove(entry);
      this.counters.expired++;
      if (cacheEvictionChannel.hasSubscribers) publishEviction('expired', entry.names[0], 1);
      return undefined;
    }
    if (entry !== this.#tail) {
      this.#unlink(entry);
      this.#append(entry);
    }
    return entry;
  }

  /**
   * Stores a reply (replacing any for the same command), then evicts the least recently used
   * until within bounds. A reply larger than maxBytes on its own is not stored.
   */
  set(head: string, tail: string, names: readonly string[], value: Reply, valueSize: number): void {
    let size = ENTRY_OVERHEAD + head.length + tail.length;
    for (const name of names) size += name.length + 16;
    size += valueSize;
    let tails = this.#entries.get(head);
    const old = tails?.get(tail);
    if (old !== undefined) this.#remove(old);
    if (size > this.#limits.maxBytes) return;
    const ttl = this.#limits.ttl;
    const entry = new Entry(head, tail, names, value, size, ttl > 0 ? Date.now() + ttl : 0);
    if (tails === undefined || tails.size === 0) {
      tails = new Map();
      this.#entries.set(head, tails);
    }
    tails.set(tail, entry);
    this.#size++;
    this.#append(entry);
    this.#bytes += size;
    for (const name of names) this.#index(name, entry);
    while (this.#size > this.#limits.maxEntries || this.#bytes > this.#limits.maxBytes) {
      const evicted = this.#head!;
      this.#remove(evicted);
      this.counters.evictions++;
      if (cacheEvictionChannel.hasSubscribers) publishEviction('evicted', evicted.names[0], 1);
    }
  }

  /** Drops every reply that read `name`. @returns how many were dropped. */
  invalidate(name: string): number {
    const found = this.#byName.get(name);
    if (found === undefined) return 0;
    if (found instanceof Set) {
      const entries = [...found];
      for (const entry of entries) this.#remove(entry);
      this.counters.invalidations += entries.length;
      if (cacheEvictionChannel.hasSubscribers) publishEviction('invalidated', name, entries.length);
      return entries.length;
    }
    this.#remove(found);
    this.counters.invalidations++;
    if (cacheEvictionChannel.hasSubscribers) publishEviction('invalidated', name, 1);
    return 1;
  }

  /** Drops everything. @returns how many entries were dropped. */
  clear(): number {
    const count = this.#size;
    this.#size = 0;
    if (count > 0 && cacheEvictionChannel.hasSubscribers) publishEviction('flushed', undefined, count);
    this.#entries.clear();
    this.#byName.clear();
    this.#head = null;
    this.#tail = null;
    this.#bytes = 0;
    return count;
  }

  /** Keys from least to most recently used (tests and debugging). */
  keys(): string[] {
    const out: string[] = [];
    for (let e = this.#head; e !== null; e = e.next) out.push(e.head + e.tail);
    return out;
  }

  #remove(entry: Entry): void {
    const tails = this.#entries.get(entry.head)!;
    tails.delete(entry.tail);
    if (tails.size === 0) this.#entries.delete(entry.head);
    this.#size--;
    this.#unlink(entry);
    this.#bytes -= entry.size;
    for (const name of entry.names) this.#unindex(name, entry);
  }

  #index(name: string, entry: Entry): void {
    const found = this.#byName.get(name);
    if (found === undefined) this.#byName.set(name, entry);
    else if (found instanceof Set) found.add(entry);
    else if (found !== entry) this.#byName.set(name, new Set([found, entry]));
  }

  #unindex(name: string, entry: Entry): void {
    const found = this.#byName.get(name);
    if (found === entry) this.#byName.delete(name);
    else if (found instanceof Set) {
      found.delete(entry);
      if (found.size === 0) this.#byName.delete(name);
    }
  }

  #append(entry: Entry): void {
    entry.prev = this.#tail;
    entry.next = null;
    if (this.#tail !== null) this.#tail.next = entry;
    else this.#head = entry;
    this.#tail = entry;
  }

  #unlink(entry: Entry): void {
    if (entry.prev !== null) entry.prev.next = entry.next;
    else this.#head = entry.next;
    if (entry.next !== null) entry.next.prev = entry.prev;
    else this.#tail = entry.prev;
    entry.prev = null;
    entry.next = null;
  }
}
