import { expect } from 'chai';
import { Decoder } from '../../lib/resp/decoder.js';
import { encodeCommand, isCommandArg } from '../../lib/resp/encoder.js';
import type { Reply } from '../../lib/resp/types.js';

/** Decode what the encoder produced, as the server would read it (bulk strings as Buffers). */
function decodeOne(encoded: string | Buffer): Reply {
  const replies: Reply[] = [];
  const decoder = new Decoder({
    wantsBuffers: () => true,
    onReply: (v) => replies.push(v),
    onPush: () => expect.fail('no push expected'),
  });
  decoder.feed(typeof encoded === 'string' ? Buffer.from(encoded, 'utf8') : encoded);
  expect(replies).to.have.length(1);
  return replies[0];
}

describe('encodeCommand', () => {
  describe('string commands', () => {
    it('encodes strings as an array of bulk strings, returned as one string', () => {
      const out = encodeCommand(['GET', 'key']);
      expect(out).to.equal('*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n');
    });

    it('encodes the empty string as a zero-length bulk', () => {
      expect(encodeCommand(['SET', 'k', ''])).to.equal('*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n');
    });

    it('keeps CR and LF inside an argument as payload', () => {
      expect(encodeCommand(['ECHO', 'a\r\nb'])).to.equal('*2\r\n$4\r\nECHO\r\n$4\r\na\r\nb\r\n');
    });

    it('counts UTF-8 bytes, not UTF-16 units, and encodes non-ASCII text as a UTF-8 Buffer', () => {
      const utf8 = (command: unknown[]) => {
        const out = encodeCommand(command);
        expect(Buffer.isBuffer(out), 'non-ASCII commands are Buffers').to.equal(true);
        return (out as Buffer).toString('utf8');
      };
      expect(utf8(['héllo'])).to.equal('*1\r\n$6\r\nhéllo\r\n');
      expect(utf8(['😀'])).to.equal('*1\r\n$4\r\n😀\r\n');
      const long = 'é'.repeat(40) + 'x'.repeat(40);
      expect(utf8([long])).to.equal(`*1\r\n$120\r\n${long}\r\n`);
      const lateNonAscii = 'x'.repeat(31) + '€';
      expect(utf8(['SET', 'k', lateNonAscii, 'EX', 10])).to.equal(
        `*5\r\n$3\r\nSET\r\n$1\r\nk\r\n$34\r\n${lateNonAscii}\r\n$2\r\nEX\r\n$2\r\n10\r\n`,
      );
    });

    it('returns ASCII-only strings (the connection writes them as latin1)', () => {
      const out = encodeCommand(['SET', 'key', 'x'.repeat(100), 'PX', 5]);
      expect(out).to.be.a('string');
      expect(/^[\x00-\x7f]*$/.test(out as string)).to.equal(true);
    });
    it('writes the right headers on both sides of the precomputed header tables', () => {
      // Arrays up to 31 elements and bulks up to 1023 bytes take their header from a table.
      for (const count of [1, 30, 31, 32, 33, 100]) {
        const args = Array.from({ length: count }, (_, i) => 'a' + i);
        const expected = `*${count}\r\n` + args.map((a) => `$${a.length}\r\n${a}\r\n`).join('');
        expect(encodeCommand(args), `${count} arguments`).to.equal(expected);
      }
      for (const size of [0, 9, 10, 1022, 1023, 1024, 1025, 70_000]) {
        const value = 'v'.repeat(size);
        expect(encodeCommand(['SET', 'k', value]), `${size} bytes`).to.equal(
          `*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$${size}\r\n${value}\r\n`,
        );
        const digits = String(size);
        expect(encodeCommand(['INCRBY', 'k', size]), `the number ${size}`).to.equal(
          `*3\r\n$6\r\nINCRBY\r\n$1\r\nk\r\n$${digits.length}\r\n${digits}\r\n`,
        );
      }
    });
  });

  describe('numbers', () => {
    const cases: Array<[number, string]> = [
      [0, '0'],
      [42, '42'],
      [-3, '-3'],
      [1.5, '1.5'],
      [-0.25, '-0.25'],
      [Number.MAX_SAFE_INTEGER, '9007199254740991'],
      [1e21, '1e+21'],
    ];
    for (const [n, text] of cases) {
      it(`sends ${n} as the decimal text "${text}"`, () => {
        expect(encodeCommand(['INCRBY', n])).to.equal(
          `*2\r\n$6\r\nINCRBY\r\n$${text.length}\r\n${text}\r\n`,
        );
      });
    }
  });

  describe('Buffers', () => {
    it('returns one Buffer when any argument is a Buffer', () => {
      const value = Buffer.from([0x00, 0xff, 0x0d, 0x0a, 0x80]);
      const out = encodeCommand(['SET', 'k', value]);
      expect(Buffer.isBuffer(out)).to.equal(true);
      const expected = Buffer.concat([
        Buffer.from('*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\n'),
        value,
        Buffer.from('\r\n'),
      ]);
      expect(out).to.deep.equal(expected);
    });

    it('encodes strings, UTF-8 and numbers before and after the Buffer', () => {
      const out = encodeCommand(['HSET', 'hé', Buffer.from('raw'), 'wörld', 7, -1.5]);
      expect(Buffer.isBuffer(out)).to.equal(true);
      expect((out as Buffer).toString('utf8')).to.equal(
        '*6\r\n$4\r\nHSET\r\n$3\r\nhé\r\n$3\r\nraw\r\n$6\r\nwörld\r\n$1\r\n7\r\n$4\r\n-1.5\r\n',
      );
    });

    it('sizes the Buffer exactly, with multi-digit lengths', () => {
      const big = Buffer.alloc(12345, 0x61);
      const out = encodeCommand([big, Buffer.alloc(0)]) as Buffer;
      const head = '*2\r\n$12345\r\n';
      expect(out.length).to.equal(head.length + 12345 + 2 + '$0\r\n\r\n'.length);
      expect(out.subarray(0, head.length).toString()).to.equal(head);
      expect(out.subarray(out.length - 6).toString()).to.equal('$0\r\n\r\n');
    });

    it('is read back by the decoder as the same bytes', () => {
      const value = Buffer.from([1, 2, 3, 0x0d, 0x0a, 255]);
      const decoded = decodeOne(encodeCommand(['SET', 'clé', value, 12]));
      expect(decoded).to.deep.equal([
        Buffer.from('SET'),
        Buffer.from('clé'),
        value,
        Buffer.from('12'),
      ]);
    });
  });

  describe('bad input', () => {
    it('throws TypeError for an empty command', () => {
      expect(() => encodeCommand([])).to.throw(TypeError, /empty command/);
    });

    const secret = {
      toString: () => 'hunter2',
    };
    const bad: Array<[string, unknown, RegExp]> = [
      ['null', null, /is null/],
      ['undefined', undefined, /type undefined/],
      ['an object', secret, /an object/],
      ['an array', ['hunter2'], /an object/],
      ['a boolean', true, /type boolean/],
      ['NaN', NaN, /non-finite number/],
      ['Infinity', Infinity, /non-finite number/],
      ['-Infinity', -Infinity, /non-finite number/],
      ['a bigint', 12345678901234567890n, /type bigint/],
      ['a symbol', Symbol('hunter2'), /type symbol/],
    ];
    for (const [name, value, pattern] of bad) {
      it(`throws TypeError naming the index and type for ${name}, not the value`, () => {
        for (const args of [
          ['AUTH', 'user', value],
          ['AUTH', Buffer.from('user'), value], // the Buffer path validates too
        ]) {
          let error: unknown;
          try {
            encodeCommand(args);
          } catch (err) {
            error = err;
          }
          expect(error).to.be.instanceOf(TypeError);
          const message = (error as TypeError).message;
          expect(message).to.match(pattern);
          expect(message).to.contain('argument 2');
          expect(message).not.to.contain('hunter2');
          if (typeof value === 'number' || typeof value === 'boolean') {
            expect(message).not.to.contain(String(value));
          }
          if (typeof value === 'bigint') expect(message).not.to.contain('1234567890');
        }
      });
    }
  });
});

describe('isCommandArg', () => {
  it('accepts strings, Buffers and finite numbers', () => {
    for (const x of ['', 'a', Buffer.alloc(0), 0, -1.5, Number.MAX_VALUE]) {
      expect(isCommandArg(x), String(x)).to.equal(true);
    }
  });

  it('rejects everything else', () => {
    for (const x of [null, undefined, NaN, Infinity, true, {}, [], 1n, new Uint8Array(1)]) {
      expect(isCommandArg(x), String(x)).to.equal(false);
    }
  });
});
