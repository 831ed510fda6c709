import { debuglog } from 'node:util';
import {
  batchChannel,
  clusterRedirectionChannel,
  clusterTopologyChannel,
  commandChannel,
  connectChannel,
  heldChannel,
  poolCloseChannel,
  poolCreateChannel,
  reconnectChannel,
  sentinelFailoverChannel,
  type BatchContext,
  type ClusterRedirectionMessage,
  type ClusterTopologyMessage,
  type CommandContext,
  type ConnectContext,
  type HeldMessage,
  type PoolLifecycleMessage,
  type ReconnectMessage,
  type SentinelFailoverMessage,
} from './channels.js';

/**
 * `NODE_DEBUG=respool`: connects, handshakes, reconnects (reason and delay), silent connections
 * the server holds (kept by the health check), pools opening and
 * closing, cluster topology changes and redirections, sentinel failovers, on stderr through
 * `util.debuglog`. `NODE_DEBUG=respool:command` adds one line per command and batch (name,
 * connection, duration, outcome; never arguments).
 *
 * It is an ordinary subscriber of the diagnostics channels, attached once at load when the
 * environment asks for it: with NODE_DEBUG unset it costs nothing. Nothing printed comes from
 * the options (passwords never reach these messages; error messages never contain them).
 */

const log = debuglog('respool');
const commandLog = debuglog('respool:command');

if (log.enabled) {
  connectChannel.subscribe({
    start: (message) => {
      const c = message as ConnectContext;
      log('connection %d: connecting to %s (attempt %d%s)', c.connectionId, where(c), c.attempt, role(c));
    },
    end: ignore,
    asyncStart: ignore,
    asyncEnd: (message) => {
      const c = message as ConnectContext;
      if (c.error !== undefined) return;
      log('connection %d: ready, handshake done in %s ms (peer %s, RESP%d, client id %d%s)',
        c.connectionId, ms(c.duration), peer(c['network.peer.address'], c['network.peer.port']),
        c.protocol, c.clientId, role(c));
    },
    error: (message) => {
      const c = message as ConnectContext;
      log('connection %d: attempt %d to %s failed after %s ms: %s', c.connectionId, c.attempt,
        where(c), ms(c.duration), describe(c.error));
    },
  });
  reconnectChannel.subscribe((message) => {
    const m = message as ReconnectMessage;
    log('connection %d: lost or refused (%s); reconnecting to %s in %d ms (attempt %d%s)',
      m.connectionId, describe(m.error), where(m), m.delay, m.attempt, role(m));
  });
  heldChannel.subscribe((message) => {
    const m = message as HeldMessage;
    log('connection %d: silent for %d ms, held by %s (client id %d, CLIENT LIST flag b): kept',
      m.connectionId, m.silentFor, where(m), m.clientId);
  });
  poolCreateChannel.subscribe((message) => {
    const m = message as PoolLifecycleMessage;
    log('pool %s: created (size %d)', m['db.client.connection.pool.name'], m.pool.options.size);
  });
  poolCloseChannel.subscribe((message) => {
    log('pool %s: closed', (message as PoolLifecycleMessage)['db.client.connection.pool.name']);
  });
  clusterTopologyChannel.subscribe((message) => {
    const m = message as ClusterTopologyMessage;
    if (m.errors !== undefined && m.errors.size > 0) {
      const errors = [...m.errors].map(([node, err]) => `${node}: ${err.message}`).join('; ');
      log('cluster: topology refresh (%s) failed: %s', m.reason, errors);
    } else {
      log('cluster: topology (%s): primaries %s, %d slots covered', m.reason, m.primaries.join(' '), m.slotsCovered);
    }
  });
  clusterRedirectionChannel.subscribe((message) => {
    const m = message as ClusterRedirectionMessage;
    log('cluster: %s slot %d from %s%s (%s)', m.kind, m.slot, m.from || '(no node)', m.to !== undefined ? ` to ${m.to}` : '',
      m['db.operation.name']);
  });
  sentinelFailoverChannel.subscribe((message) => {
    const m = message as SentinelFailoverMessage;
    log('sentinel: primary of %s moved %s -> %s', m.masterName, m.from ?? '(none)', m.to);
  });
}

if (commandLog.enabled) {
  const started = new WeakMap<object, number>();
  const start = (message: unknown) => started.set(message as object, performance.now());
  const took = (message: unknown) => ms(performance.now() - (started.get(message as object) ?? performance.now()));
  commandChannel.subscribe({
    start, end: ignore, asyncStart: ignore, error: ignore,
    asyncEnd: (message) => {
      const c = message as CommandContext;
      commandLog('connection %d: %s %s ms %s', c.connectionId, c['db.operation.name'], took(c),
        c['error.type'] ?? 'ok');
    },
  });
  batchChannel.subscribe({
    start, end: ignore, asyncStart: ignore, error: ignore,
    asyncEnd: (message) => {
      const c = message as BatchContext;
      commandLog('connection %d: %s of %d %s ms, %d errors', c.connectionId, c['db.operation.name'],
        c['db.operation.batch.size'], took(c), c.errorCount ?? 0);
    },
  });
}

function where(m: { 'server.address': string; 'server.port': number | undefined }): string {
  return peer(m['server.address'], m['server.port']);
}

function peer(address: string | undefined, port: number | undefined): string {
  if (address === undefined) return '?';
  if (port === undefined) return address;
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

function role(m: { subscriber: boolean }): string {
  return m.subscriber ? ', pub/sub' : '';
}

function ms(value: number | undefined): string {
  return value === undefined ? '?' : value.toFixed(1);
}

function describe(error: Error | undefined): string {
  if (error === undefined) return 'unknown error';
  const code = (error as NodeJS.ErrnoException).code;
  return typeof code === 'string' && !error.message.includes(code) ? `${code}: ${error.message}` : error.message;
}

function ignore(): void {}
