import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { startRedis, type RedisServer } from './helpers/redis-server.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const LIB = pathToFileURL(join(ROOT, 'lib/index.ts')).href;
const run = promisify(execFile);

/** The first ```ts block after the heading `heading` in README.md. */
function snippet(heading: string): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const at = readme.indexOf(`\n${heading}\n`);
  if (at < 0) throw new Error(`README has no heading ${heading}`);
  const start = readme.indexOf('```ts\n', at);
  const end = readme.indexOf('\n```', start + 6);
  return readme.slice(start + 6, end + 1);
}

/**
 * README snippets run as written (issue 8.7), against a real server: only the port of the
 * default local server and the package name are swapped for the test's.
 */
describe('README snippets', function () {
  this.timeout(60_000);
  let server: RedisServer;
  let dir: string;
  before(async function () {
    server = await startRedis();
    dir = mkdtempSync(join(tmpdir(), 'respool-readme-'));
  });
  after(async function () {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function runSnippet(name: string, code: string): Promise<string> {
    const file = join(dir, `${name}.mts`);
    writeFileSync(file, code);
    const { stdout } = await run(process.execPath, ['--import', 'tsx', file], { cwd: ROOT });
    return stdout;
  }

  it('the quick start works pasted against a default local server (no user:pass)', async function () {
    const code = snippet('## Quick start');
    expect(code).to.include("createPool('redis://127.0.0.1:6379')");
    const stdout = await runSnippet('quick-start', code
      .replace("from 'respool'", `from '${LIB}'`)
      .replace('127.0.0.1:6379', `127.0.0.1:${server.port}`) +
      "console.log('exec', JSON.stringify(exec));\n");
    expect(stdout).to.match(/^exec \[\d+\]$/m); // ran to the end: the use() transaction's EXEC
  });

  it('the pub/sub snippet prints its message every time (it waits before unsubscribing)', async function () {
    const code = snippet('### Pub/sub');
    for (let i = 0; i < 3; i++) {
      const stdout = await runSnippet(`pubsub-${i}`,
        `import { createPool } from '${LIB}';\nconst pool = createPool({ port: ${server.port} });\n` +
        code + "await pool.close();\nconsole.log('closed');\n");
      expect(stdout).to.equal('news hello\nclosed\n');
    }
  });
});
