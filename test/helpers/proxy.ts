/**
 * A fault-injecting TCP proxy between a client under test and a real server, for network faults
 * a healthy redis-server never produces: a peer that goes silent, replies that arrive a few
 * bytes at a time, connections cut mid-stream, connections refused.
 *
 * ```
 *   client ──> proxy (127.0.0.1:port) ──> target
 *          <── [split / blackhole here] <──
 * ```
 *
 * The mode is global and read per chunk, so switching it affects open connections too.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { track } from './cleanup.js';

/** How the proxy treats bytes. */
export type ProxyMode = 'pass' | 'blackhole' | 'split';

/** A running proxy. */
export interface FaultProxy {
  port: number;
  /** `redis://127.0.0.1:PORT` */
  url: string;
  /**
   * `'pass'` forwards; `'blackhole'` accepts and reads but never forwards, in both directions
   * (connections accepted while blackholed never get an upstream, so they stay silent for good);
   * `'split'` forwards server->client bytes in chunks of `chunkSize` (default 1) with `delayMs`
   * (default 1) between them, so the client's decoder sees every split point.
   */
  setMode(mode: ProxyMode, opts?: { chunkSize?: number; delayMs?: number }): void;
  /**
   * Blackholes the connections open now, in both directions, for good; connections accepted
   * later pass (a NAT or firewall that forgot some flows while the server is alive).
   */
  silenceOpen(): void;
  /** Destroys every open client+upstream socket pair now; `'reset'` sends a TCP RST instead of a FIN. */
  cutAll(how?: 'destroy' | 'reset'): void;
  /** While on, accepts and immediately destroys new connections. */
  refuse(on: boolean): void;
  /** Open client connections. */
  connections(): number;
  /** Resolves once exactly `count` client connections are open (now, or at an accept or a close). */
  whenConnections(count: number): Promise<void>;
  /** Bytes forwarded so far, per direction. */
  bytesToClient: number;
  bytesToServer: number;
  close(): Promise<void>;
}

/** One client connection and its upstream. */
interface Pair {
  client: Socket;
  upstream?: Socket;
  /** server->client bytes not yet written (non-empty only in split mode or while blackholed). */
  toClient: Buffer[];
  /** Pending split delay; the next chunk waits for it. */
  timer?: NodeJS.Timeout;
  /** The server closed its side: end the client's once `toClient` is flushed. */
  upstreamEnded: boolean;
  /** Silenced by silenceOpen(): nothing passes either way, whatever the mode. */
  silenced?: boolean;
}

/** Starts a proxy on a free loopback port forwarding to `target`. */
export async function startProxy(target: { host?: string; port: number }): Promise<FaultProxy> {
  const proxy = new Proxy(target);
  await proxy.listen();
  return proxy;
}

class Proxy implements FaultProxy {
  port = 0;
  bytesToClient = 0;
  bytesToServer = 0;
  readonly #target: { host: string; port: number };
  readonly #server: Server;
  readonly #pairs = new Set<Pair>();
  #mode: ProxyMode = 'pass';
  #chunkSize = 1;
  #delayMs = 1;
  #refusing = false;
  #untrack?: () => void;
  #countWaiters: { count: number; resolve: () => void }[] = [];

  constructor(target: { host?: string; port: number }) {
    this.#target = { host: target.host ?? '127.0.0.1', port: target.port };
    this.#server = createServer((socket) => this.#accept(socket));
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(0, '127.0.0.1', () => {
        const address = this.#server.address();
        this.port = typeof address === 'object' && address ? address.port : 0;
        this.#untrack = track({ close: () => this.close(), closeSync: () => this.cutAll() });
        resolve();
      });
    });
  }

  setMode(mode: ProxyMode, opts: { chunkSize?: number; delayMs?: number } = {}): void {
    this.#mode = mode;
    this.#chunkSize = Math.max(1, opts.chunkSize ?? 1);
    this.#delayMs = Math.max(0, opts.delayMs ?? 1);
    // Release what split/blackhole held back now, not after a pending split delay.
    for (const pair of this.#pairs) {
      clearTimeout(pair.timer);
      pair.timer = undefined;
      this.#pump(pair);
    }
  }

  silenceOpen(): void {
    for (const pair of this.#pairs) pair.silenced = true;
  }

  cutAll(how: 'destroy' | 'reset' = 'destroy'): void {
    for (const pair of [...this.#pairs]) {
      if (how === 'reset') {
        pair.client.resetAndDestroy();
        pair.upstream?.resetAndDestroy();
      }
      this.#drop(pair);
    }
  }

  refuse(on: boolean): void {
    this.#refusing = on;
  }

  connections(): number {
    return this.#pairs.size;
  }

  whenConnections(count: number): Promise<void> {
    if (this.#pairs.size === count) return Promise.resolve();
    return new Promise((resolve) => this.#countWaiters.push({ count, resolve }));
  }

  #counted(): void {
    const size = this.#pairs.size;
    const due = this.#countWaiters.filter((w) => w.count === size);
    if (due.length === 0) return;
    this.#countWaiters = this.#countWaiters.filter((w) => w.count !== size);
    for (const w of due) w.resolve();
  }

  close(): Promise<void> {
    this.#untrack?.();
    this.cutAll();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }

  #accept(client: Socket): void {
    if (this.#refusing) {
      client.destroy();
      return;
    }
    client.setNoDelay(true); // each split chunk must leave as its own segment
    const pair: Pair = { client, toClient: [], upstreamEnded: false };
    this.#pairs.add(pair);
    this.#counted();
    client.on('error', () => this.#drop(pair));
    client.on('close', () => this.#drop(pair));
    client.on('data', (chunk: Buffer) => this.#fromClient(pair, chunk));
    if (this.#mode === 'blackhole') return;
    const upstream = createConnection(this.#target.port, this.#target.host);
    upstream.setNoDelay(true);
    pair.upstream = upstream;
    upstream.on('error', () => this.#drop(pair));
    upstream.on('data', (chunk: Buffer) => {
      pair.toClient.push(chunk);
      this.#pump(pair);
    });
    // The server hung up (e.g. it was killed): pass that on, after any bytes still held back.
    upstream.on('close', () => {
      pair.upstreamEnded = true;
      this.#pump(pair);
    });
  }

  #fromClient(pair: Pair, chunk: Buffer): void {
    if (this.#mode === 'blackhole' || pair.silenced || !pair.upstream || pair.upstream.destroyed) return;
    this.bytesToServer += chunk.length;
    pair.upstream.write(chunk);
  }

  /** Writes held server->client bytes as the current mode allows. */
  #pump(pair: Pair): void {
    if (pair.timer || pair.client.destroyed || this.#mode === 'blackhole' || pair.silenced) return;
    if (this.#mode === 'pass') {
      for (const chunk of pair.toClient) this.#toClient(pair, chunk);
      pair.toClient = [];
    } else if (pair.toClient.length > 0) {
      const head = pair.toClient[0]!;
      this.#toClient(pair, head.subarray(0, this.#chunkSize));
      if (head.length > this.#chunkSize) pair.toClient[0] = head.subarray(this.#chunkSize);
      else pair.toClient.shift();
      pair.timer = setTimeout(() => {
        pair.timer = undefined;
        this.#pump(pair);
      }, this.#delayMs);
      return;
    }
    if (pair.upstreamEnded && pair.toClient.length === 0) this.#drop(pair, 'flush');
  }

  #toClient(pair: Pair, chunk: Buffer): void {
    this.bytesToClient += chunk.length;
    pair.client.write(chunk);
  }

  /** Forgets a pair and closes both sockets; `'flush'` lets the client read what was written first. */
  #drop(pair: Pair, how: 'destroy' | 'flush' = 'destroy'): void {
    if (!this.#pairs.delete(pair)) return;
    this.#counted();
    clearTimeout(pair.timer);
    pair.upstream?.destroy();
    if (how === 'flush') pair.client.end(() => pair.client.destroy());
    else pair.client.destroy();
  }
}
