import { expect } from 'chai';
import { createPool } from '../../lib/index.js';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';

describe('unix sockets', () => {
  let server: RedisServer;

  before(async () => {
    server = await startRedis({ unixSocket: true });
  });
  after(async () => {
    await server.stop();
  });

  for (const how of ['path option', 'unix:// URL'] as const) {
    it(`connects with the ${how}`, async () => {
      const path = server.socketPath!;
      const pool = how === 'path option' ? createPool({ path }) : createPool(`unix://${path}?db=2`);
      try {
        expect(pool.options.address).to.equal(path);
        await pool.command(['SET', 'unix', how]);
        expect(await pool.command(['GET', 'unix'])).to.equal(how);
        const info = (await pool.command(['CLIENT', 'INFO'])) as string;
        // A unix-socket client's address is the socket path on the server's side.
        expect(info).to.contain(`laddr=${path}`);
        expect(info).to.contain(how === 'path option' ? ' db=0 ' : ' db=2 ');
      } finally {
        await pool.close();
      }
    });
  }
});
