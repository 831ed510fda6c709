/**
 * Micro-benchmark: respool's Decoder against redis-parser (returnBuffers: false).
 *
 *   npx tsx bench/decoder.ts            (ROUNDS=9 ROUND_MS=250 by default)
 *
 * Each round runs every scenario once per parser, alternating which goes first, so drift in
 * CPU frequency or neighbours' load hits both alike. The table gives each parser's median
 * replies per second over the rounds, and respool's ratio to redis-parser.
 *
 * Time is this process's CPU time (user + system), not wall time: on a shared machine, wall
 * time counts the moments other processes held the core, which swung results by ±30 %.
 */
import RedisParser from 'redis-parser';
import { Decoder } from '../lib/resp/decoder.js';

const ROUNDS = Number(process.env.ROUNDS ?? 9);
const ROUND_MS = Number(process.env.ROUND_MS ?? 250);

interface Scenario {
  name: string;
  /** The chunks of one iteration, fed in order. */
  chunks: Buffer[];
  /** Replies one iteration produces. */
  replies: number;
  /**
   * Read one character from the middle of each string reply. A string built from parts (a V8
   * rope, as both parsers make for large bulks) is flattened on that first read; this shows
   * the cost a real caller pays, which the bare decode leaves for later.
   */
  read?: boolean;
}

/** Something that eats chunks and counts replies. */
interface Parser {
  feed(chunk: Buffer): void;
  count: number;
  read: boolean;
}

/** Counts a reply, reading it first when the scenario asks to. */
function received(parser: Parser, value: unknown): void {
  parser.count++;
  if (parser.read && typeof value === 'string') checksum ^= value.charCodeAt(value.length >> 1);
}
let checksum = 0;

function ourParser(): Parser {
  const parser: Parser = {
    count: 0,
    read: false,
    feed: (chunk: Buffer) => decoder.feed(chunk),
  };
  const decoder = new Decoder({
    wantsBuffers: () => false,
    onReply: (value) => received(parser, value),
    onPush: (value) => received(parser, value),
  });
  return parser;
}

function redisParser(): Parser {
  const parser: Parser = {
    count: 0,
    read: false,
    feed: (chunk: Buffer) => inner.execute(chunk),
  };
  const inner = new RedisParser({
    returnBuffers: false,
    returnReply: (value) => received(parser, value),
    returnError: (value) => received(parser, value),
    returnFatalError: (err) => {
      throw err;
    },
  });
  return parser;
}

const text = (bytes: number, seed: number): string => {
  let s = '';
  for (let i = 0; i < bytes; i++) s += String.fromCharCode(0x61 + ((i * 7 + seed) % 26));
  return s;
};

function split(bytes: Buffer, size: number): Buffer[] {
  const chunks: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += size) chunks.push(bytes.subarray(at, at + size));
  return chunks;
}

function scenarios(): Scenario[] {
  let mget = '*100\r\n';
  for (let i = 0; i < 100; i++) mget += `$64\r\n${text(64, i)}\r\n`;
  const mgetBytes = Buffer.from(mget);

  const big = 1024 * 1024;
  const bigBytes = Buffer.from(`$${big}\r\n${text(big, 3)}\r\n`);

  let small = '';
  for (let i = 0; i < 1000; i++) {
    small += i % 3 === 0 ? '+OK\r\n' : i % 3 === 1 ? ':1\r\n' : `$64\r\n${text(64, i)}\r\n`;
  }

  return [
    { name: '(a) array of 100 × 64 B bulks, one chunk', chunks: [mgetBytes], replies: 1 },
    { name: '(b) same array in 1 KiB chunks', chunks: split(mgetBytes, 1024), replies: 1 },
    { name: '(c) 1 MiB bulk in 64 KiB chunks', chunks: split(bigBytes, 64 * 1024), replies: 1 },
    {
      name: "(c') same, then one character read (flattens a rope)",
      chunks: split(bigBytes, 64 * 1024),
      replies: 1,
      read: true,
    },
    { name: '(d) 1000 small replies (+OK, :1, $64), one chunk', chunks: [Buffer.from(small)], replies: 1000 },
  ];
}

/** Run `scenario` on `parser` for about ROUND_MS of CPU time; returns replies per second. */
function measure(parser: Parser, scenario: Scenario): number {
  const { chunks } = scenario;
  parser.read = scenario.read === true;
  parser.count = 0;
  let iterations = 0;
  const started = process.cpuUsage();
  let micros = 0;
  do {
    // Check the clock every few iterations only: it costs as much as a small reply.
    for (let k = 0; k < 8; k++) {
      for (let i = 0; i < chunks.length; i++) parser.feed(chunks[i]);
    }
    iterations += 8;
    const used = process.cpuUsage(started);
    micros = used.user + used.system;
  } while (micros < ROUND_MS * 1000);
  const expected = iterations * scenario.replies;
  if (parser.count !== expected) {
    throw new Error(`${scenario.name}: ${parser.count} replies, expected ${expected}`);
  }
  return (expected * 1e6) / micros;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

function main(): void {
  const ours: Parser = ourParser();
  const theirs: Parser = redisParser();
  const rows: string[] = [];
  for (const scenario of scenarios()) {
    // One untimed pass each, so both start optimized.
    measure(ours, scenario);
    measure(theirs, scenario);
    const a: number[] = [];
    const b: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      if (round % 2 === 0) {
        a.push(measure(ours, scenario));
        b.push(measure(theirs, scenario));
      } else {
        b.push(measure(theirs, scenario));
        a.push(measure(ours, scenario));
      }
    }
    const [ma, mb] = [median(a), median(b)];
    rows.push(`| ${scenario.name} | ${fmt(ma)} | ${fmt(mb)} | ${(ma / mb).toFixed(2)}× |`);
  }
  console.log(
    `Decoder vs redis-parser (returnBuffers: false): median replies per CPU-second over ` +
      `${ROUNDS} rounds of ${ROUND_MS} ms, Node ${process.version}\n`,
  );
  console.log('| scenario | respool Decoder | redis-parser | ratio |');
  console.log('|---|---:|---:|---:|');
  for (const row of rows) console.log(row);
  if (checksum === -1) console.log(checksum); // keeps the reads from being optimized away
}

main();
