import { backoffDelay, type BackoffPolicy } from '../connection/backoff.js';
import type { ConnectionConfig, Target } from '../connection/connection.js';
import { sentinelFailoverChannel } from '../diagnostics/channels.js';
import { ConnectionError } from '../errors.js';
import type { Locator, LocatorEvents } from '../pool/locator.js';
import type { Reply } from '../resp/types.js';
import { addressOf, type SentinelConfig, type SentinelNode } from './config.js';
import { Dialer, target } from './dialer.js';
import { Watchers } from './watchers.js';

/** Rounds also run this often with nothing to prompt them: sentinel list, replicas. */
const REFRESH_EVERY_MS = 15_000;
/** Replica flags that mean "do not read from it". */
const UNUSABLE = /s_down|o_down|disconnected/;

interface Answer {
  primary: Target;
  replicas: Target[];
}

/**
 * Sentinel as an address resolver: it answers "where is the primary (or a replica) now" and
 * tells the pool when that changes. It never carries commands.
 *
 * A round asks the known sentinels in order, the one that answered last first:
 * `SENTINEL GET-MASTER-ADDR-BY-NAME`, `SENTINEL SENTINELS` (to learn the others) and, for
 * `role: 'replica'`, `SENTINEL REPLICAS`. The primary it names is trusted only after its own
 * ROLE says master (during a failover a sentinel may still name the old one): a stale answer
 * sends the round on to the next sentinel, and a round without a confirmed primary is retried
 * with backoff. Rounds run at start, on `+switch-master` (watched on two sentinels), when a
 * connection is lost or answers READONLY/LOADING/a wrong ROLE, and every 15 s.
 *
 * ```
 *  trigger ──> round ──> confirmed primary P ── P changed ──> events.moved(old, P)
 *     ▲          │ no sentinel gave a confirmed primary
 *     └─backoff──┘──> events.failed(error naming what each sentinel said)
 * ```
 */
export class SentinelResolver implements Locator {
  readonly expectRole: 'master' | 'slave';
  readonly #config: SentinelConfig;
  readonly #dialer: Dialer;
  readonly #policy: BackoffPolicy;
  readonly #watchers: Watchers;
  /** Known sentinels, the one that answered last first. */
  #sentinels: SentinelNode[];
  #answer: Answer | null = null;
  #events: LocatorEvents | null = null;
  #running: Promise<void> | null = null;
  #again = false;
  #failures = 0;
  #retry: NodeJS.Timeout | null = null;
  #periodic: NodeJS.Timeout | null = null;
  #next = 0;
  #closed = false;
  #waiters: (() => void)[] = [];

  constructor(config: SentinelConfig, role: 'primary' | 'replica', sentinel: ConnectionConfig, data: ConnectionConfig) {
    this.#config = config;
    this.expectRole = role === 'replica' ? 'slave' : 'master';
    this.#dialer = new Dialer(sentinel, data);
    this.#policy = { ...data, maxAttempts: null };
    this.#sentinels = [...config.nodes];
    this.#watchers = new Watchers(this.#dialer, config.name, role === 'replica', () => this.refresh());
  }

  // ── Locator ─────────────────────────────────────────────────────────────────────────

  start(events: LocatorEvents): void {
    this.#events = events;
    this.refresh();
    this.#periodic = setInterval(() => this.refresh(), REFRESH_EVERY_MS);
    this.#periodic.unref();
  }

  ready(): Promise<void> {
    if (this.#answer !== null || this.#closed) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  next(): Target | null {
    const answer = this.#answer;
    if (answer === null) return null;
    if (this.expectRole === 'master' || answer.replicas.length === 0) return answer.primary;
    // No replica: the primary is returned, its ROLE check refuses it, and a round runs.
    this.#next = (this.#next + 1) % answer.replicas.length;
    return answer.replicas[this.#next]!;
  }

  accepts(address: string): boolean {
    const answer = this.#answer;
    if (answer === null) return true;
    if (this.expectRole === 'master') return address === answer.primary.address;
    return answer.replicas.some((replica) => replica.address === address);
  }

  suspect(address: string, _cause: Error): void {
    // A retry is already scheduled after a failed round: reconnecting connections must not
    // turn the round's backoff into one round per reconnect attempt.
    if (this.#retry !== null) return;
    if (this.#answer === null || this.accepts(address) || this.expectRole === 'slave') this.refresh();
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#retry !== null) clearTimeout(this.#retry);
    if (this.#periodic !== null) clearInterval(this.#periodic);
    this.#wake();
    await this.#watchers.close();
    await this.#running?.catch(() => undefined);
    this.#dialer.close();
  }

  // ── rounds ──────────────────────────────────────────────────────────────────────────

  /** Runs a round now, or right after the one running (a trigger during a round is not lost). */
  refresh(): void {
    if (this.#closed) return;
    if (this.#running !== null) {
      this.#again = true;
      return;
    }
    if (this.#retry !== null) {
      clearTimeout(this.#retry);
      this.#retry = null;
    }
    this.#running = this.#round().finally(() => {
      this.#running = null;
      if (this.#again && this.#retry === null) {
        this.#again = false;
        this.refresh();
      }
    });
  }

  async #round(): Promise<void> {
    const said: string[] = [];
    for (const node of [...this.#sentinels]) {
      if (this.#closed) return;
      const answer = await this.#ask(node, said);
      if (answer === null) continue;
      this.#prefer(node);
      this.#accept(answer, addressOf(node.host, node.port));
      return;
    }
    if (this.#closed) return;
    const error = new ConnectionError(
      `no sentinel named a reachable ${this.expectRole === 'master' ? 'primary' : 'node'} for '${this.#config.name}': ${said.join('; ')}`,
      { code: 'ESENTINEL' },
    );
    const delay = backoffDelay(this.#policy, this.#failures++)!;
    this.#again = false;
    this.#retry = setTimeout(() => {
      this.#retry = null;
      this.refresh();
    }, delay);
    this.#retry.unref();
    this.#events?.failed(error, this.#failures, delay);
  }

  /** One sentinel's answer, verified; null (with what went wrong appended to `said`) otherwise. */
  async #ask(node: SentinelNode, said: string[]): Promise<Answer | null> {
    const name = this.#config.name;
    const where = addressOf(node.host, node.port);
    let replies: Reply[];
    try {
      const commands = [['SENTINEL', 'GET-MASTER-ADDR-BY-NAME', name], ['SENTINEL', 'SENTINELS', name]];
      if (this.expectRole === 'slave') commands.push(['SENTINEL', 'REPLICAS', name]);
      replies = await this.#dialer.ask(node, commands);
    } catch (err) {
      said.push(`${where}: ${(err as Error).message}`);
      return null;
    }
    const pair = replies[0];
    if (!Array.isArray(pair) || pair.length < 2) {
      said.push(`${where}: does not know '${name}'`);
      return null;
    }
    const primary = target({ host: String(pair[0]), port: Number(pair[1]) });
    // A read pool does not need the primary up: each replica connection checks its own ROLE.
    if (this.expectRole === 'master') {
      try {
        await this.#dialer.verify(primary, 'master');
      } catch (err) {
        said.push(`${where}: named ${primary.address}, which failed its check (${(err as Error).message})`);
        return null;
      }
    }
    this.#learn(replies[1]);
    const replicas = this.expectRole === 'slave' ? usableReplicas(replies[2]) : [];
    if (this.expectRole === 'slave' && replicas.length === 0) {
      said.push(`${where}: reports no replica of '${name}' that is up`);
      return null;
    }
    return { primary, replicas };
  }

  #accept(answer: Answer, sentinel: string): void {
    const before = this.#answer;
    this.#answer = answer;
    const recovered = this.#failures > 0;
    this.#failures = 0;
    this.#watchers.watch(this.#sentinels);
    if (before === null) {
      this.#wake();
      this.#events?.found(answer.primary.address);
      return;
    }
    if (recovered) this.#events?.recovered(answer.primary.address);
    if (before.primary.address !== answer.primary.address) {
      const [from, to] = [before.primary.address, answer.primary.address];
      if (sentinelFailoverChannel.hasSubscribers) {
        sentinelFailoverChannel.publish({ masterName: this.#config.name, from, to, sentinel });
      }
      this.#events?.moved(from, to);
    } else if (this.expectRole === 'slave' && !sameAddresses(before.replicas, answer.replicas)) {
      this.#events?.changed();
    }
  }

  /** Adds the sentinels another sentinel knows of (SENTINEL SENTINELS) to the list. */
  #learn(reply: Reply | undefined): void {
    if (!Array.isArray(reply)) return;
    for (const entry of reply) {
      const fields = record(entry);
      const port = Number(fields.port);
      if (!fields.ip || !Number.isInteger(port) || UNUSABLE.test(fields.flags ?? '')) continue;
      if (!this.#sentinels.some((s) => s.host === fields.ip && s.port === port)) {
        this.#sentinels.push({ host: fields.ip, port });
      }
    }
  }

  /** The sentinel that answered goes first next time. */
  #prefer(node: SentinelNode): void {
    this.#sentinels = [node, ...this.#sentinels.filter((s) => s !== node)];
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const resolve of waiters) resolve();
  }
}

/** SENTINEL REPLICAS: those without a down (or disconnected) flag. */
function usableReplicas(reply: Reply | undefined): Target[] {
  if (!Array.isArray(reply)) return [];
  const out: Target[] = [];
  for (const entry of reply) {
    const fields = record(entry);
    // Flags only: a sentinel's master-link-status comes from INFO every 10 s and lags; the
    // connection's ROLE check has the node's own word.
    if (UNUSABLE.test(fields.flags ?? '')) continue;
    if (fields.ip && fields.port) out.push(target({ host: fields.ip, port: Number(fields.port) }));
  }
  return out.sort((a, b) => (a.address < b.address ? -1 : 1));
}

function sameAddresses(a: Target[], b: Target[]): boolean {
  return a.length === b.length && a.every((t, i) => t.address === b[i]!.address);
}

/** A sentinel's flat `[k1, v1, k2, v2...]` reply (a Map under RESP3) as a plain record. */
function record(entry: Reply): Record<string, string> {
  const out: Record<string, string> = {};
  if (entry instanceof Map) {
    for (const [k, v] of entry) out[String(k)] = String(v);
  } else if (Array.isArray(entry)) {
    for (let i = 0; i + 1 < entry.length; i += 2) out[String(entry[i])] = String(entry[i + 1]);
  }
  return out;
}
