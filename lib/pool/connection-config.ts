import type { ConnectionConfig } from '../connection/connection.js';
import type { ResolvedOptions } from '../options.js';
import type { Locator } from './locator.js';

/*
 * Pool options → one connection's settings. The pool's command connections, its subscriber
 * connection and (with the sentinels' credentials swapped in) a Sentinel resolver's connections
 * all start from this one mapping, so an option added to the schema is wired in one place.
 */

/** The connection settings a pool's options give (where to connect aside, with a locator). */
export function connectionConfig(options: ResolvedOptions, locator: Locator | null = null): ConnectionConfig {
  return {
    ...(locator !== null ? { locate: () => locator.next(), expectRole: locator.expectRole } : {}),
    address: options.address,
    host: options.host,
    port: options.port,
    path: options.path,
    tls: options.tls,
    keepAlive: options.keepAlive,
    noDelay: options.noDelay,
    protocol: options.protocol,
    username: options.username,
    password: options.password,
    name: options.name,
    db: options.db,
    initialDelay: options.reconnectInitialDelay,
    maxDelay: options.reconnectMaxDelay,
    factor: options.reconnectFactor,
    maxAttempts: options.reconnectMaxAttempts,
    connectTimeout: options.connectTimeout,
    queueTimeout: options.acquireTimeout,
    maxPending: options.maxPending,
    failFast: options.failFast,
    healthCheckInterval: options.healthCheckInterval,
  };
}
