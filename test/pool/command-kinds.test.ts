import { expect } from 'chai';
import { commandKind, commandName } from '../../lib/pool/command-kinds.js';

describe('command kinds', function () {
  const kind = (...command: string[]) => commandKind(commandName(command), command);

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
});
