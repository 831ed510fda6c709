import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { generateCommandFiles } from '../../scripts/gen-commands.js';
import { COMMAND_ROWS, SERVER_VERSION } from '../../lib/commands/table.js';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';

describe('command table: generated from the server', function () {
  let server: RedisServer;
  before(async () => {
    server = await startRedis();
  });
  after(async () => {
    await server.stop();
  });

  it('is what npm run gen:commands writes from a live server, byte for byte (twice)', async function () {
    const first = await generateCommandFiles(server.url);
    const second = await generateCommandFiles(server.url);
    expect(Object.keys(first)).to.include('lib/commands/table.ts');
    for (const [path, content] of Object.entries(first)) {
      expect(second[path], path).to.equal(content);
      expect(readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8'), `${path} is stale: npm run gen:commands`)
        .to.equal(content);
    }
  });

  it('npm run gen:commands, run twice into temp dirs, writes exactly the committed files', async function () {
    this.timeout(60_000);
    const root = fileURLToPath(new URL('../../', import.meta.url));
    const dirs = [mkdtempSync(join(tmpdir(), 'respool-gen-')), mkdtempSync(join(tmpdir(), 'respool-gen-'))];
    try {
      for (const dir of dirs) {
        await promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/gen-commands.ts', '--out', dir], { cwd: root });
      }
      const paths = ['lib/commands/table.ts', 'lib/commands/syntax-table.ts', 'lib/commands/methods.ts'];
      for (const path of paths) {
        const committed = readFileSync(join(root, path), 'utf8');
        for (const dir of dirs) expect(readFileSync(join(dir, path), 'utf8'), `${path} differs: npm run gen:commands`).to.equal(committed);
      }
    } finally {
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    }
  });

  it('covers every command the server knows, sorted, subcommands included', async function () {
    expect(await server.cli('INFO', 'server')).to.contain(`redis_version:${SERVER_VERSION}`);
    const names = COMMAND_ROWS.map((row) => row[0]);
    expect(names).to.deep.equal([...names].sort());
    expect(names).to.include.members(['GET', 'CLIENT|SETNAME', 'XINFO|STREAM', 'SCRIPT|LOAD']);
    const count = Number(await server.cli('COMMAND', 'COUNT'));
    expect(names.filter((n) => !n.includes('|'))).to.have.length(count);
  });
});
