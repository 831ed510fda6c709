import type { Connection, ConnectionHooks } from '../connection/connection.js';
import type { Reply } from '../resp/types.js';
import { addressOf, type SentinelNode } from './config.js';
import type { Dialer } from './dialer.js';

/** Sentinels subscribed to at once: one more than a single point of failure. */
const WATCHED = 2;
/** A watcher whose sentinel failed this many connects in a row is moved to another sentinel. */
const GIVE_UP_AFTER = 3;
/** Channels that mean "the replicas changed" (role 'replica' only). */
const REPLICA_EVENTS = ['+slave', '+sdown', '-sdown', '+convert-to-slave', '+slave-reconf-done', '-odown'];

interface Watcher {
  node: SentinelNode;
  connection: Connection;
  /** Connects failed in a row. */
  failures: number;
  /** Was ready once: a later 'ready' is a reconnect, after which events may have been missed. */
  seen: boolean;
}

/**
 * Subscriptions to `+switch-master` (and, for a replica pool, the replica events) on two
 * sentinels at once, so one sentinel down or partitioned does not leave the pool deaf. Each
 * message about our primary prompts a resolver round: the message itself is not trusted, the
 * round asks and checks ROLE. A watcher that reconnects also prompts a round (it may have
 * missed a switch meanwhile); one whose sentinel keeps failing is moved to another sentinel.
 */
export class Watchers {
  readonly #dialer: Dialer;
  readonly #name: string;
  readonly #channels: string[];
  readonly #prompt: () => void;
  #watchers: Watcher[] = [];
  #closed = false;

  constructor(dialer: Dialer, name: string, replicas: boolean, prompt: () => void) {
    this.#dialer = dialer;
    this.#name = name;
    this.#channels = ['+switch-master', ...(replicas ? REPLICA_EVENTS : [])];
    this.#prompt = prompt;
  }

  /** Keeps {@link WATCHED} watchers on the healthiest of `sentinels` (in preference order). */
  watch(sentinels: readonly SentinelNode[]): void {
    if (this.#closed) return;
    for (const watcher of this.#watchers) {
      if (watcher.failures >= GIVE_UP_AFTER && sentinels.length > this.#watchers.length) this.#drop(watcher);
    }
    for (const node of sentinels) {
      if (this.#watchers.length >= WATCHED) break;
      if (this.#watchers.some((w) => same(w.node, node))) continue;
      this.#watchers.push(this.#start(node));
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    const watchers = this.#watchers;
    this.#watchers = [];
    await Promise.all(watchers.map((w) => w.connection.close()));
  }

  #drop(watcher: Watcher): void {
    this.#watchers = this.#watchers.filter((w) => w !== watcher);
    watcher.connection.destroy();
  }

  #start(node: SentinelNode): Watcher {
    const watcher = { node, failures: 0, seen: false } as Watcher;
    watcher.connection = this.#dialer.subscriber(node, this.#hooks(watcher));
    return watcher;
  }

  #hooks(watcher: Watcher): ConnectionHooks {
    return {
      ready: (connection) => {
        watcher.failures = 0;
        connection.sendNoReply(['SUBSCRIBE', ...this.#channels]);
        if (watcher.seen) this.#prompt();
        watcher.seen = true;
      },
      reconnecting: () => {
        watcher.failures++;
      },
      end: () => {
        if (!this.#closed) this.#watchers = this.#watchers.filter((w) => w !== watcher);
      },
      push: (_connection, frame) => this.#message(frame),
      unblock: () => undefined,
    };
  }

  #message(frame: Reply[]): void {
    if (String(frame[0]) !== 'message') return;
    const channel = String(frame[1]);
    const payload = String(frame[2]);
    // +switch-master: "<name> <old ip> <old port> <new ip> <new port>"; instance events:
    // "<type> <name> <ip> <port> @ <master name> <master ip> <master port>".
    const ours = channel === '+switch-master'
      ? payload.startsWith(`${this.#name} `)
      : payload.includes(` @ ${this.#name} `);
    if (ours) this.#prompt();
  }
}

function same(a: SentinelNode, b: SentinelNode): boolean {
  return addressOf(a.host, a.port) === addressOf(b.host, b.port);
}
