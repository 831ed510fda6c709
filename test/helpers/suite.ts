/**
 * Mocha hooks most integration suites share: one redis-server for the suite, and a fresh pool
 * for each test on an emptied server, closed after it.
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

export interface SuiteContext {
  readonly server: RedisServer;
  readonly pool: Pool;
}

export function serverAndPool(options: PoolOptions = {}, serverOptions?: RedisServerOptions): SuiteContext {
  let server: RedisServer | undefined;
  let pool: Pool | undefined;
  before(async () => {
    server = await startRedis(serverOptions);
  });
  after(async () => {
    await server?.stop();
  });
  beforeEach(async () => {
    await server!.cli('FLUSHALL');
    pool = createPool(server!.url, options);
  });
  afterEach(async () => {
    await pool?.close();
  });
  return {
    get server() {
      return server!;
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
  if (scope === 'each') {
    beforeEach(setUp);
    afterEach(tearDown);
  } else {
    before(setUp);
    after(tearDown);
  }
  return {
    get server() {
      return server!;
    },
    get proxy() {
      return proxy!;
    },
  };
}
