/**
 * Property test: random nested values are written as RESP3 by a small writer below (which picks
 * encodings and sprinkles attributes at random), cut at random points, fed to the decoder, and
 * must come out equal. The PRNG is seeded, so a failure names the seed that reproduces it.
 */
import { expect } from 'chai';
import { ReplyError } from '../../lib/errors.js';
import { Decoder } from '../../lib/resp/decoder.js';
import type { Reply } from '../../lib/resp/types.js';
import { prng } from '../helpers/prng.js';


type Rng = () => number;
const int = (r: Rng, n: number): number => Math.floor(r() * n);
const pick = <T>(r: Rng, items: readonly T[]): T => items[int(r, items.length)];

const ALPHABET = ['a', 'b', 'z', ' ', ':', '\r', '\n', 'é', '€', '😀', '$', '*'];
const PLAIN = ['a', 'b', 'k', 'x', ' ', 'é', '€', '😀'];

function randomText(r: Rng, alphabet: readonly string[]): string {
  const long = r() < 0.05;
  const length = long ? 200 + int(r, 3000) : int(r, 12);
  let s = '';
  for (let i = 0; i < length; i++) s += pick(r, alphabet);
  return s;
}

/** A random value of the kinds the decoder produces (strings only: Buffers come from the writer). */
function randomValue(r: Rng, depth: number): Reply {
  const kinds = depth >= 3 ? 8 : 11;
  switch (int(r, kinds)) {
    case 0:
    case 1:
      return randomText(r, ALPHABET);
    case 2:
      return r() < 0.8 ? int(r, 2001) - 1000 : int(r, Number.MAX_SAFE_INTEGER) * (r() < 0.5 ? -1 : 1) || 0;
    case 3: {
      const special = [Infinity, -Infinity, NaN];
      return r() < 0.2 ? pick(r, special) : (r() - 0.5) * 10 ** int(r, 12) || 0.5;
    }
    case 4:
      return BigInt((r() < 0.5 ? '-' : '') + '1' + String(int(r, 1e9)).repeat(1 + int(r, 4)));
    case 5:
      return r() < 0.5;
    case 6:
      return null;
    case 7:
      return new ReplyError('ERR ' + randomText(r, PLAIN));
    case 8:
      return Array.from({ length: int(r, 5) }, () => randomValue(r, depth + 1));
    case 9: {
      const map = new Map<Reply, Reply>();
      for (let i = int(r, 4); i > 0; i--) map.set(randomText(r, PLAIN) + i, randomValue(r, depth + 1));
      return map;
    }
    default: {
      const set = new Set<Reply>();
      for (let i = int(r, 4); i > 0; i--) set.add(r() < 0.5 ? int(r, 100) : randomText(r, PLAIN));
      return set;
    }
  }
}

/**
 * A minimal RESP3 writer for tests. Appends the encoding of `value` to `out`, choosing among the
 * encodings the server may use, and returns what the decoder should produce for it when
 * `buffers` (returnBuffers) is on or off.
 */
function write(value: Reply, r: Rng, buffers: boolean, out: Buffer[]): Reply {
  const text = (s: string): void => void out.push(Buffer.from(s, 'utf8'));
  if (r() < 0.08) {
    // An attribute before the value: parsed and dropped by the decoder.
    text('|1\r\n+ttl\r\n');
    write(int(r, 100), r, buffers, out);
  }
  if (typeof value === 'string') {
    const bytes = Buffer.byteLength(value);
    const choice = r();
    if (choice < 0.3 && !/[\r\n]/.test(value)) {
      text(`+${value}\r\n`);
      return value;
    }
    if (choice < 0.5) text(`=${bytes + 4}\r\ntxt:${value}\r\n`);
    else text(`$${bytes}\r\n${value}\r\n`);
    return buffers ? Buffer.from(value) : value;
  }
  if (typeof value === 'number') {
    if (Number.isInteger(value) && r() < 0.7) text(`:${value}\r\n`);
    else if (Number.isNaN(value)) text(',nan\r\n');
    else if (!Number.isFinite(value)) text(value > 0 ? ',inf\r\n' : ',-inf\r\n');
    else text(`,${value}\r\n`);
    return value;
  }
  if (typeof value === 'bigint') text(`(${value}\r\n`);
  else if (typeof value === 'boolean') text(value ? '#t\r\n' : '#f\r\n');
  else if (value === null) text(pick(r, ['_\r\n', '$-1\r\n', '*-1\r\n']));
  else if (value instanceof ReplyError) {
    if (r() < 0.5) text(`-${value.message}\r\n`);
    else text(`!${Buffer.byteLength(value.message)}\r\n${value.message}\r\n`);
  } else if (Array.isArray(value)) {
    text(`*${value.length}\r\n`);
    return value.map((v) => write(v, r, buffers, out));
  } else if (value instanceof Map) {
    text(`%${value.size}\r\n`);
    const map = new Map<Reply, Reply>();
    for (const [k, v] of value) map.set(write(k, r, buffers, out), write(v, r, buffers, out));
    return map;
  } else if (value instanceof Set) {
    text(`~${value.size}\r\n`);
    return new Set([...value].map((v) => write(v, r, buffers, out)));
  }
  return value;
}

type Event = ['reply', Reply] | ['push', Reply];

/** Random frames, their bytes, the events they must produce, and the wantsBuffers answers. */
function randomStream(r: Rng, frames: number) {
  const out: Buffer[] = [];
  const events: Event[] = [];
  const answers: boolean[] = [];
  for (let i = 0; i < frames; i++) {
    const buffers = r() < 0.3;
    answers.push(buffers);
    if (r() < 0.15) {
      const items = Array.from({ length: 1 + int(r, 3) }, () => randomValue(r, 1));
      out.push(Buffer.from(`>${items.length}\r\n`));
      events.push(['push', items.map((v) => write(v, r, buffers, out))]);
    } else {
      events.push(['reply', write(randomValue(r, 0), r, buffers, out)]);
    }
  }
  return { bytes: Buffer.concat(out), events, answers };
}

/** Cut `bytes` at random points: sometimes fine-grained, sometimes in a few large pieces. */
function randomCuts(r: Rng, bytes: Buffer): Buffer[] {
  const maxPiece = pick(r, [1, 3, 16, 256, bytes.length]);
  const chunks: Buffer[] = [];
  for (let at = 0; at < bytes.length; ) {
    const size = 1 + int(r, maxPiece);
    chunks.push(bytes.subarray(at, at + size));
    at += size;
  }
  return chunks;
}

describe('Decoder (property: random values, random cuts)', () => {
  const seeds = 300;

  it(`decodes ${seeds} seeded random streams equal to what was written`, () => {
    for (let seed = 1; seed <= seeds; seed++) {
      const r = prng(seed);
      const { bytes, events: expected, answers } = randomStream(r, 1 + int(r, 30));
      const events: Event[] = [];
      let asked = 0;
      const decoder = new Decoder({
        wantsBuffers: () => answers[asked++],
        onReply: (v) => events.push(['reply', v]),
        onPush: (v) => events.push(['push', v]),
      });
      for (const chunk of randomCuts(r, bytes)) decoder.feed(chunk);
      expect(events, `seed ${seed}`).to.deep.equal(expected);
      expect(asked, `seed ${seed}: wantsBuffers calls`).to.equal(answers.length);
      expect(decoder.pending, `seed ${seed}: pending`).to.equal(false);
    }
  });
});
