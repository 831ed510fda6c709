import { expect } from 'chai';
import { redact, REDACTED as R } from '../../lib/diagnostics/redact.js';

describe('redact', () => {
  const cases: [string, unknown[], unknown[]][] = [
    ['AUTH pass', ['AUTH', 'pw'], ['AUTH', R]],
    ['AUTH user pass', ['auth', 'alice', 'pw'], ['auth', R, R]],
    ['HELLO AUTH', ['HELLO', '3', 'AUTH', 'alice', 'pw', 'SETNAME', 'app'], ['HELLO', '3', 'AUTH', R, R, 'SETNAME', 'app']],
    ['HELLO without AUTH', ['HELLO', '3'], ['HELLO', '3']],
    ['ACL SETUSER', ['ACL', 'SETUSER', 'bob', 'on', '>pw', '<old', '#abc', '!def', '~*', '+@all'],
      ['ACL', 'SETUSER', 'bob', 'on', R, R, R, R, '~*', '+@all']],
    ['ACL SETUSER Buffer', ['ACL', 'SETUSER', 'bob', Buffer.from('>pw')], ['ACL', 'SETUSER', 'bob', R]],
    ['CONFIG SET requirepass', ['CONFIG', 'SET', 'requirepass', 'pw', 'maxmemory', '1mb'], ['CONFIG', 'SET', 'requirepass', R, 'maxmemory', '1mb']],
    ['CONFIG SET masterauth', ['config', 'set', 'MASTERAUTH', 'pw'], ['config', 'set', 'MASTERAUTH', R]],
    ['MIGRATE AUTH', ['MIGRATE', 'h', '1', '', '0', '10', 'COPY', 'AUTH', 'pw', 'KEYS', 'a'],
      ['MIGRATE', 'h', '1', '', '0', '10', 'COPY', 'AUTH', R, 'KEYS', 'a']],
    ['MIGRATE AUTH2', ['MIGRATE', 'h', '1', 'k', '0', '10', 'AUTH2', 'u', 'pw'], ['MIGRATE', 'h', '1', 'k', '0', '10', 'AUTH2', R, R]],
    ['SENTINEL SET auth-pass', ['SENTINEL', 'SET', 'mymaster', 'auth-pass', 'pw'], ['SENTINEL', 'SET', 'mymaster', 'auth-pass', R]],
    ['SENTINEL CONFIG SET', ['SENTINEL', 'CONFIG', 'SET', 'sentinel-pass', 'pw'], ['SENTINEL', 'CONFIG', 'SET', 'sentinel-pass', R]],
  ];
  for (const [what, input, output] of cases) {
    it(what, () => {
      expect(redact(input as never)).to.deep.equal(output);
    });
  }

  it('returns the same array when there is nothing to hide', () => {
    const command = ['SET', 'k', 'v'];
    expect(redact(command)).to.equal(command);
    const config = ['CONFIG', 'SET', 'maxmemory', '1mb'];
    expect(redact(config)).to.equal(config);
  });

  it('never modifies the caller\'s array', () => {
    const command = ['AUTH', 'pw'];
    redact(command);
    expect(command).to.deep.equal(['AUTH', 'pw']);
  });
});
