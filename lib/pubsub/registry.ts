import type { SubscriptionHandle } from './subscription.js';

/** Channels (SUBSCRIBE), glob-style patterns (PSUBSCRIBE) or shard channels (SSUBSCRIBE, Redis Cluster). */
export type SubscriptionKind = 'channel' | 'pattern' | 'shard';

/** One subscribe() call's listener, filed under each of its channels. */
export interface Entry {
  readonly listener: (message: string | Buffer, channel: string, pattern?: string) => void;
  /** Deliver payloads as Buffers rather than UTF-8 strings. */
  readonly buffers: boolean;
  readonly subscription: SubscriptionHandle;
}

/**
 * Who listens to what, as the server should see it: a channel is subscribed on the server
 * exactly while it has at least one entry here. After a reconnect the registry is what gets
 * subscribed again.
 *
 * ```
 *   channels: 'news'  -> { entry(sub A), entry(sub B) }
 *             'sport' -> { entry(sub B) }
 *   patterns: 'log.*' -> { entry(sub C) }
 * ```
 */
export class Registry {
  readonly #byKind: Record<SubscriptionKind, Map<string, Set<Entry>>> = {
    channel: new Map(),
    pattern: new Map(),
    shard: new Map(),
  };

  /** The entries listening on `name`, or undefined when none does. */
  get(kind: SubscriptionKind, name: string): Set<Entry> | undefined {
    return this.#byKind[kind].get(name);
  }

  /** Files `entry` under each name. @returns the names that had no listener before. */
  add(kind: SubscriptionKind, names: readonly string[], entry: Entry): string[] {
    const map = this.#byKind[kind];
    const fresh: string[] = [];
    for (const name of names) {
      let entries = map.get(name);
      if (entries === undefined) {
        entries = new Set();
        map.set(name, entries);
        fresh.push(name);
      }
      entries.add(entry);
    }
    return fresh;
  }

  /** Removes `entry` from each name. @returns the names left with no listener. */
  remove(kind: SubscriptionKind, names: readonly string[], entry: Entry): string[] {
    const map = this.#byKind[kind];
    const orphaned: string[] = [];
    for (const name of names) {
      const entries = map.get(name);
      if (entries === undefined || !entries.delete(entry)) continue;
      if (entries.size === 0) {
        map.delete(name);
        orphaned.push(name);
      }
    }
    return orphaned;
  }

  /** Every name with a listener. */
  names(kind: SubscriptionKind): string[] {
    return [...this.#byKind[kind].keys()];
  }

  /** Every live subscription, each once. */
  subscriptions(): Set<SubscriptionHandle> {
    const subs = new Set<SubscriptionHandle>();
    for (const map of Object.values(this.#byKind)) {
      for (const entries of map.values()) for (const entry of entries) subs.add(entry.subscription);
    }
    return subs;
  }

  get size(): number {
    return this.#byKind.channel.size + this.#byKind.pattern.size + this.#byKind.shard.size;
  }

  clear(): void {
    this.#byKind.channel.clear();
    this.#byKind.pattern.clear();
    this.#byKind.shard.clear();
  }
}
