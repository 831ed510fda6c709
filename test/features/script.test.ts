import { createHash } from 'node:crypto';
import { expect } from 'chai';
import { createPool, ReplyError, type Pool } from '../../lib/index.js';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';

/** `cmdstat_<name>` calls since the last CONFIG RESETSTAT. */
async function calls(server: RedisServer, name: string): Promise<number> {
  const info = await server.cli('INFO', 'commandstats');
  const match = new RegExp(`cmdstat_${name}:calls=(\\d+)`).exec(info);
  return match === null ? 0 : Number(match[1]);
}

describe('scripts', () => {
  let server: RedisServer;
  let pool: Pool;
  const source = "return {KEYS[1], ARGV[1], redis.call('INCRBY', KEYS[1], ARGV[1])}";

  before(async () => {
    server = await startRedis();
  });
  after(async () => {
    await server.stop();
  });
  beforeEach(async () => {
    pool = createPool(server.url, { reconnectMaxDelay: 100 });
    await server.cli('SCRIPT', 'FLUSH');
    await server.cli('FLUSHALL');
    await server.cli('CONFIG', 'RESETSTAT');
  });
  afterEach(async () => {
    await pool.close();
  });

  it('computes the SHA1 locally, as Redis does', async () => {
    const script = pool.script(source);
    expect(script.sha1).to.equal(createHash('sha1').update(source).digest('hex'));
    expect(await server.cli('SCRIPT', 'LOAD', source)).to.equal(script.sha1);
  });

  it('falls back to EVAL once, then runs by EVALSHA', async () => {
    const script = pool.script(source);
    expect(await script.run(['n'], [5])).to.deep.equal(['n', '5', 5]);
    expect(await script.run(['n'], [2])).to.deep.equal(['n', '2', 7]);
    expect(await calls(server, 'eval')).to.equal(1);
    expect(await calls(server, 'evalsha')).to.equal(2);
  });

  it('recovers after SCRIPT FLUSH', async () => {
    const script = pool.script(source);
    await script.run(['n'], [1]);
    await server.cli('SCRIPT', 'FLUSH');
    expect(await script.run(['n'], [1])).to.deep.equal(['n', '1', 2]);
    expect(await calls(server, 'eval')).to.equal(2);
  });

  it('recovers on a restarted server, whose script cache is empty', async () => {
    const script = pool.script('return ARGV[1]');
    expect(await script.run([], ['before'])).to.equal('before');
    await server.restart();
    expect(await script.run([], ['after'])).to.equal('after');
    expect(await server.cli('SCRIPT', 'EXISTS', script.sha1)).to.equal('[1]');
  });

  it('rejects with the script\'s own error, without retrying it', async () => {
    const script = pool.script("return redis.error_reply('MYERR nope')");
    let error: unknown;
    await script.run().catch((err) => (error = err));
    expect(error).to.be.instanceOf(ReplyError);
    expect((error as ReplyError).code).to.equal('MYERR');
    expect(await calls(server, 'eval')).to.equal(1);
  });

  it('passes returnBuffers through', async () => {
    const script = pool.script('return ARGV[1]');
    const reply = await script.run([], [Buffer.from([0xff, 0x01])], { returnBuffers: true });
    expect(Buffer.isBuffer(reply)).to.equal(true);
    expect((reply as Buffer).equals(Buffer.from([0xff, 0x01]))).to.equal(true);
  });
});
