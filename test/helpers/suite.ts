/**
 * Mocha hooks integration suites share: one redis-server for the suite or for each test
 * (`withServer`), a fresh pool for each test on an emptied server (`serverAndPool`), a server
 * behind a fault proxy (`serverBehindProxy`).
 *
 * ```ts
 * describe('transactions', () => {
 *   const ctx = serverAndPool({ size: 4 });
 *   it('...', async () => { await ctx.pool.command(['PING']); await ctx.server.cli('DBSIZE'); });
 * });
 * ```
 */
import { createPool, type Pool, type PoolOptions } from '../../lib/index.js';
import { startProxy, type FaultProxy } from './proxy.js';
import { startRedis, type RedisServer, type RedisServerOptions } from './redis-server.js';

export interface ServerContext {
  readonly server: RedisServer;
}

/**
 * Mocha hooks for one redis-server, for the whole suite (the default) or for each test
 * (`scope: 'each'`, when a test kills, pauses or otherwise spends it). Teardown runs `cleanup`
 * first (close the pools), then resumes the server in case a test paused it, and stops it.
 */
export function withServer(
  options: { scope?: 'each' | 'suite'; server?: RedisServerOptions; cleanup?: () => Promise<void> } = {},
): ServerContext {
  let server: RedisServer | undefined;
  const setUp = async () => {
    server = await startRedis(options.server);
  };
  const tearDown = async () => {
    await options.cleanup?.();
    server?.resume();
    await server?.stop();
  };
  around(options.scope ?? 'suite', setUp, tearDown);
  return {
    get server() {
      return server!;
    },
  };
}

/** Runs `setUp` and `tearDown` around each test, or once around the suite. */
function around(scope: 'each' | 'suite', setUp: () => Promise<void>, tearDown: () => Promise<void>): void {
  if (scope === 'each') {
    beforeEach(setUp);
    afterEach(tearDown);
  } else {
    before(setUp);
    after(tearDown);
  }
}

export interface SuiteContext {
  readonly server: RedisServer;
  readonly pool: Pool;
}

export function serverAndPool(options: PoolOptions = {}, serverOptions?: RedisServerOptions): SuiteContext {
  const served = withServer({ server: serverOptions });
  let pool: Pool | undefined;
  beforeEach(async () => {
    await served.server.cli('FLUSHALL');
    pool = createPool(served.server.url, options);
  });
  afterEach(async () => {
    await pool?.close();
  });
  return {
    get server() {
      return served.server;
    },
    get pool() {
      return pool!;
    },
  };
}

export interface ProxyContext {
  readonly server: RedisServer;
  /** A fault proxy in front of `server`: connect pools to `proxy.url`. */
  readonly proxy: FaultProxy;
}

/**
 * Mocha hooks for fault tests: a redis-server behind a fault proxy, per test (`'each'`) or per
 * suite. Teardown runs `cleanup` first (close the pools), then resumes a paused server, closes
 * the proxy and stops the server.
 */
export function serverBehindProxy(
  scope: 'each' | 'suite' = 'each',
  cleanup?: () => Promise<void>,
): ProxyContext {
  let server: RedisServer | undefined;
  let proxy: FaultProxy | undefined;
  const setUp = async () => {
    server = await startRedis();
    proxy = await startProxy({ port: server.port });
  };
  const tearDown = async () => {
    await cleanup?.();
    server?.resume();
    await proxy?.close();
    await server?.stop();
  };
  around(scope, setUp, tearDown);
  return {
    get server() {
      return server!;
    },
    get proxy() {
      return proxy!;
    },
  };
}
