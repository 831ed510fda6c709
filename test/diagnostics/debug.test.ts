import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);
const PASSWORD = 'dbg-pa55word';

/**
 * Runs in a child with NODE_DEBUG set: connects with a password, loses its connection (CLIENT
 * KILL from a second pool) and reconnects, sends a pipeline, has a write held by CLIENT PAUSE
 * past two health-check intervals, then fails to authenticate.
 */
const SCRIPT = `
import { createPool } from './lib/index.ts';
const url = 'redis://:' + process.env.PW + '@127.0.0.1:' + process.env.PORT;
const pool = createPool(url, { size: 1, minIdle: 1, reconnectInitialDelay: 20 });
const killer = createPool(url, { size: 1 });
const id = await pool.command(['CLIENT', 'ID']);
const back = new Promise((resolve) => pool.once('ready', resolve));
await killer.command(['CLIENT', 'KILL', 'ID', id]);
await back;
await pool.pipeline([['SET', 'k', 'v'], ['GET', 'k']]);
const paused = createPool(url, { size: 1, healthCheckInterval: 100 });
await paused.command(['PING']);
await killer.command(['CLIENT', 'PAUSE', '1000', 'WRITE']);
await paused.command(['SET', 'held', '1']);
await paused.close();
const wrong = createPool('redis://:not-' + process.env.PW + '@127.0.0.1:' + process.env.PORT, { size: 1 });
await wrong.command(['PING']).catch((err) => console.log('refused', err.code));
await Promise.all([pool.close(), killer.close(), wrong.close()]);
`;

async function runWithDebug(server: RedisServer, nodeDebug: string): Promise<{ stdout: string; stderr: string }> {
  return run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', SCRIPT], {
    cwd: ROOT,
    env: { ...process.env, NODE_DEBUG: nodeDebug, PW: PASSWORD, PORT: String(server.port) },
  });
}

describe('NODE_DEBUG=respool', () => {
  let server: RedisServer;
  before(async () => {
    server = await startRedis({ args: ['--requirepass', PASSWORD] });
  });
  after(async () => {
    await server.stop();
  });

  it('logs connects, handshakes, reconnects with reason and delay; never the password or commands', async () => {
    const { stdout, stderr } = await runWithDebug(server, 'respool');
    expect(stdout).to.include('refused EAUTH');
    const lines = stderr.split('\n').filter((l) => l.startsWith('RESPOOL '));
    const text = lines.join('\n');
    expect(text).to.match(/pool 127\.0\.0\.1:\d+\/0: created \(size 1\)/);
    expect(text).to.match(/connection \d+: connecting to 127\.0\.0\.1:\d+ \(attempt 0\)/);
    expect(text).to.match(/connection \d+: ready, handshake done in [\d.]+ ms \(peer 127\.0\.0\.1:\d+, RESP2, client id \d+\)/);
    expect(text).to.match(/connection \d+: lost or refused \(.+\); reconnecting to 127\.0\.0\.1:\d+ in \d+ ms \(attempt 1\)/);
    expect(text).to.match(/connection \d+: attempt 0 to 127\.0\.0\.1:\d+ failed after [\d.]+ ms: .*WRONGPASS/);
    expect(text).to.match(/pool 127\.0\.0\.1:\d+\/0: closed/);
    expect(text).to.match(/connection \d+: silent for \d+ ms, held by 127\.0\.0\.1:\d+ \(client id \d+, CLIENT LIST flag b\): kept/);
    expect(stderr).to.not.include(PASSWORD);
    expect(stderr).to.not.include('RESPOOL:COMMAND');
    expect(stderr).to.not.match(/\bGET\b/);
  });

  it('NODE_DEBUG=respool:command adds a line per command and batch, without arguments', async () => {
    const { stderr } = await runWithDebug(server, 'respool:command');
    const lines = stderr.split('\n').filter((l) => l.startsWith('RESPOOL:COMMAND '));
    expect(lines.join('\n')).to.match(/connection \d+: CLIENT [\d.]+ ms ok/);
    expect(lines.join('\n')).to.match(/connection \d+: PIPELINE of 2 [\d.]+ ms, 0 errors/);
    expect(stderr).to.not.include(PASSWORD);
    expect(stderr).to.not.match(/^RESPOOL \d+/m);
  });

  it('prints nothing without NODE_DEBUG', async () => {
    const { stderr } = await runWithDebug(server, '');
    expect(stderr).to.not.include('RESPOOL');
  });
});
