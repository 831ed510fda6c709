/**
 * One redis-server and one pool per ecosystem suite (the libraries' flows are the tests, not
 * server setup), emptied before each test. The pool is the caller's: compat clients never close it.
 */
import { createPool, type Pool, type PoolOptions } from '../../lib/index.js';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';

export interface EcosystemContext {
  readonly server: RedisServer;
  readonly pool: Pool;
}

export function serverAndSharedPool(options: PoolOptions = {}): EcosystemContext {
  let server: RedisServer | undefined;
  let pool: Pool | undefined;
  before(async () => {
    server = await startRedis();
    pool = createPool(server.url, options);
  });
  after(async () => {
    await pool?.close();
    await server?.stop();
  });
  beforeEach(async () => {
    await server!.cli('FLUSHALL');
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
