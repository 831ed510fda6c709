import { Connection, type ConnectionConfig, type ConnectionHooks, type Target } from '../connection/connection.js';
import { Deadlines } from '../connection/deadlines.js';
import { QUIET_HOOKS } from '../connection/types.js';
import { Pending } from '../connection/pending.js';
import { TimeoutError } from '../errors.js';
import { encodeCommand } from '../resp/encoder.js';
import type { Arg, Reply } from '../resp/types.js';
import { addressOf, type SentinelNode } from './config.js';

/** Longest a sentinel or a node being checked may take to connect and answer. */
export const PROBE_TIMEOUT_MS = 2000;

/**
 * Short-lived connections of the resolver: questions to a sentinel, and ROLE checks of the
 * node a sentinel named. Each is one ordinary {@link Connection} that tries once (no
 * reconnect) and is closed after its answer, so TLS, AUTH and RESP come from the same code as
 * the pool's; a sentinel that accepts the socket but never answers (SIGSTOP) costs at most
 * {@link PROBE_TIMEOUT_MS}.
 */
export class Dialer {
  readonly #sentinel: ConnectionConfig;
  readonly #data: ConnectionConfig;
  readonly #deadlines = new Deadlines((pending) =>
    pending.fail(new TimeoutError(`no answer within ${pending.timeout} ms`)));

  /**
   * @param sentinel how to reach a sentinel (credentials, TLS), host and port left to each call
   * @param data how to reach a data node (the pool's own settings)
   */
  constructor(sentinel: ConnectionConfig, data: ConnectionConfig) {
    const once = { maxAttempts: 0, healthCheckInterval: 0, locate: undefined, subscriber: false };
    const timeout = Math.min(PROBE_TIMEOUT_MS, sentinel.connectTimeout || PROBE_TIMEOUT_MS);
    this.#sentinel = { ...sentinel, ...once, connectTimeout: timeout, queueTimeout: 0 };
    this.#data = { ...data, ...once, connectTimeout: timeout, queueTimeout: 0 };
  }

  /** Sends `commands` to one sentinel and resolves with their replies (error replies in place). */
  async ask(node: SentinelNode, commands: Arg[][]): Promise<Reply[]> {
    const connection = this.#open(this.#sentinel, node);
    try {
      return await Promise.all(commands.map((command) => this.#send(connection, command)));
    } catch (err) {
      throw plain(err as Error);
    } finally {
      connection.destroy();
    }
  }

  /**
   * Connects to `node` with the pool's settings and checks its ROLE (by the handshake, as every
   * pool connection does). Rejects with the reason in plain words.
   */
  async verify(node: SentinelNode, role: 'master' | 'slave'): Promise<void> {
    const connection = this.#open({ ...this.#data, expectRole: role }, node);
    try {
      await this.#send(connection, ['PING']);
    } catch (err) {
      throw plain(err as Error);
    } finally {
      connection.destroy();
    }
  }

  /** A connection of the resolver's own that retries forever (sentinel subscriptions). */
  subscriber(node: SentinelNode, hooks: ConnectionHooks): Connection {
    const config = { ...this.#sentinel, maxAttempts: null, subscriber: true, pushBuffers: false };
    return new Connection({ ...config, ...target(node) }, hooks, this.#deadlines);
  }

  close(): void {
    this.#deadlines.stop();
  }

  #open(config: ConnectionConfig, node: SentinelNode): Connection {
    return new Connection({ ...config, ...target(node) }, QUIET_HOOKS, this.#deadlines);
  }

  #send(connection: Connection, command: Arg[]): Promise<Reply> {
    const pending = new Pending(encodeCommand(command), String(command[0]), false);
    const promise = pending.promise() as Promise<Reply>;
    pending.timeout = PROBE_TIMEOUT_MS * 2;
    pending.deadline = Date.now() + pending.timeout;
    this.#deadlines.add(pending);
    connection.send(pending);
    return promise;
  }
}

export function target(node: SentinelNode): Target {
  return { host: node.host, port: node.port, address: addressOf(node.host, node.port) };
}

/**
 * A one-attempt connection ends with "gave up on X after 0 reconnection attempts: <why>": the
 * why is what a person needs.
 */
function plain(err: Error): Error {
  const cause = (err as { cause?: unknown }).cause;
  return /after 0 reconnection attempts/.test(err.message) && cause instanceof Error ? cause : err;
}
