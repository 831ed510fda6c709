import { expect } from 'chai';
import { createServer } from 'node:net';
import {
  freePort,
  NOT_FOUND_MESSAGE,
  parseBenchmarkOutput,
  redisTarget,
  serverVersion,
  startRedisServer,
} from '../../bench/redis.js';

describe('bench/redis', () => {
  describe('parseBenchmarkOutput', () => {
    it('keeps the final lines and drops the live redraws', () => {
      const output =
        'SET: rps=0.0 (overall: 0.0) avg_msec=-nan (overall: -nan)\r' +
        '                                  \r' +
        'SET: 1250000.00 requests per second, p50=0.375 msec\n' +
        'GET: rps=812000.0 (overall: 812000.0) avg_msec=0.3\r' +
        'GET: 1176470.50 requests per second, p50=0.343 msec\n\n';
      expect(parseBenchmarkOutput(output)).to.deep.equal([
        { test: 'SET', requestsPerSec: 1250000, p50: 375 },
        { test: 'GET', requestsPerSec: 1176470.5, p50: 343 },
      ]);
    });

    it('accepts the older format without p50', () => {
      const [result] = parseBenchmarkOutput('GET: 98000.00 requests per second\n');
      expect(result.test).to.equal('GET');
      expect(result.requestsPerSec).to.equal(98000);
      expect(result.p50).to.be.NaN;
    });

    it('returns nothing for unrelated text', () => {
      expect(parseBenchmarkOutput('Could not connect to Redis at 127.0.0.1:1\n')).to.deep.equal([]);
    });
  });

  describe('redisTarget', () => {
    it('uses REDIS_URL without starting a server, password included', async () => {
      const target = await redisTarget({ REDIS_URL: 'redis://:s%40cret@10.0.0.5:6380/2' });
      expect(target.spawned).to.equal(false);
      expect(target.host).to.equal('10.0.0.5');
      expect(target.port).to.equal(6380);
      expect(target.password).to.equal('s@cret');
      await target.stop();
    });

    it('defaults the port to 6379', async () => {
      const target = await redisTarget({ REDIS_URL: 'redis://localhost' });
      expect(target.port).to.equal(6379);
      expect(target.password).to.equal(undefined);
    });
  });

  it('freePort returns a port that can be listened on', async () => {
    const port = await freePort();
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
    server.close();
    expect(port).to.be.within(1, 65535);
  });

  it('names the install command in the not-found message', () => {
    expect(NOT_FOUND_MESSAGE).to.equal(
      'redis-server not found: install it with `sudo apt-get install redis-server` (or set REDIS_URL)',
    );
  });
});

describe('bench/redis startRedisServer (needs redis-server on PATH)', () => {
  it('starts a server on a free port, reads its version and stops it', async () => {
    const target = await startRedisServer();
    try {
      expect(target.spawned).to.equal(true);
      expect(target.url).to.equal(`redis://127.0.0.1:${target.port}`);
      expect(await serverVersion(target)).to.match(/^\d+\.\d+/);
    } finally {
      await target.stop();
    }
    // Stopped means stopped: nothing answers on that port any more.
    expect(await serverVersion(target)).to.equal('unknown');
  });
});
