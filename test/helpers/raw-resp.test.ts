import { expect } from 'chai';
import { displayReply, encodeCommand, parseFrame, RawErrorReply } from './raw-resp.js';

describe('helpers/raw-resp', () => {
  it('encodes a command as an array of bulk strings', () => {
    expect(encodeCommand(['SET', 'k', 12]).toString()).to.equal('*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2\r\n12\r\n');
    expect(encodeCommand([Buffer.from([0, 255])])).to.deep.equal(Buffer.from([...Buffer.from('*1\r\n$2\r\n'), 0, 255, 13, 10]));
  });

  const fixtures: [string, unknown][] = [
    ['+OK\r\n', 'OK'],
    [':-42\r\n', -42],
    ['$5\r\nhe\r\no\r\n', 'he\r\no'],
    ['$-1\r\n', null],
    ['*-1\r\n', null],
    ['_\r\n', null],
    ['#t\r\n', true],
    [',1.5\r\n', 1.5],
    ['(12345678901234567890\r\n', '12345678901234567890'],
    ['=8\r\ntxt:abcd\r\n', 'abcd'],
    ['*2\r\n:1\r\n*1\r\n$1\r\nx\r\n', [1, ['x']]],
    ['%1\r\n+a\r\n~2\r\n:1\r\n:2\r\n', { a: [1, 2] }],
  ];

  it('parses every type whole and reports "need more" at every split point', () => {
    for (const [text, expected] of fixtures) {
      const buf = Buffer.from(text);
      expect(parseFrame(buf), text).to.deep.equal({ value: expected, next: buf.length });
      for (let cut = 0; cut < buf.length; cut++) {
        expect(parseFrame(buf.subarray(0, cut)), `${JSON.stringify(text)} cut at ${cut}`).to.equal(undefined);
      }
    }
  });

  it('keeps error replies as values with a code, top level and nested', () => {
    const top = parseFrame(Buffer.from('-WRONGTYPE bad\r\n'))!.value;
    expect(top).to.be.instanceOf(RawErrorReply);
    expect((top as RawErrorReply).code).to.equal('WRONGTYPE');
    const nested = parseFrame(Buffer.from('*2\r\n+OK\r\n!7\r\nERR x y\r\n'))!.value as unknown[];
    expect((nested[1] as RawErrorReply).message).to.equal('ERR x y');
  });

  it('rejects bytes that are not RESP', () => {
    expect(() => parseFrame(Buffer.from('hello\r\n'))).to.throw(/unexpected type byte/);
  });

  it('displays replies for cli()', () => {
    expect(displayReply('v')).to.equal('v');
    expect(displayReply(3)).to.equal('3');
    expect(displayReply(null)).to.equal('(nil)');
    expect(displayReply(['a', 1, null, new RawErrorReply('ERR no')])).to.equal('["a",1,null,"ERR no"]');
    expect(displayReply({ proto: 3 })).to.equal('{"proto":3}');
  });
});
