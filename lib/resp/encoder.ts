/**
 * The RESP command encoder: a command is always sent as an array of bulk strings.
 *
 * ```
 * ['SET', 'k', 1.5]  ->  *3\r\n$3\r\nSET\r\n$1\r\nk\r\n$3\r\n1.5\r\n
 * ```
 *
 * Commands of ASCII strings and numbers are encoded as one `string`: the connection joins the
 * strings of one tick into a single write, and V8 builds those joins as ropes, so nothing is
 * copied twice. Because such strings are pure ASCII, the connection writes them as `latin1`, a
 * plain byte copy, about 2.5x cheaper than UTF-8 encoding. A command with any Buffer argument,
 * or any non-ASCII text, is encoded into one exactly-sized Buffer instead.
 */
import type { Arg } from './types.js';

/** True if `x` can be sent as a command argument: a string, a Buffer or a finite number. */
export function isCommandArg(x: unknown): x is Arg {
  return typeof x === 'string' || (typeof x === 'number' && Number.isFinite(x)) || Buffer.isBuffer(x);
}

/**
 * Encode one command as a RESP array of bulk strings.
 *
 * Numbers are sent as their decimal text (`1.5` -> `"1.5"`, `-3` -> `"-3"`; JavaScript's own
 * formatting, so very large or small magnitudes use exponent form, e.g. `"1e+21"`).
 *
 * @param args The command name followed by its arguments.
 * @returns An ASCII `string` when every argument is an ASCII string or a number, else one `Buffer`.
 * @throws TypeError, before anything is encoded, for an empty command or an argument that is not
 *   a string, Buffer or finite number. The message names the argument's index and type, never its
 *   value: arguments are often secrets (AUTH passwords, tokens).
 */
export function encodeCommand(args: readonly unknown[]): string | Buffer {
  const count = args.length;
  if (count === 0) throw new TypeError('Cannot encode an empty command');
  let out = count < ARRAY_HEADERS.length ? ARRAY_HEADERS[count]! : '*' + count + '\r\n';
  // Each argument's closing CRLF goes out with the next argument's header ('\r\n$3\r\n'), and
  // the last one's at the end: one string addition per argument fewer.
  let headers = FIRST_HEADERS;
  for (let i = 0; i < count; i++) {
    const arg = args[i];
    if (typeof arg === 'string') {
      const bytes = utf8Length(arg);
      if (bytes !== arg.length) return encodeWithBuffers(args, i === 0 ? out : out + '\r\n', i);
      out += (bytes < MAX_TABLED ? headers[bytes]! : longHeader(i, bytes)) + arg;
    } else if (typeof arg === 'number') {
      if (!Number.isFinite(arg)) throw badArgument(i, arg);
      // Number-to-string output is ASCII, so its length is its byte length.
      const text = '' + arg;
      out += (text.length < MAX_TABLED ? headers[text.length]! : longHeader(i, text.length)) + text;
    } else if (Buffer.isBuffer(arg)) {
      return encodeWithBuffers(args, i === 0 ? out : out + '\r\n', i);
    } else {
      throw badArgument(i, arg);
    }
    headers = NEXT_HEADERS;
  }
  return out + '\r\n';
}

/**
 * The headers of short arrays and bulk strings, made once: `'*3\r\n'`, `'$64\r\n'`, and the
 * latter with the previous argument's CRLF before it. Each concatenation of a command costs a
 * string allocation, and a number costs a conversion: the tables take most of them away.
 */
const MAX_TABLED = 1024;
const ARRAY_HEADERS: readonly string[] = Array.from({ length: 32 }, (_, n) => '*' + n + '\r\n');
const FIRST_HEADERS: readonly string[] = Array.from({ length: MAX_TABLED }, (_, n) => '$' + n + '\r\n');
const NEXT_HEADERS: readonly string[] = FIRST_HEADERS.map((header) => '\r\n' + header);

/** The header of argument `i`, `bytes` long, past the tables. */
function longHeader(i: number, bytes: number): string {
  return (i === 0 ? '$' : '\r\n$') + bytes + '\r\n';
}

/**
 * Finish encoding into one Buffer, once a Buffer argument or non-ASCII text has been found at
 * index `from`. `head` is the (ASCII) text encoded before `from`.
 * Two passes, validate-and-measure then write, so the result is allocated exactly once.
 */
function encodeWithBuffers(args: readonly unknown[], head: string, from: number): Buffer {
  const headBytes = Buffer.byteLength(head, 'utf8');
  let size = headBytes;
  for (let i = from; i < args.length; i++) {
    const arg = args[i];
    let bytes: number;
    if (Buffer.isBuffer(arg)) bytes = arg.length;
    else if (typeof arg === 'string') bytes = utf8Length(arg);
    else if (typeof arg === 'number' && Number.isFinite(arg)) bytes = ('' + arg).length;
    else throw badArgument(i, arg);
    size += decimalDigits(bytes) + bytes + 5; // '$' + digits + CRLF + payload + CRLF
  }

  const out = Buffer.allocUnsafe(size);
  let at = out.write(head, 0, 'utf8');
  for (let i = from; i < args.length; i++) {
    const arg = args[i] as Arg;
    if (Buffer.isBuffer(arg)) {
      at += out.write('$' + arg.length + '\r\n', at, 'latin1');
      at += arg.copy(out, at);
    } else {
      const text = typeof arg === 'string' ? arg : '' + arg;
      at += out.write('$' + utf8Length(text) + '\r\n', at, 'latin1');
      at += out.write(text, at, 'utf8');
    }
    out[at++] = 13;
    out[at++] = 10;
  }
  return out;
}

/**
 * UTF-8 byte length of `s`. Short strings are checked for ASCII in JavaScript because that is
 * cheaper than the call into C++; anything longer, or not ASCII, asks Buffer.byteLength.
 */
function utf8Length(s: string): number {
  const n = s.length;
  if (n > 32) return Buffer.byteLength(s, 'utf8');
  for (let i = 0; i < n; i++) {
    if (s.charCodeAt(i) > 0x7f) return Buffer.byteLength(s, 'utf8');
  }
  return n;
}

/** Number of decimal digits of a non-negative integer. */
function decimalDigits(n: number): number {
  let digits = 1;
  while (n >= 10) {
    n = Math.floor(n / 10);
    digits++;
  }
  return digits;
}

/** The TypeError for a bad argument. Describes the type only: the value may be a secret. */
function badArgument(index: number, arg: unknown): TypeError {
  let kind: string;
  if (arg === null) kind = 'null';
  else if (typeof arg === 'number') kind = 'a non-finite number';
  else if (typeof arg === 'object') kind = 'an object';
  else kind = 'of type ' + typeof arg;
  return new TypeError(
    `Command argument ${index} is ${kind}; expected a string, a Buffer or a finite number`,
  );
}
