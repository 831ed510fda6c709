import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ConnectionError } from '../../lib/index.js';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';
import { withServer } from '../helpers/suite.js';
import { closePools, nextEvent, trackedPool } from './support.js';

const fixture = fileURLToPath(new URL('./fixtures/no-error-listener.ts', import.meta.url));

describe('resilience: pool events', function () {
  this.timeout(30_000);
  let authServer: RedisServer | undefined;
  const ctx = withServer({
    scope: 'each',
    cleanup: async () => {
      await closePools();
      await authServer?.stop();
      authServer = undefined;
    },
  });

  it("reports 'ready', 'reconnecting' (with delay, attempt, error), 'error' when listened to, and 'end'", async () => {
    const pool = trackedPool(ctx.server.url, { size: 1, reconnectMaxDelay: 100 });
    const log: string[] = [];
    const errors: Error[] = [];
    pool.on('ready', () => log.push('ready'));
    pool.on('end', () => log.push('end'));
    pool.on('error', (err: Error) => errors.push(err));
    const firstReady = nextEvent<{ id: number; address: string }>(pool, 'ready');
    await pool.command(['PING']);
    const ready = await firstReady;
    expect(ready.address).to.equal(`127.0.0.1:${ctx.server.port}`);

    const reconnecting = nextEvent<{ id: number; delay: number; attempt: number; error: Error }>(
      pool, 'reconnecting');
    await ctx.server.kill();
    const event = await reconnecting;
    expect(event.id).to.equal(ready.id);
    expect(event.attempt).to.equal(1);
    expect(event.delay).to.be.within(1, 100);
    expect(event.error).to.be.instanceOf(Error);
    expect(errors).to.include(event.error);

    const back = nextEvent(pool, 'ready');
    await ctx.server.restart();
    await back;
    await pool.close();
    expect(log).to.deep.equal(['ready', 'ready', 'end']);
  });

  it("a dying server neither crashes nor ends a script without an 'error' listener", async () => {
    authServer = await startRedis({ args: ['--requirepass', 'secret'] });
    const child = spawn(process.execPath,
      ['--import', 'tsx', fixture, String(ctx.server.port), String(authServer.port)],
      { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    const printed = (line: string) => new Promise<void>((resolve) => {
      const check = (): void => {
        if (!stdout.includes(`${line}\n`)) return;
        child.stdout.off('data', check);
        resolve();
      };
      child.stdout.on('data', check);
    });
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    await Promise.race([printed('ready'), exited]);
    await ctx.server.kill();
    await Promise.race([printed('down'), exited]);
    await ctx.server.restart();
    const code = await exited;
    expect(stderr).to.not.match(/Error/);
    // 13: Node's exit code for a top-level await that can never settle (the loop ran empty).
    expect(code, `stdout: ${stdout}\nstderr: ${stderr}`).to.equal(0);
    expect(stdout).to.equal('ready\ndown\nback\nauth: AuthError\nsurvived\n');
  });

  it("carries the error that ended a connection for good on 'error' (bad password)", async () => {
    authServer = await startRedis({ args: ['--requirepass', 'secret'] });
    const pool = trackedPool(authServer.url, { password: 'wrong', size: 1 });
    const error = nextEvent<Error>(pool, 'error');
    await pool.command(['PING']).catch(() => undefined);
    const err = await error;
    expect(err).to.be.instanceOf(ConnectionError);
    expect(err.name).to.equal('AuthError');
  });
});
