/**
 * A deliberately tiny RESP reader/writer for the test helpers.
 *
 * It must not import anything from `lib/`: the helpers check the library against real servers,
 * so they cannot share its encoder or decoder (a bug there would hide itself). It favours being
 * obviously right over being fast: parsing restarts from the frame start on every chunk.
 */

/** An error reply (`-ERR ...` or RESP3 `!`), kept as a value so it can sit inside arrays. */
export class RawErrorReply extends Error {
  override name = 'RawErrorReply';
  /** First word of the error line, e.g. `WRONGTYPE`. */
  readonly code: string;
  constructor(line: string) {
    super(line);
    this.code = line.split(' ', 1)[0] ?? '';
  }
  override toString(): string {
    return this.message;
  }
}

/**
 * A decoded reply. RESP3 maps become plain objects (keys stringified), sets become arrays,
 * big numbers become decimal strings: the helpers only display and compare values.
 */
export type RawReply =
  | string
  | number
  | boolean
  | null
  | RawErrorReply
  | RawReply[]
  | { [key: string]: RawReply };

/** Encodes a command as a RESP array of bulk strings, the way every client sends commands. */
export function encodeCommand(args: readonly (string | number | Buffer)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const arg of args) {
    const bytes = Buffer.isBuffer(arg) ? arg : Buffer.from(String(arg));
    parts.push(Buffer.from(`$${bytes.length}\r\n`), bytes, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

/** A parsed frame and the offset just past it. */
export interface Parsed {
  value: RawReply;
  next: number;
}

/**
 * Parses one frame starting at `offset`. Returns undefined when the buffer does not yet hold a
 * complete frame; throws on bytes that are not RESP.
 */
export function parseFrame(buf: Buffer, offset = 0): Parsed | undefined {
  const eol = buf.indexOf('\r\n', offset);
  if (eol < 0) return undefined;
  const type = String.fromCharCode(buf[offset]!);
  const line = buf.toString('utf8', offset + 1, eol);
  const next = eol + 2;
  switch (type) {
    case '+':
      return { value: line, next };
    case '-':
    case '!':
      return type === '-' ? { value: new RawErrorReply(line), next } : parseBlobError(buf, line, next);
    case ':':
    case ',':
      return { value: Number(line), next };
    case '(':
      return { value: line, next };
    case '#':
      return { value: line === 't', next };
    case '_':
      return { value: null, next };
    case '$':
    case '=':
      return parseBulk(buf, Number(line), next, type === '=');
    case '*':
    case '~':
    case '>':
      return parseArray(buf, Number(line), next);
    case '%':
      return parseMap(buf, Number(line), next);
    default:
      throw new Error(`raw-resp: unexpected type byte ${JSON.stringify(type)} at ${offset}`);
  }
}

function parseBulk(buf: Buffer, len: number, start: number, verbatim: boolean): Parsed | undefined {
  if (len < 0) return { value: null, next: start };
  if (buf.length < start + len + 2) return undefined;
  // A verbatim string starts with a 3-letter format and a colon ("txt:"); the text follows.
  const from = verbatim ? start + 4 : start;
  return { value: buf.toString('utf8', from, start + len), next: start + len + 2 };
}

function parseBlobError(buf: Buffer, lenText: string, start: number): Parsed | undefined {
  const bulk = parseBulk(buf, Number(lenText), start, false);
  if (!bulk) return undefined;
  return { value: new RawErrorReply(String(bulk.value)), next: bulk.next };
}

function parseArray(buf: Buffer, count: number, start: number): Parsed | undefined {
  if (count < 0) return { value: null, next: start };
  const items: RawReply[] = [];
  let at = start;
  for (let i = 0; i < count; i++) {
    const item = parseFrame(buf, at);
    if (!item) return undefined;
    items.push(item.value);
    at = item.next;
  }
  return { value: items, next: at };
}

function parseMap(buf: Buffer, count: number, start: number): Parsed | undefined {
  const pairs = parseArray(buf, count * 2, start);
  if (!pairs) return undefined;
  const flat = pairs.value as RawReply[];
  const obj: { [key: string]: RawReply } = {};
  for (let i = 0; i < flat.length; i += 2) obj[String(flat[i])] = flat[i + 1]!;
  return { value: obj, next: pairs.next };
}

/**
 * Renders a reply for `cli()`: strings as they are (so `cli('GET', k)` compares directly),
 * numbers and booleans as text, nil as `(nil)`, arrays and maps as JSON.
 */
export function displayReply(value: RawReply): string {
  if (value === null) return '(nil)';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value instanceof RawErrorReply) return value.message;
  return JSON.stringify(value, (_key, v: unknown) => (v instanceof RawErrorReply ? v.message : v));
}
