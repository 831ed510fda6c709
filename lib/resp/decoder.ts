/**
 * The incremental RESP2/RESP3 decoder: bytes in, complete replies out through a
 * {@link DecoderSink}. Pure: no sockets, timers or events.
 *
 * State kept between chunks, so nothing is parsed twice:
 *
 * ```
 *   stack of open aggregates            a partial line          a partial blob
 *   depth 0: '*' 3 items, 1 to go       (header or simple        ('$', '=', '!': length
 *   depth 1: '%' 2 pairs, 3 items to go  line whose CRLF has      known, payload chunks
 *              key waiting: 'b'          not arrived yet)         collected, joined once)
 * ```
 *
 * At most one of "partial line" and "partial blob" is set. A new chunk first finishes whichever
 * is set, then the main loop resumes at the top of the stack.
 */
import { constants } from 'node:buffer';
import { ProtocolError, ReplyError } from '../errors.js';
import { BulkCollector } from './bulk-collector.js';
import { lineEnd, parseBigNumber, parseDouble, utf8 } from './scalars.js';
import type { DecoderSink, Reply } from './types.js';

const CR = 13;
const LF = 10;

/** RESP type bytes. */
const SIMPLE = 0x2b; // +
const ERROR = 0x2d; // -
const INTEGER = 0x3a; // :
const BULK = 0x24; // $
const ARRAY = 0x2a; // *
const NULL = 0x5f; // _
const BOOLEAN = 0x23; // #
const DOUBLE = 0x2c; // ,
const BIG_NUMBER = 0x28; // (
const BLOB_ERROR = 0x21; // !
const VERBATIM = 0x3d; // =
const MAP = 0x25; // %
const SET = 0x7e; // ~
const ATTRIBUTE = 0x7c; // |
const PUSH = 0x3e; // >

/** The largest blob a Buffer can hold; a longer announced length cannot be honest RESP. */
const MAX_LENGTH = constants.MAX_LENGTH;

type Container = Reply[] | Map<Reply, Reply> | Set<Reply> | null;

/**
 * Decodes a stream of RESP2/RESP3 frames fed in chunks of any size.
 *
 * Integers (`:`) become numbers; beyond `Number.MAX_SAFE_INTEGER` they lose precision (use a
 * command's string form, or RESP3 big numbers, when exact 64-bit values matter).
 *
 * The decoder may keep references to a fed chunk until the frame it holds completes: do not
 * modify a chunk after feeding it. The sink must not call {@link Decoder.feed} or
 * {@link Decoder.reset} from inside its callbacks.
 */
export class Decoder {
  readonly #sink: DecoderSink;

  // Open aggregates, one slot per nesting level (parallel arrays: no object per aggregate).
  #depth = 0;
  readonly #kinds: number[] = [];
  readonly #containers: Container[] = [];
  readonly #left: number[] = [];
  readonly #keys: Reply[] = [];

  /** Bytes of a line whose CRLF has not arrived yet, or null. */
  #line: Buffer[] | null = null;
  readonly #blob = new BulkCollector();

  /** A top-level frame has started and not yet been delivered. */
  #inFrame = false;
  /** The sink's wantsBuffers() answer for the current top-level frame. */
  #buffers = false;
  #failed = false;
  /** Position after the CRLF of the line last read by #integer, or -1 if it was incomplete. */
  #end = 0;

  /** @param sink Receives each complete reply or push. */
  constructor(sink: DecoderSink) {
    this.#sink = sink;
  }

  /** True while a frame is partially decoded. */
  get pending(): boolean {
    return this.#inFrame;
  }

  /**
   * Feed bytes as they arrive. Calls `sink.onReply` / `sink.onPush` for each complete frame.
   * @throws ProtocolError on bytes that are not RESP; the decoder is then unusable until
   *   {@link Decoder.reset}. An exception thrown by the sink also leaves it unusable, since the
   *   rest of the chunk was not read.
   */
  feed(chunk: Buffer): void {
    if (this.#failed) {
      throw new ProtocolError('decoder is unusable after an earlier error; call reset()');
    }
    try {
      let pos = 0;
      if (this.#line !== null) pos = this.#finishLine(chunk);
      if (pos >= 0) this.#run(chunk, pos);
    } catch (err) {
      this.#failed = true;
      throw err;
    }
  }

  /** Forget any partial frame (used when the connection is replaced). */
  reset(): void {
    this.#depth = 0;
    this.#kinds.length = 0;
    this.#containers.length = 0;
    this.#left.length = 0;
    this.#keys.length = 0;
    this.#line = null;
    this.#blob.clear();
    this.#inFrame = false;
    this.#buffers = false;
    this.#failed = false;
  }

  /**
   * Append `chunk` to the partial line. Once its LF arrives, decode the joined line and return
   * where the rest of `chunk` starts; return -1 while the line is still incomplete.
   */
  #finishLine(chunk: Buffer): number {
    const parts = this.#line as Buffer[];
    const lf = chunk.indexOf(LF);
    if (lf === -1) {
      parts.push(chunk);
      return -1;
    }
    parts.push(chunk.subarray(0, lf + 1));
    this.#line = null;
    const line = Buffer.concat(parts);
    // The joined line ends at its first LF; without a CR before it, the main loop would wait
    // for a CRLF that is not coming.
    if (line.length < 3 || line[line.length - 2] !== CR) {
      throw new ProtocolError('LF without CR');
    }
    this.#run(line, 0);
    return lf + 1;
  }

  /** The main loop: decode values from `buf` starting at `pos` until the chunk is used up. */
  #run(buf: Buffer, pos: number): void {
    if (this.#blob.active) pos = this.#continueBlob(buf, pos);
    const len = buf.length;
    while (pos < len) {
      if (!this.#inFrame) {
        this.#inFrame = true;
        this.#buffers = this.#sink.wantsBuffers() === true;
      }
      const next = this.#value(buf, pos);
      if (next === -1) {
        // The line starting at pos is cut by the chunk's end; keep it for the next chunk.
        this.#line = [buf.subarray(pos)];
        return;
      }
      pos = next;
    }
  }

  /** Decode the value whose type byte is at `pos`. Returns the position after it, or -1. */
  #value(buf: Buffer, pos: number): number {
    const type = buf[pos];
    switch (type) {
      case BULK:
      case VERBATIM:
      case BLOB_ERROR:
        return this.#blobValue(buf, pos, type);
      case ARRAY:
      case MAP:
      case SET:
      case PUSH:
      case ATTRIBUTE:
        return this.#aggregate(buf, pos, type);
      case INTEGER: {
        const n = this.#integer(buf, pos + 1);
        if (this.#end !== -1) this.#emit(n);
        return this.#end;
      }
      case SIMPLE:
      case ERROR:
      case NULL:
      case BOOLEAN:
      case DOUBLE:
      case BIG_NUMBER:
        return this.#lineValue(buf, pos, type);
      default:
        throw new ProtocolError(
          `unexpected byte 0x${type.toString(16).padStart(2, '0')} at start of ` +
            (this.#depth === 0 ? 'frame' : 'aggregate element'),
        );
    }
  }

  /** `$`, `=`, `!`: a length line, then exactly that many bytes and CRLF. */
  #blobValue(buf: Buffer, pos: number, type: number): number {
    const size = this.#length(buf, pos + 1, type === BULK);
    const start = this.#end;
    if (start === -1) return -1;
    if (size === -1) {
      this.#emit(null);
      return start;
    }
    const end = start + size;
    if (end + 2 <= buf.length) {
      if (buf[end] !== CR || buf[end + 1] !== LF) {
        throw new ProtocolError('bulk string not followed by CRLF');
      }
      this.#emit(this.#blobReply(type, buf, start, end, false));
      return end + 2;
    }
    this.#blob.start(type, size, buf, start);
    return buf.length;
  }

  /** Feed the partial blob; returns where the bytes after it start (buf.length if none). */
  #continueBlob(buf: Buffer, pos: number): number {
    const blob = this.#blob;
    const next = blob.take(buf, pos);
    if (next === -1) return buf.length;
    let value: Reply;
    if (blob.type === BULK && !this.#buffers) {
      value = blob.text();
    } else {
      const whole = blob.joined();
      value = this.#blobReply(blob.type, whole, 0, whole.length - 2, true);
    }
    blob.clear();
    this.#emit(value);
    return next;
  }

  /**
   * The reply for blob bytes `buf[start, end)`. `owned` means `buf` is ours (a join), so a
   * Buffer reply may share it; otherwise the bytes are copied, so a reply kept by the caller
   * neither aliases nor pins the whole socket chunk.
   */
  #blobReply(type: number, buf: Buffer, start: number, end: number, owned: boolean): Reply {
    if (type === BLOB_ERROR) return new ReplyError(utf8(buf, start, end));
    if (type === VERBATIM) {
      // `=15\r\ntxt:Some string\r\n`: a 3-byte format and a colon precede the text.
      if (end - start < 4 || buf[start + 3] !== 0x3a) {
        throw new ProtocolError('verbatim string without a format prefix');
      }
      start += 4;
    }
    if (!this.#buffers) return utf8(buf, start, end);
    return owned ? buf.subarray(start, end) : Buffer.from(buf.subarray(start, end));
  }

  /** `*`, `%`, `~`, `>`, `|`: a count line; the elements follow as values of their own. */
  #aggregate(buf: Buffer, pos: number, type: number): number {
    const count = this.#length(buf, pos + 1, type === ARRAY);
    const next = this.#end;
    if (next === -1) return -1;
    if (count === -1) {
      this.#emit(null);
      return next;
    }
    const container: Container =
      type === MAP ? new Map() : type === SET ? new Set() : type === ATTRIBUTE ? null : [];
    if (count === 0) {
      this.#closed(type, container);
      return next;
    }
    const d = this.#depth++;
    this.#kinds[d] = type;
    this.#containers[d] = container;
    this.#left[d] = type === MAP || type === ATTRIBUTE ? count * 2 : count;
    return next;
  }

  /**
   * Deliver a complete value: into the innermost open aggregate, closing every aggregate it
   * completes, or to the sink when it is a whole top-level frame.
   */
  #emit(value: Reply): void {
    let v = value;
    while (this.#depth > 0) {
      const d = this.#depth - 1;
      const kind = this.#kinds[d];
      const left = --this.#left[d];
      const container = this.#containers[d];
      if (kind === ARRAY || kind === PUSH) (container as Reply[]).push(v);
      else if (kind === MAP) {
        // Items alternate key, value; an odd count left means v was a key.
        if ((left & 1) === 1) this.#keys[d] = v;
        else (container as Map<Reply, Reply>).set(this.#keys[d], v);
      } else if (kind === SET) (container as Set<Reply>).add(v);
      // ATTRIBUTE: items are read and dropped.
      if (left > 0) return;

      this.#depth = d;
      this.#containers[d] = null; // do not pin a delivered reply
      this.#keys[d] = null;
      if (kind === ATTRIBUTE) return; // the value it annotates is still to come
      if (kind === PUSH && d === 0) {
        this.#deliverPush(container as Reply[]);
        return;
      }
      v = container as Reply;
    }
    this.#inFrame = false;
    this.#sink.onReply(v);
  }

  /** An aggregate that completed on opening (zero elements). */
  #closed(type: number, container: Container): void {
    if (type === ATTRIBUTE) return;
    if (type === PUSH && this.#depth === 0) this.#deliverPush(container as Reply[]);
    else this.#emit(container as Reply);
  }

  #deliverPush(value: Reply[]): void {
    this.#inFrame = false;
    this.#sink.onPush(value);
  }

  /** `+`, `-`, `_`, `#`, `,`, `(`: a single line holds the value. */
  #lineValue(buf: Buffer, pos: number, type: number): number {
    const start = pos + 1;
    const cr = lineEnd(buf, start);
    if (cr === -1) return -1;
    switch (type) {
      case SIMPLE:
        this.#emit(utf8(buf, start, cr));
        break;
      case ERROR:
        this.#emit(new ReplyError(utf8(buf, start, cr)));
        break;
      case NULL:
        if (cr !== start) throw new ProtocolError('null with a payload');
        this.#emit(null);
        break;
      case BOOLEAN:
        if (cr !== start + 1 || (buf[start] !== 0x74 && buf[start] !== 0x66)) {
          throw new ProtocolError('boolean that is not t or f');
        }
        this.#emit(buf[start] === 0x74);
        break;
      case DOUBLE:
        this.#emit(parseDouble(buf.toString('latin1', start, cr)));
        break;
      default: // BIG_NUMBER
        this.#emit(parseBigNumber(buf, start, cr));
    }
    return cr + 2;
  }

  /**
   * A length or count line: a non-negative integer, or -1 (a RESP2 null) when `nullable`.
   * Sets #end like {@link Decoder.#integer}.
   */
  #length(buf: Buffer, pos: number, nullable: boolean): number {
    const n = this.#integer(buf, pos);
    if (this.#end !== -1 && (n > MAX_LENGTH || n < (nullable ? -1 : 0))) {
      throw new ProtocolError(`bad length ${n}`);
    }
    return n;
  }

  /**
   * Read a signed decimal integer from `pos` up to CRLF, straight from the bytes. Sets #end to
   * the position after the CRLF, or to -1 if the line is cut by the chunk's end.
   */
  #integer(buf: Buffer, pos: number): number {
    const len = buf.length;
    let i = pos;
    const negative = i < len && buf[i] === 0x2d; // '-'
    if (negative) i++;
    const first = i;
    let n = 0;
    for (; i < len; i++) {
      const c = buf[i];
      if (c === CR) break;
      const digit = c - 0x30;
      if (digit < 0 || digit > 9) throw new ProtocolError('non-numeric integer or length');
      n = n * 10 + digit;
    }
    if (i + 1 >= len) {
      this.#end = -1;
      return 0;
    }
    if (buf[i + 1] !== LF) throw new ProtocolError('expected LF after CR');
    if (i === first) throw new ProtocolError('empty integer or length');
    this.#end = i + 2;
    return negative ? -n : n;
  }
}
