import { expect } from 'chai';
import { commandKind, commandName } from '../../lib/pool/command-kinds.js';
import { serverAndPool } from '../helpers/suite.js';

describe('command kinds', function () {
  const kind = (...command: (string | number)[]) => commandKind(commandName(command), command, 2);

  it('classifies stateless, blocking, session and poisoning commands', function () {
    expect(kind('get', 'k')).to.equal('shared');
    expect(kind('EVALSHA', 'abc', '0')).to.equal('shared');
    expect(kind('blpop', 'q', '0')).to.equal('blocking');
    expect(kind('XREAD', 'COUNT', '1', 'STREAMS', 's', '0')).to.equal('shared');
    expect(kind('XREAD', 'block', '0', 'STREAMS', 's', '$')).to.equal('blocking');
    expect(kind('WAIT', '1', '0')).to.equal('blocking');
    expect(kind('MULTI')).to.equal('session');
    expect(kind('select', '1')).to.equal('session');
    expect(kind('SUBSCRIBE', 'ch')).to.equal('poison');
    expect(kind('CLIENT', 'reply', 'off')).to.equal('poison');
    expect(kind('CLIENT', 'ID')).to.equal('shared');
  });

  it('gives the same kinds on every call: names learnt as always shared never hide an argument-dependent kind', function () {
    for (let round = 0; round < 3; round++) {
      expect(kind('GET', 'k'), `round ${round}`).to.equal('shared');
      // XREAD without BLOCK is shared, but XREAD is never learnt as always shared.
      expect(kind('XREAD', 'STREAMS', 's', '0'), `round ${round}`).to.equal('shared');
      expect(kind('XREAD', 'BLOCK', '0', 'STREAMS', 's', '$'), `round ${round}`).to.equal('blocking');
      expect(kind('CLIENT', 'ID'), `round ${round}`).to.equal('shared');
      expect(kind('CLIENT', 'SETNAME', 'x'), `round ${round}`).to.equal('session');
      expect(kind('HELLO', 2), `round ${round}`).to.equal('shared');
      expect(kind('HELLO', 3), `round ${round}`).to.equal('poison');
      expect(kind('NOSUCHCOMMAND'), `round ${round}`).to.equal('shared');
      expect(kind('MULTI'), `round ${round}`).to.equal('session');
    }
  });

  it('decides HELLO, CLIENT SETNAME and SWAPDB by what they change (issue 8 item 6)', function () {
    expect(kind('HELLO')).to.equal('shared');
    expect(kind('HELLO', 2)).to.equal('shared');
    expect(commandKind('HELLO', ['HELLO', '3'], 3)).to.equal('shared');
    expect(kind('HELLO', 3)).to.equal('poison');
    expect(commandKind('HELLO', ['HELLO', '3'], undefined)).to.equal('poison');
    expect(kind('HELLO', 2, 'SETNAME', 'x')).to.equal('session');
    expect(kind('HELLO', 2, 'AUTH', 'u', 'p')).to.equal('poison');
    expect(kind('CLIENT', 'setname', 'x')).to.equal('session');
    expect(kind('SWAPDB', 0, 1)).to.equal('shared');
  });
});

describe('connection-state commands against a server (issue 8 item 6)', function () {
  const ctx = serverAndPool({ size: 2, protocol: 3 });

  it('runs a HELLO that keeps the protocol, and a bare HELLO, on the pool', async function () {
    const hello = (await ctx.pool.command(['HELLO', '3'])) as Map<string, unknown>;
    expect(hello.get('proto')).to.equal(3);
    const bare = (await ctx.pool.command(['HELLO'])) as Map<string, unknown>;
    expect(bare.get('server')).to.equal('redis');
    expect(await ctx.pool.command(['PING'])).to.equal('PONG');
    await ctx.pool.command(['HELLO', '2']).then(
      () => expect.fail('HELLO 2 on a RESP3 pool must be refused'),
      (err: Error & { code?: string }) => expect(err.code).to.equal('EUSAGE'),
    );
  });

  it('runs SWAPDB on the pool: it swaps data, not the connection', async function () {
    await ctx.pool.command(['SET', 'swapped', 'in-db-0']);
    expect(await ctx.pool.command(['SWAPDB', 0, 1])).to.equal('OK');
    expect(await ctx.pool.command(['GET', 'swapped'])).to.equal(null);
    expect(await ctx.pool.command(['SWAPDB', 0, 1])).to.equal('OK');
    expect(await ctx.pool.command(['GET', 'swapped'])).to.equal('in-db-0');
  });

  it('lets a use handle name its connection and puts the name back when it returns', async function () {
    const id = await ctx.pool.use(async (c) => {
      expect(await c.command(['CLIENT', 'SETNAME', 'worker-1'])).to.equal('OK');
      expect(await c.command(['CLIENT', 'GETNAME'])).to.equal('worker-1');
      return c.command(['CLIENT', 'ID']);
    });
    const list = await ctx.server.cli('CLIENT', 'LIST', 'ID', String(id));
    expect(list).to.contain(`id=${id} `);
    expect(list).to.contain(' name= ');
  });

  it('answers CLIENT SETNAME through the pool without leaving the name on a shared connection', async function () {
    expect(await ctx.pool.command(['CLIENT', 'SETNAME', 'lib-name'])).to.equal('OK');
    const list = await ctx.server.cli('CLIENT', 'LIST');
    expect(list).to.not.contain('name=lib-name');
  });
});
