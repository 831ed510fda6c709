import type { CommandOptions } from '../pool/handle.js';
import type { Arg, Command, Reply } from '../resp/types.js';

/** Sends one command and resolves with its reply. */
export type RunFn = (command: Command, options?: CommandOptions) => Promise<Reply>;

/** Options of the SCAN family. */
export interface ScanOptions {
  /** Glob-style pattern (MATCH): filtered server-side, after a page is read. */
  match?: string;
  /** Hint for how much work each call does (COUNT); the server default is 10. */
  count?: number;
  /** Keys of this type only (TYPE, SCAN only): 'string', 'hash', 'zset', ... */
  type?: string;
  /** Keys, fields and members as Buffers. */
  returnBuffers?: boolean;
}

/**
 * The SCAN family as async iterators. The cursor is followed call by call until the server
 * returns 0; the next call is sent only when the caller asks for more than the page read, so
 * leaving a `for await` loop early sends nothing further.
 *
 * SCAN may return an element more than once (the table can be rehashed between calls), so each
 * iterator remembers what it yielded and yields every element once. That memory grows with the
 * number of elements scanned.
 */
async function* pages(run: RunFn, head: readonly Arg[], options: ScanOptions, withType: boolean): AsyncGenerator<Reply[]> {
  const tail: Arg[] = [];
  if (options.match !== undefined) tail.push('MATCH', options.match);
  if (options.count !== undefined) tail.push('COUNT', options.count);
  if (withType && options.type !== undefined) tail.push('TYPE', options.type);
  const commandOptions = { returnBuffers: options.returnBuffers === true };
  let cursor = '0';
  do {
    const reply = (await run([...head, cursor, ...tail], commandOptions)) as [Reply, Reply[]];
    cursor = String(reply[0]);
    yield reply[1];
  } while (cursor !== '0');
}

/** SCAN: every key matching `options`, each once. */
export async function* scanKeys(run: RunFn, options: ScanOptions = {}): AsyncGenerator<string | Buffer> {
  const seen = new Set<string>();
  for await (const page of pages(run, ['SCAN'], options, true)) {
    for (const key of page as (string | Buffer)[]) {
      if (firstTime(seen, key)) yield key;
    }
  }
}

/** SSCAN: every member of the set at `key`, each once. */
export async function* scanSet(run: RunFn, key: Arg, options: ScanOptions = {}): AsyncGenerator<string | Buffer> {
  const seen = new Set<string>();
  for await (const page of pages(run, ['SSCAN', key], options, false)) {
    for (const member of page as (string | Buffer)[]) {
      if (firstTime(seen, member)) yield member;
    }
  }
}

/** HSCAN: every `[field, value]` of the hash at `key`, each field once. */
export async function* scanHash(run: RunFn, key: Arg, options: ScanOptions = {}): AsyncGenerator<[string | Buffer, string | Buffer]> {
  const seen = new Set<string>();
  for await (const page of pages(run, ['HSCAN', key], options, false)) {
    const flat = page as (string | Buffer)[];
    for (let i = 0; i + 1 < flat.length; i += 2) {
      if (firstTime(seen, flat[i]!)) yield [flat[i]!, flat[i + 1]!];
    }
  }
}

/** ZSCAN: every `[member, score]` of the sorted set at `key`, each member once. */
export async function* scanSortedSet(run: RunFn, key: Arg, options: ScanOptions = {}): AsyncGenerator<[string | Buffer, number]> {
  const seen = new Set<string>();
  for await (const page of pages(run, ['ZSCAN', key], options, false)) {
    const flat = page as (string | Buffer)[];
    for (let i = 0; i + 1 < flat.length; i += 2) {
      if (firstTime(seen, flat[i]!)) yield [flat[i]!, parseScore(flat[i + 1]!)];
    }
  }
}

/** Records `element`; true when it had not been seen. Buffers are compared byte for byte. */
function firstTime(seen: Set<string>, element: string | Buffer): boolean {
  // latin1 maps each byte to one character, so distinct byte strings stay distinct.
  const id = typeof element === 'string' ? element : element.toString('latin1');
  if (seen.has(id)) return false;
  seen.add(id);
  return true;
}

/** Scores come as text; Redis spells the infinities `inf` and `-inf`, which Number() does not read. */
export function parseScore(score: string | Buffer): number {
  const text = String(score);
  if (text === 'inf' || text === '+inf') return Infinity;
  if (text === '-inf') return -Infinity;
  return Number(text);
}
