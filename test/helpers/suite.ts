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
