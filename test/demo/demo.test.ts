import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { withServer } from '../helpers/suite.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);

describe('npm start (the demo) with --trace', function () {
  this.timeout(60_000);
  const ctx = withServer();

  it('prints a live line from the channels and a few traces, and its counters match', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'demo/demo.ts', '--trace'], {
      cwd: ROOT,
      env: { ...process.env, REDIS_URL: ctx.server.url, DEMO_SECONDS: '2', DEMO_CONCURRENCY: '50' },
    });
    expect(stdout).to.include('channels: commands');
    // A live line: time, req/s, then cmds/s from the channels (not zero once the load runs).
    const lines = stdout.split('\n').filter((l) => /^\s+\d+s\s/.test(l));
    expect(lines.length).to.be.at.least(1);
    expect(lines.some((l) => Number(l.trim().split(/\s+/)[2]!.replace(/,/g, '')) > 0)).to.equal(true);
    // Three traces: the request span with its commands as children, masked query text, the peer.
    const roots = stdout.split('\n').filter((l) => l.startsWith('GET /page '));
    expect(roots).to.have.length(3);
    expect(stdout).to.match(new RegExp(`└ GET 127\\.0\\.0\\.1:${ctx.server.port} .*db\\.query\\.text="GET \\?" peer=127\\.0\\.0\\.1:${ctx.server.port}`));
    expect(stdout).to.include('All counters match.');
    // The latency explained from the run's own figures: 50 in flight / requests per second.
    const why = /Little's law\. 50 requests are always in flight \(DEMO_CONCURRENCY\) and ([\d,]+) complete per second/.exec(stdout);
    expect(why, stdout).to.not.equal(null);
    const perSecond = Number(why![1]!.replace(/,/g, ''));
    expect(stdout).to.include(`= ${((50 / perSecond) * 1000).toFixed(1)} ms on average`);
  });
});
