/**
 * Collects a blob (bulk, verbatim or blob error) whose payload spans chunks.
 *
 * The length is known from the header, so chunks are kept as they are and joined once, with
 * one allocation of the exact size, when the last byte arrives: copying each chunk onto what
 * came before would cost O(n^2) for a blob split into n chunks.
 *
 * ```
 *  header  |<------------------ size + 2 (payload and CRLF) ------------------>|
 *  $1048576\r\n [ part 0 ][ part 1 ] ... [ part k ] <- take() stops exactly here  | next frame
 * ```
 */
export class BulkCollector {
  #parts: Buffer[] = [];
  /** Bytes collected so far, CRLF included. */
  #have = 0;
  /** Bytes wanted in all: payload plus CRLF; 0 when idle. */
  #total = 0;
  #joined: Buffer | null = null;
  /** The type byte of the blob being collected. */
  type = 0;

  /** True while a blob is being collected. */
  get active(): boolean {
    return this.#total !== 0;
  }

  /** Begin a blob of `size` payload bytes whose first bytes are `buf[from..]`. */
  start(type: number, size: number, buf: Buffer, from: number): void {
    this.type = type;
    this.#total = size + 2;
    this.#have = 0;
    if (from < buf.length) this.#add(from === 0 ? buf : buf.subarray(from));
  }

  /**
   * Take the blob's bytes from `buf` starting at `pos`. Returns the position just past the
   * blob's CRLF once it is complete (then call {@link BulkCollector.joined}), or -1 if the
   * blob needs more chunks.
   */
  take(buf: Buffer, pos: number): number {
    const need = this.#total - this.#have;
    const available = buf.length - pos;
    if (available < need) {
      if (available > 0) this.#add(pos === 0 ? buf : buf.subarray(pos));
      return -1;
    }
    this.#add(buf.subarray(pos, pos + need));
    this.#joined = Buffer.concat(this.#parts, this.#total);
    this.#parts = [];
    return pos + need;
  }

  /** The whole blob, payload and CRLF, after take() reported it complete. */
  joined(): Buffer {
    return this.#joined as Buffer;
  }

  /** Drop everything collected. */
  clear(): void {
    this.#parts = [];
    this.#have = 0;
    this.#total = 0;
    this.#joined = null;
  }

  #add(part: Buffer): void {
    this.#parts.push(part);
    this.#have += part.length;
  }
}
