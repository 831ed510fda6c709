import { expect } from 'chai';
import { readFileSync } from 'node:fs';
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

  it('covers every command the server knows, sorted, subcommands included', async function () {
    expect(await server.cli('INFO', 'server')).to.contain(`redis_version:${SERVER_VERSION}`);
    const names = COMMAND_ROWS.map((row) => row[0]);
    expect(names).to.deep.equal([...names].sort());
    expect(names).to.include.members(['GET', 'CLIENT|SETNAME', 'XINFO|STREAM', 'SCRIPT|LOAD']);
    const count = Number(await server.cli('COMMAND', 'COUNT'));
    expect(names.filter((n) => !n.includes('|'))).to.have.length(count);
  });
});
