import { expect } from 'chai';
import { ProtocolError, ReplyError } from '../../lib/errors.js';
import { Decoder } from '../../lib/resp/decoder.js';
import type { Reply } from '../../lib/resp/types.js';

type Event = ['reply', Reply] | ['push', Reply[]];

/** A sink that records what it receives and how often it was asked about Buffers. */
class RecordingSink {
  readonly events: Event[] = [];
  asked = 0;
  constructor(private readonly answers: () => boolean = () => false) {}
  wantsBuffers(): boolean {
    this.asked++;
    return this.answers();
  }
  onReply(value: Reply): void {
    this.events.push(['reply', value]);
  }
  onPush(value: Reply[]): void {
    this.events.push(['push', value]);
  }
}

interface Fixture {
  name: string;
  /** RESP text (sent as UTF-8), or exact bytes. */
  resp: string | Buffer;
  events: Event[];
  buffers?: boolean;
}

const reply = (value: Reply): Event => ['reply', value];
const push = (value: Reply[]): Event => ['push', value];
const err = (line: string): ReplyError => new ReplyError(line);

const fixtures: Fixture[] = [
  // RESP2
  { name: 'simple string', resp: '+OK\r\n', events: [reply('OK')] },
  { name: 'empty simple string', resp: '+\r\n', events: [reply('')] },
  { name: 'error', resp: "-ERR unknown command 'foo'\r\n", events: [reply(err("ERR unknown command 'foo'"))] },
  { name: 'integer', resp: ':1000\r\n', events: [reply(1000)] },
  { name: 'negative integer', resp: ':-42\r\n', events: [reply(-42)] },
  { name: 'integer beyond 2^53 (approximate)', resp: ':9007199254740993\r\n', events: [reply(9007199254740992)] },
  { name: 'bulk', resp: '$5\r\nhello\r\n', events: [reply('hello')] },
  { name: 'empty bulk', resp: '$0\r\n\r\n', events: [reply('')] },
  { name: 'null bulk', resp: '$-1\r\n', events: [reply(null)] },
  { name: 'bulk holding CRLF', resp: '$6\r\na\r\nb\r\n\r\n', events: [reply('a\r\nb\r\n')] },
  { name: 'UTF-8 bulk', resp: '$10\r\nhé€😀\r\n', events: [reply('hé€😀')] },
  { name: 'array', resp: '*3\r\n$3\r\nfoo\r\n:1\r\n+bar\r\n', events: [reply(['foo', 1, 'bar'])] },
  { name: 'empty array', resp: '*0\r\n', events: [reply([])] },
  { name: 'null array', resp: '*-1\r\n', events: [reply(null)] },
  { name: 'nested arrays', resp: '*2\r\n*2\r\n:1\r\n*0\r\n*1\r\n$-1\r\n', events: [reply([[1, []], [null]])] },
  {
    name: 'errors in place inside an array',
    resp: '*3\r\n+OK\r\n-WRONGTYPE bad\r\n:2\r\n',
    events: [reply(['OK', err('WRONGTYPE bad'), 2])],
  },
  // RESP3
  { name: 'null', resp: '_\r\n', events: [reply(null)] },
  { name: 'true', resp: '#t\r\n', events: [reply(true)] },
  { name: 'false', resp: '#f\r\n', events: [reply(false)] },
  { name: 'double', resp: ',3.14\r\n', events: [reply(3.14)] },
  { name: 'double with exponent', resp: ',-1.5e-3\r\n', events: [reply(-0.0015)] },
  { name: 'integral double', resp: ',10\r\n', events: [reply(10)] },
  { name: 'inf', resp: ',inf\r\n', events: [reply(Infinity)] },
  { name: '-inf', resp: ',-inf\r\n', events: [reply(-Infinity)] },
  { name: 'nan', resp: ',nan\r\n', events: [reply(NaN)] },
  {
    name: 'big number',
    resp: '(3492890328409238509324850943850943825024385\r\n',
    events: [reply(3492890328409238509324850943850943825024385n)],
  },
  { name: 'negative big number', resp: '(-12\r\n', events: [reply(-12n)] },
  { name: 'blob error', resp: '!21\r\nSYNTAX invalid syntax\r\n', events: [reply(err('SYNTAX invalid syntax'))] },
  { name: 'verbatim', resp: '=15\r\ntxt:Some string\r\n', events: [reply('Some string')] },
  { name: 'empty verbatim', resp: '=4\r\nmkd:\r\n', events: [reply('')] },
  {
    name: 'map',
    resp: '%2\r\n+first\r\n:1\r\n+second\r\n:2\r\n',
    events: [reply(new Map<Reply, Reply>([['first', 1], ['second', 2]]))],
  },
  { name: 'empty map', resp: '%0\r\n', events: [reply(new Map())] },
  { name: 'set', resp: '~3\r\n+a\r\n:1\r\n#f\r\n', events: [reply(new Set<Reply>(['a', 1, false]))] },
  { name: 'empty set', resp: '~0\r\n', events: [reply(new Set())] },
  {
    name: 'nested map, set and array',
    resp: '%2\r\n$1\r\nk\r\n~2\r\n:1\r\n*1\r\n_\r\n*1\r\n:9\r\n%1\r\n+x\r\n%0\r\n',
    events: [
      reply(
        new Map<Reply, Reply>([
          ['k', new Set<Reply>([1, [null]])],
          [[9], new Map<Reply, Reply>([['x', new Map()]])],
        ]),
      ),
    ],
  },
  {
    name: 'error as a map value',
    resp: '%1\r\n+a\r\n-ERR no\r\n',
    events: [reply(new Map<Reply, Reply>([['a', err('ERR no')]]))],
  },
  {
    name: 'attribute before a top-level value',
    resp:
      '|1\r\n+key-popularity\r\n%2\r\n$1\r\na\r\n,0.1923\r\n$1\r\nb\r\n,0.0012\r\n' +
      '*2\r\n:2039123\r\n:9543892\r\n',
    events: [reply([2039123, 9543892])],
  },
  { name: 'empty attribute', resp: '|0\r\n:1\r\n', events: [reply(1)] },
  {
    name: 'attribute inside an array',
    resp: '*2\r\n|1\r\n+ttl\r\n:3600\r\n+a\r\n:2\r\n',
    events: [reply(['a', 2])],
  },
  {
    name: 'push',
    resp: '>3\r\n$7\r\nmessage\r\n$4\r\nchan\r\n$2\r\nhi\r\n',
    events: [push(['message', 'chan', 'hi'])],
  },
  { name: 'empty push', resp: '>0\r\n', events: [push([])] },
  {
    name: 'pushes interleaved with replies',
    resp: ':1\r\n>2\r\n+invalidate\r\n*1\r\n$1\r\nk\r\n+OK\r\n>1\r\n+x\r\n:2\r\n',
    events: [reply(1), push(['invalidate', ['k']]), reply('OK'), push(['x']), reply(2)],
  },
  // returnBuffers: only bulk and verbatim strings become Buffers.
  { name: 'bulk as Buffer', resp: '$3\r\nabc\r\n', buffers: true, events: [reply(Buffer.from('abc'))] },
  { name: 'empty bulk as Buffer', resp: '$0\r\n\r\n', buffers: true, events: [reply(Buffer.alloc(0))] },
  { name: 'simple string stays a string', resp: '+OK\r\n', buffers: true, events: [reply('OK')] },
  { name: 'verbatim as Buffer', resp: '=7\r\ntxt:abc\r\n', buffers: true, events: [reply(Buffer.from('abc'))] },
  { name: 'error stays an error', resp: '!3\r\nERR\r\n', buffers: true, events: [reply(err('ERR'))] },
  {
    name: 'binary bulk in an array',
    resp: Buffer.from('*2\r\n$3\r\n\xff\x00\r\r\n+b\r\n', 'latin1'),
    buffers: true,
    events: [reply([Buffer.from([0xff, 0x00, 0x0d]), 'b'])],
  },
];

function bytesOf(resp: string | Buffer): Buffer {
  return typeof resp === 'string' ? Buffer.from(resp, 'utf8') : resp;
}

/** Feed `chunks` to a fresh decoder and return the sink. */
function decode(chunks: Buffer[], buffers = false): RecordingSink {
  const sink = new RecordingSink(() => buffers);
  const decoder = new Decoder(sink);
  for (const chunk of chunks) decoder.feed(chunk);
  expect(decoder.pending, 'pending after the last byte').to.equal(false);
  return sink;
}

function byteByByte(bytes: Buffer): Buffer[] {
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i++) chunks.push(bytes.subarray(i, i + 1));
  return chunks;
}

describe('Decoder', () => {
  describe('fixtures', () => {
    for (const f of fixtures) {
      describe(f.name, () => {
        const bytes = bytesOf(f.resp);

        it('decodes when fed whole', () => {
          expect(decode([bytes], f.buffers).events).to.deep.equal(f.events);
        });

        it('decodes when fed one byte at a time', () => {
          expect(decode(byteByByte(bytes), f.buffers).events).to.deep.equal(f.events);
        });

        it('decodes when split at every single boundary', () => {
          for (let i = 1; i < bytes.length; i++) {
            const events = decode([bytes.subarray(0, i), bytes.subarray(i)], f.buffers).events;
            expect(events, `split at ${i}`).to.deep.equal(f.events);
          }
        });

        it('asks wantsBuffers once per top-level frame, even byte by byte', () => {
          const sink = decode(byteByByte(bytes), f.buffers);
          expect(sink.asked).to.equal(f.events.length);
        });
      });
    }

    for (const buffers of [false, true]) {
      it(`decodes all ${buffers ? 'returnBuffers ' : ''}fixtures concatenated in one chunk`, () => {
        const group = fixtures.filter((f) => (f.buffers ?? false) === buffers);
        const bytes = Buffer.concat(group.map((f) => bytesOf(f.resp)));
        expect(decode([bytes], buffers).events).to.deep.equal(group.flatMap((f) => f.events));
      });
    }
  });

  describe('returnBuffers per frame', () => {
    it('applies each frame its own wantsBuffers answer', () => {
      let n = 0;
      const sink = new RecordingSink(() => n++ % 2 === 0);
      const decoder = new Decoder(sink);
      decoder.feed(Buffer.from('$1\r\na\r\n$1\r\nb\r\n*1\r\n$1\r\nc\r\n|1\r\n+x\r\n+y\r\n$1\r\nd\r\n'));
      expect(sink.events).to.deep.equal([
        reply(Buffer.from('a')),
        reply('b'),
        reply([Buffer.from('c')]),
        reply('d'), // the attribute started the fourth frame: asked once, answered false
      ]);
      expect(sink.asked).to.equal(4);
    });

    it('returns Buffers that do not alias the fed chunk', () => {
      const sink = new RecordingSink(() => true);
      const chunk = Buffer.from('$3\r\nabc\r\n');
      new Decoder(sink).feed(chunk);
      chunk.fill(0x7a);
      expect(sink.events).to.deep.equal([reply(Buffer.from('abc'))]);
    });
  });

  describe('pending', () => {
    it('is true from the first byte of a frame until its last', () => {
      const decoder = new Decoder(new RecordingSink());
      const bytes = Buffer.from('*2\r\n$3\r\nabc\r\n:1\r\n');
      expect(decoder.pending).to.equal(false);
      for (let i = 0; i < bytes.length - 1; i++) {
        decoder.feed(bytes.subarray(i, i + 1));
        expect(decoder.pending, `after byte ${i}`).to.equal(true);
      }
      decoder.feed(bytes.subarray(bytes.length - 1));
      expect(decoder.pending).to.equal(false);
    });

    it('stays true between an attribute and the value it annotates', () => {
      const decoder = new Decoder(new RecordingSink());
      decoder.feed(Buffer.from('|1\r\n+a\r\n+b\r\n'));
      expect(decoder.pending).to.equal(true);
    });
  });

  describe('reset', () => {
    it('forgets a partial frame, so the next frame decodes from scratch', () => {
      for (const partial of ['*3\r\n:1\r\n', '$10\r\nabc', '+O', '%1\r\n+a\r\n']) {
        const sink = new RecordingSink();
        const decoder = new Decoder(sink);
        decoder.feed(Buffer.from(partial));
        decoder.reset();
        expect(decoder.pending).to.equal(false);
        decoder.feed(Buffer.from(':7\r\n'));
        expect(sink.events, partial).to.deep.equal([reply(7)]);
      }
    });
  });

  describe('UTF-8 split across chunks', () => {
    const text = 'a€b😀c';
    for (const [name, resp] of [
      ['bulk', `$${Buffer.byteLength(text)}\r\n${text}\r\n`],
      ['simple string', `+${text}\r\n`],
      ['verbatim', `=${Buffer.byteLength(text) + 4}\r\ntxt:${text}\r\n`],
    ]) {
      it(`decodes a ${name} cut inside every multi-byte character`, () => {
        const bytes = Buffer.from(resp, 'utf8');
        const start = bytes.indexOf('a€');
        const cuts = [start + 2, start + 3, start + 5, start + 6, start + 7];
        for (const cut of cuts) {
          const events = decode([bytes.subarray(0, cut), bytes.subarray(cut)]).events;
          expect(events, `cut at ${cut}`).to.deep.equal([reply(text)]);
        }
      });
    }
  });

  describe('large bulk', () => {
    const size = 10 * 1024 * 1024;
    const payload = Buffer.alloc(size);
    for (let i = 0; i < size; i++) payload[i] = 0x61 + (i % 26);
    const bytes = Buffer.concat([Buffer.from(`$${size}\r\n`), payload, Buffer.from('\r\n:1\r\n')]);
    const chunks: Buffer[] = [];
    const step = Math.ceil(bytes.length / 1000);
    for (let i = 0; i < bytes.length; i += step) chunks.push(bytes.subarray(i, i + step));

    it('decodes a 10 MB bulk split into 1000 chunks, as a string', () => {
      expect(chunks).to.have.length(1000);
      const events = decode(chunks).events;
      expect(events).to.have.length(2);
      const value = events[0][1] as string;
      expect(value.length).to.equal(size);
      expect(value === payload.toString('latin1')).to.equal(true);
      expect(events[1]).to.deep.equal(reply(1));
    });

    it('decodes a 10 MB bulk split into 1000 chunks, as a Buffer', () => {
      const events = decode(chunks, true).events;
      expect(events).to.have.length(2);
      expect((events[0][1] as Buffer).equals(payload)).to.equal(true);
    });

    // Large bulks in big parts are decoded part by part; characters cut between parts must
    // come out whole. Small parts take the join-then-decode path: both must agree.
    const text = 'a€😀é'.repeat(30_000); // 10 bytes per repeat: 300 kB, cuts land mid-character
    const utf8Bytes = Buffer.from(`$${Buffer.byteLength(text)}\r\n${text}\r\n+OK\r\n`);
    for (const partSize of [64 * 1024, 1024, 65_537]) {
      it(`decodes a 300 kB multi-byte UTF-8 bulk in ${partSize}-byte chunks`, () => {
        const parts: Buffer[] = [];
        for (let i = 0; i < utf8Bytes.length; i += partSize) {
          parts.push(utf8Bytes.subarray(i, i + partSize));
        }
        const events = decode(parts).events;
        expect(events).to.have.length(2);
        expect(events[0][1] === text, 'decoded text equals the original').to.equal(true);
        expect(events[1]).to.deep.equal(reply('OK'));
      });
    }
  });

  describe('protocol errors', () => {
    const garbage: Array<[string, string, RegExp]> = [
      ['an unknown type byte', 'A\r\n', /unexpected byte 0x41 at start of frame/],
      ['an unknown type byte inside an array', '*2\r\n:1\r\n?x\r\n', /0x3f at start of aggregate element/],
      ['a non-numeric length', '$abc\r\n', /non-numeric/],
      ['an empty length', '*\r\n', /empty/],
      ['a bulk length below -1', '$-2\r\n', /bad length -2/],
      ['a null map', '%-1\r\n', /bad length -1/],
      ['a negative push count', '>-1\r\n', /bad length -1/],
      ['a length too large for a Buffer', '$99999999999999999999\r\n', /bad length/],
      ['a non-numeric integer', ':12a\r\n', /non-numeric/],
      ['a bulk longer than announced', '$3\r\nabcd\r\n', /not followed by CRLF/],
      ['CR without LF', '+OK\rX\r\n', /LF after CR/],
      ['LF without CR', '+OK\n+OK\r\n', /LF without CR/],
      ['a bad boolean', '#x\r\n', /boolean/],
      ['a null with a payload', '_x\r\n', /null/],
      ['a bad double', ',abc\r\n', /double/],
      ['an empty double', ',\r\n', /double/],
      ['a bad big number', '(12a\r\n', /big number/],
      ['a verbatim string without prefix', '=3\r\nabc\r\n', /verbatim/],
    ];

    for (const [name, resp, pattern] of garbage) {
      it(`rejects ${name}, whole and byte by byte`, () => {
        const bytes = Buffer.from(resp, 'latin1');
        for (const chunks of [[bytes], byteByByte(bytes)]) {
          const decoder = new Decoder(new RecordingSink());
          let error: unknown;
          try {
            for (const chunk of chunks) decoder.feed(chunk);
          } catch (e) {
            error = e;
          }
          expect(error).to.be.instanceOf(ProtocolError);
          expect((error as ProtocolError).code).to.equal('EPROTOCOL');
          expect((error as ProtocolError).message).to.match(pattern);
        }
      });
    }

    it('stays unusable after an error until reset()', () => {
      const sink = new RecordingSink();
      const decoder = new Decoder(sink);
      expect(() => decoder.feed(Buffer.from('A'))).to.throw(ProtocolError);
      expect(() => decoder.feed(Buffer.from('+OK\r\n'))).to.throw(ProtocolError, /reset/);
      expect(sink.events).to.deep.equal([]);
      decoder.reset();
      decoder.feed(Buffer.from('+OK\r\n'));
      expect(sink.events).to.deep.equal([reply('OK')]);
    });

    it('delivers the frames before the bad byte', () => {
      const sink = new RecordingSink();
      expect(() => new Decoder(sink).feed(Buffer.from(':1\r\n+OK\r\nZ'))).to.throw(ProtocolError);
      expect(sink.events).to.deep.equal([reply(1), reply('OK')]);
    });
  });
});
