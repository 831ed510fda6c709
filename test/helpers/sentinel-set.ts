/**
 * A Redis Sentinel deployment for tests: a primary, a replica or more (`--replicaof`) and three
 * sentinels (`redis-server sentinel.conf --sentinel`, each with its own config file in its own
 * temp dir), all on free loopback ports and tracked by cleanup.ts. Start it once per suite:
 * sentinels need a second or two to find each other.
 *
 * ```ts
 * const set = await startSentinelSet();
 * const switched = set.nextSwitch();          // resolves on sentinel's +switch-master
 * await (await set.primary()).kill();
 * await switched;
 * await set.heal();                           // restart what is down, wait for a clean topology
 * ```
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { track } from './cleanup.js';
import { freePort, isAddressInUse } from './ports.js';
import { rawCommands } from './raw-client.js';
import { encodeCommand, parseFrame, RawErrorReply, type RawReply } from './raw-resp.js';
import { INSTALL_HINT, redisServerAvailable, startRedis, type RedisServer } from './redis-server.js';

export const MASTER_NAME = 'mymaster';

export interface SentinelSetOptions {
  /** Extra args for both data nodes (e.g. `['--requirepass', 's3cret', '--masterauth', 's3cret']`). */
  nodeArgs?: string[];
  /** Extra lines for every sentinel.conf (e.g. `sentinel auth-pass mymaster s3cret`). */
  sentinelConf?: string[];
  /** Replicas to start (default 1). */
  replicas?: number;
  /** Password the sentinels themselves require (`requirepass` in sentinel.conf). */
  sentinelPassword?: string;
}

export interface SentinelSet {
  readonly name: string;
  /** The data nodes, in start order (index 0 was the first primary). */
  readonly nodes: RedisServer[];
  readonly sentinels: SentinelProcess[];
  /** `{ host, port }` of each sentinel, for the pool's `sentinel.nodes`. */
  readonly sentinelNodes: { host: string; port: number }[];
  /**
   * The data node every running sentinel reports as primary. Right after a failover they may
   * disagree for a moment (only the leader announced +switch-master yet): asked again until
   * they agree, up to `timeoutMs` (default 10 s).
   */
  primary(timeoutMs?: number): Promise<RedisServer>;
  /** The data nodes other than the primary. */
  replicas(): Promise<RedisServer[]>;
  /**
   * Asks a sentinel for a manual failover (SENTINEL FAILOVER), again while it answers
   * NOGOODSLAVE or INPROG: right after a heal a sentinel may not have refreshed its view of the
   * replica yet (its INFO period is 10 s).
   */
  failover(timeoutMs?: number): Promise<void>;
  /** Resolves with `{ from, to }` ports on the next +switch-master seen by any sentinel. */
  nextSwitch(timeoutMs?: number): Promise<{ from: number; to: number }>;
  /**
   * Restarts stopped processes, resumes paused ones, makes every node but the reported primary
   * its replica, and waits until the sentinels agree and see every replica up.
   */
  heal(timeoutMs?: number): Promise<void>;
}

export class SentinelProcess {
  readonly host = '127.0.0.1';
  port = 0;
  #child: ChildProcess | null = null;
  #exited: Promise<void> = Promise.resolve();
  #output: string[] = [];
  readonly #dir: string;
  readonly #conf: string[];
  /** The sentinel's requirepass, if any. */
  readonly password?: string;

  constructor(conf: string[], password?: string) {
    this.#dir = mkdtempSync(join(tmpdir(), 'respool-sentinel-'));
    this.#conf = conf;
    this.password = password;
    const untrack = track({
      close: async () => {
        untrack();
        await this.kill();
        rmSync(this.#dir, { recursive: true, force: true });
      },
      closeSync: () => {
        if (this.running) this.#child!.kill('SIGKILL');
        rmSync(this.#dir, { recursive: true, force: true });
      },
    });
  }

  get running(): boolean {
    return this.#child !== null && this.#child.exitCode === null && this.#child.signalCode === null;
  }

  /** Starts on a free port (or the same port again when restarting). */
  async start(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const fresh = this.port === 0;
      if (fresh) this.port = await freePort();
      try {
        await this.#spawn(fresh);
        return;
      } catch (err) {
        if (!fresh || attempt >= 5 || !isAddressInUse(String(err))) throw err;
        this.port = 0;
      }
    }
  }

  #spawn(writeConf: boolean): Promise<void> {
    const file = join(this.#dir, 'sentinel.conf');
    // Sentinel rewrites its own file (ids, epochs, known replicas): keep it across restarts.
    if (writeConf) {
      const lines = [`port ${this.port}`, 'bind 127.0.0.1', 'daemonize no', 'logfile ""', `dir "${this.#dir}"`,
        ...(this.password ? [`requirepass "${this.password}"`] : []), ...this.#conf];
      writeFileSync(file, lines.join('\n') + '\n');
    }
    this.#output = [];
    const child = spawn('redis-server', [file, '--sentinel'], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.#child = child;
    this.#exited = new Promise((resolve) => child.once('close', () => resolve()));
    return new Promise((resolve, reject) => {
      const fail = (why: string) => {
        clearTimeout(timer);
        child.kill('SIGKILL');
        reject(new Error(`sentinel on port ${this.port} ${why}; output:\n${this.#output.join('\n')}`));
      };
      const timer = setTimeout(() => fail('not ready after 10 s'), 10_000);
      const onExit = (code: number | null) => fail(`exited (code ${code})`);
      child.once('exit', onExit);
      let partial = '';
      const onData = (chunk: Buffer) => {
        const lines = (partial + chunk.toString('utf8')).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) {
          this.#output.push(line);
          if (this.#output.length > 40) this.#output.shift();
          if (line.includes('Sentinel ID is')) {
            clearTimeout(timer);
            child.removeListener('exit', onExit);
            resolve();
          }
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
    });
  }

  async kill(): Promise<void> {
    if (this.running) this.#child!.kill('SIGKILL');
    await this.#exited;
  }

  /** SIGSTOP: the socket accepts connections (the kernel does) but nothing answers. */
  pause(): void {
    if (this.running) this.#child!.kill('SIGSTOP');
  }

  resume(): void {
    if (this.running) this.#child!.kill('SIGCONT');
  }

  /** One command over a raw socket; error replies reject. */
  async cli(...args: (string | number)[]): Promise<RawReply> {
    const commands = this.password ? [['AUTH', this.password], args] : [args];
    const replies = await rawCommands({ port: this.port }, commands, { timeoutMs: 3000 });
    const reply = replies[replies.length - 1]!;
    if (reply instanceof RawErrorReply) throw reply;
    return reply;
  }
}

/** Starts the primary, the replica and three sentinels (quorum 2, down-after 1 s). */
export async function startSentinelSet(options: SentinelSetOptions = {}): Promise<SentinelSet> {
  if (!redisServerAvailable()) throw new Error(`redis-server not found; ${INSTALL_HINT}`);
  // No 5 s wait before a full sync (the default): a replica links within a second.
  const args = ['--repl-diskless-sync-delay', '0', ...(options.nodeArgs ?? [])];
  const first = await startRedis({ args });
  const replicaArgs = ['--replicaof', '127.0.0.1', String(first.port), ...args];
  const replicas = await Promise.all(
    Array.from({ length: options.replicas ?? 1 }, () => startRedis({ args: replicaArgs })));
  const nodes = [first, ...replicas];
  const conf = [
    `sentinel monitor ${MASTER_NAME} 127.0.0.1 ${first.port} 2`,
    `sentinel down-after-milliseconds ${MASTER_NAME} 1000`,
    // Small, so a second failover in the same suite need not wait long (a sentinel will not
    // fail the same master over again within twice this).
    `sentinel failover-timeout ${MASTER_NAME} 2000`,
    ...(options.sentinelConf ?? []),
  ];
  const sentinels = [0, 1, 2].map(() => new SentinelProcess(conf, options.sentinelPassword));
  await Promise.all(sentinels.map((s) => s.start()));
  const set = new Set_(nodes, sentinels);
  await set.heal();
  return set;
}

class Set_ implements SentinelSet {
  readonly name = MASTER_NAME;
  constructor(readonly nodes: RedisServer[], readonly sentinels: SentinelProcess[]) {}

  get sentinelNodes(): { host: string; port: number }[] {
    return this.sentinels.map((s) => ({ host: s.host, port: s.port }));
  }

  /** Each running sentinel's answer to GET-MASTER-ADDR-BY-NAME (those that do not answer are skipped). */
  async #reportedPorts(): Promise<number[]> {
    const ports: number[] = [];
    for (const sentinel of this.sentinels) {
      if (!sentinel.running) continue;
      try {
        const reply = await sentinel.cli('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', MASTER_NAME);
        if (Array.isArray(reply)) ports.push(Number(reply[1]));
      } catch {
        // frozen or going down: the others answer
      }
    }
    if (ports.length === 0) throw new Error('no sentinel answered GET-MASTER-ADDR-BY-NAME');
    return ports;
  }

  async primary(timeoutMs = 10_000): Promise<RedisServer> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const ports = await this.#reportedPorts();
      if (ports.every((port) => port === ports[0])) {
        const node = this.nodes.find((n) => n.port === ports[0]);
        if (node === undefined) throw new Error(`sentinels report an unknown primary port ${ports[0]}`);
        return node;
      }
      if (Date.now() > deadline) throw new Error(`sentinels still disagree on the primary after ${timeoutMs} ms: ${ports.join(', ')}`);
      // The leader's +switch-master reaches the other sentinels through its hello messages
      // (every 2 s): nothing to await from outside, so ask again.
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async replicas(): Promise<RedisServer[]> {
    const primary = await this.primary();
    return this.nodes.filter((n) => n !== primary);
  }

  async failover(timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        await this.sentinels[0]!.cli('SENTINEL', 'FAILOVER', MASTER_NAME);
        return;
      } catch (err) {
        if (!/NOGOODSLAVE|INPROG/.test(String(err)) || Date.now() > deadline) throw err;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  }

  nextSwitch(timeoutMs = 30_000): Promise<{ from: number; to: number }> {
    const running = this.sentinels.filter((s) => s.running);
    const sockets = running.map((s) => createConnection(s.port, s.host));
    return new Promise((resolve, reject) => {
      const done = (err: Error | null, value?: { from: number; to: number }) => {
        clearTimeout(timer);
        for (const socket of sockets) socket.destroy();
        if (err !== null) reject(err);
        else resolve(value!);
      };
      const timer = setTimeout(() => done(new Error(`no +switch-master within ${timeoutMs} ms`)), timeoutMs);
      sockets.forEach((socket, i) => {
        let pending = Buffer.alloc(0);
        socket.on('error', () => undefined);
        socket.on('data', (chunk: Buffer) => {
          pending = Buffer.concat([pending, chunk]);
          for (let frame = parseFrame(pending); frame; frame = parseFrame(pending)) {
            pending = pending.subarray(frame.next);
            const value = frame.value;
            if (!Array.isArray(value) || String(value[0]) !== 'message') continue;
            // "<name> <old-ip> <old-port> <new-ip> <new-port>"
            const words = String(value[2]).split(' ');
            if (words[0] === MASTER_NAME) done(null, { from: Number(words[2]), to: Number(words[4]) });
            if (pending.length === 0) break;
          }
        });
        const password = running[i]!.password;
        if (password) socket.write(encodeCommand(['AUTH', password]));
        socket.write(encodeCommand(['SUBSCRIBE', '+switch-master']));
      });
    });
  }

  async heal(timeoutMs = 30_000): Promise<void> {
    for (const sentinel of this.sentinels) if (!sentinel.running) await sentinel.start();
    for (const node of this.nodes) {
      node.resume();
      if (!(node as { running?: boolean }).running) await node.restart();
    }
    const deadline = Date.now() + timeoutMs;
    let why = '';
    while (Date.now() < deadline) {
      why = await this.#unhealthy();
      if (why === '') return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`sentinel set not healthy after ${timeoutMs} ms: ${why}`);
  }

  /** '' when every sentinel agrees on a primary that sees every other node as a linked replica and every sentinel sees those replicas up. */
  async #unhealthy(): Promise<string> {
    try {
      const ports = await Promise.all(this.sentinels.map(async (s) => {
        const reply = await s.cli('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', MASTER_NAME);
        return Array.isArray(reply) ? Number(reply[1]) : 0;
      }));
      if (new Set(ports).size !== 1) return `sentinels disagree: ${ports.join(', ')}`;
      const primary = this.nodes.find((n) => n.port === ports[0]);
      if (primary === undefined) return `unknown primary ${ports[0]}`;
      const role = await primary.cli('ROLE');
      if (!role.startsWith('["master"')) return `reported primary ${primary.port} says ${role}`;
      for (const node of this.nodes) {
        if (node === primary) continue;
        // A restarted (or resumed) old primary thinks it still is one until a sentinel converts
        // it, which can take its 10 s INFO period: once every sentinel agrees, do it ourselves.
        if ((await node.cli('ROLE')).startsWith('["master"')) await node.cli('REPLICAOF', primary.host, primary.port);
        const info = await node.cli('INFO', 'replication');
        if (!info.includes(`master_port:${primary.port}`) || !info.includes('master_link_status:up')) {
          return `node ${node.port} not a linked replica of ${primary.port}`;
        }
      }
      for (const sentinel of this.sentinels) {
        const replicas = await sentinel.cli('SENTINEL', 'REPLICAS', MASTER_NAME);
        const healthy = (replicas as RawReply[]).filter((r) => {
          const fields = flat(r);
          return !/s_down|o_down|disconnected/.test(fields.flags ?? '');
        });
        if (healthy.length !== this.nodes.length - 1) return `sentinel ${sentinel.port} sees ${healthy.length} healthy replicas`;
        const known = await sentinel.cli('SENTINEL', 'SENTINELS', MASTER_NAME);
        if ((known as RawReply[]).length !== this.sentinels.length - 1) return `sentinel ${sentinel.port} knows ${(known as RawReply[]).length} other sentinels`;
      }
      return '';
    } catch (err) {
      return (err as Error).message;
    }
  }
}

/** A sentinel's flat [k1, v1, k2, v2...] reply as an object. */
function flat(reply: RawReply): Record<string, string> {
  const out: Record<string, string> = {};
  if (!Array.isArray(reply)) return out;
  for (let i = 0; i + 1 < reply.length; i += 2) out[String(reply[i])] = String(reply[i + 1]);
  return out;
}
