/**
 * The health check's second opinion, asked before a silent connection is dropped.
 *
 * A connection with commands in flight and nothing heard for two health-check intervals is
 * either dead (a stopped server, a dropped network path) or held on purpose by a live server:
 * `CLIENT PAUSE WRITE`, which Redis runs for up to 5 s during `CLUSTER FAILOVER`, postpones
 * every write and everything queued behind it. Dropping a held connection fails its commands
 * as "may have run" when they would have been answered a moment later.
 *
 * ```
 *   silent connection (CLIENT ID 42)          probe: a new socket, same address and credentials
 *                                    ───────>  CLIENT LIST ID 42
 *   held:     id=42 ... flags=b ...  <───────  the server holds our commands: keep waiting
 *   anything else (not listed, other flags, an error, no answer in time): drop, as before
 * ```
 *
 * The probe is one ordinary {@link Connection} that tries once, so TLS, AUTH and RESP come from
 * the same code as the connection it vouches for. A frozen server (SIGSTOP) accepts the probe's
 * socket but never answers: it costs `ms` and the connection is dropped. The connection cancels
 * its probe when it closes or loses the socket in question (the verdict would be ignored), and
 * says on `respool:held` each time it is found held.
 */
import { heldChannel, type HeldMessage } from '../diagnostics/channels.js';
import { serverTarget } from '../diagnostics/trace.js';
import { AbortError, TimeoutError } from '../errors.js';
import { encodeCommand } from '../resp/encoder.js';
import type { Reply } from '../resp/types.js';
import { Connection } from './connection.js';
import { Deadlines } from './deadlines.js';
import { Pending } from './pending.js';
import { QUIET_HOOKS, type ConnectionConfig, type Target } from './types.js';

/**
 * True when the server at `where` answers within `ms` and lists the client `clientId` as
 * blocked (`flags` holding `b`: paused, or waiting on a blocking command). False on anything
 * else, never a rejection.
 * @param signal cancels the probe: it resolves false at once and its socket is destroyed (the
 *   connection it vouches for closed; a probe left to run out its `ms` kept a closed pool's
 *   process alive, its socket being ref'd)
 */
export async function heldByServer(
  config: ConnectionConfig,
  where: Target,
  clientId: number,
  ms: number,
  signal?: AbortSignal,
): Promise<boolean> {
  if (signal?.aborted === true) return false;
  const deadlines = new Deadlines((pending) => pending.fail(new TimeoutError(`no answer within ${ms} ms`)));
  const probe = new Connection({
    ...config,
    host: where.host,
    port: where.port,
    address: where.address,
    maxAttempts: 0,
    healthCheckInterval: 0,
    connectTimeout: ms,
    queueTimeout: ms,
    locate: undefined,
    subscriber: false,
    expectRole: undefined,
    setup: undefined,
  }, QUIET_HOOKS, deadlines);
  const pending = new Pending(encodeCommand(['CLIENT', 'LIST', 'ID', clientId]), 'CLIENT', false);
  const cancel = (): void => pending.fail(new AbortError('the health-check probe was cancelled'));
  signal?.addEventListener('abort', cancel, { once: true });
  try {
    const reply = pending.promise() as Promise<Reply>;
    pending.timeout = ms;
    pending.deadline = Date.now() + ms;
    deadlines.add(pending);
    probe.send(pending);
    return isHeld(await reply, clientId);
  } catch {
    return false;
  } finally {
    signal?.removeEventListener('abort', cancel);
    deadlines.stop();
    probe.destroy();
  }
}

/** `respool:held`: the probe found connection `connectionId` held (call when someone subscribes). */
export function publishHeld(
  config: ConnectionConfig, where: Target, connectionId: number, clientId: number, silentFor: number,
): void {
  const message: HeldMessage = {
    ...serverTarget({ ...config, host: where.host, port: where.port }),
    connectionId,
    clientId,
    silentFor,
  };
  heldChannel.publish(message);
}

/** Reads `CLIENT LIST`'s reply: is `clientId` listed with the `b` flag? */
export function isHeld(reply: Reply, clientId: number): boolean {
  const text = typeof reply === 'string' ? reply : Buffer.isBuffer(reply) ? reply.toString('latin1') : null;
  if (text === null) return false;
  const prefix = `id=${clientId} `;
  for (const line of text.split('\n')) {
    if (!line.startsWith(prefix)) continue;
    const flags = / flags=(\S*)/.exec(line);
    return flags !== null && flags[1]!.includes('b');
  }
  return false;
}
