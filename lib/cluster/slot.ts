/**
 * Key → hash slot, as the Redis Cluster specification defines it: CRC16 (XMODEM: polynomial
 * 0x1021, initial value 0) of the key, or of its hash tag, modulo 16384. Pure.
 *
 * A hash tag is the part between the first `{` and the first `}` after it, when not empty:
 * `{user1}.name` and `{user1}.mail` share a slot, so multi-key commands on them work.
 */
import type { Arg } from '../resp/types.js';

/** Slots in a cluster. */
export const SLOT_COUNT = 16384;

const TABLE = crcTable();

function crcTable(): Uint16Array {
  const table = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let crc = i << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? (crc << 1) ^ 0x1021 : crc << 1;
    table[i] = crc & 0xffff;
  }
  return table;
}

/** CRC16-XMODEM of bytes `[start, end)` of `bytes`. */
export function crc16(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let crc = 0;
  for (let i = start; i < end; i++) crc = ((crc << 8) ^ TABLE[((crc >>> 8) ^ bytes[i]!) & 0xff]!) & 0xffff;
  return crc;
}

/** The slot of a key given as bytes. */
export function bufferSlot(bytes: Uint8Array): number {
  let start = 0;
  let end = bytes.length;
  const open = bytes.indexOf(0x7b); // '{'
  if (open !== -1) {
    const close = bytes.indexOf(0x7d, open + 1); // '}'
    if (close > open + 1) {
      start = open + 1;
      end = close;
    }
  }
  return crc16(bytes, start, end) & (SLOT_COUNT - 1);
}

/**
 * The slot of a key given as a string: ASCII keys are hashed straight from their char codes;
 * others are hashed over their UTF-8 bytes, as the server sees them.
 */
export function stringSlot(key: string): number {
  let start = 0;
  let end = key.length;
  const open = key.indexOf('{');
  if (open !== -1) {
    const close = key.indexOf('}', open + 1);
    if (close > open + 1) {
      start = open + 1;
      end = close;
    }
  }
  let crc = 0;
  for (let i = start; i < end; i++) {
    const c = key.charCodeAt(i);
    if (c > 0x7f) return bufferSlot(Buffer.from(key, 'utf8'));
    crc = ((crc << 8) ^ TABLE[((crc >>> 8) ^ c) & 0xff]!) & 0xffff;
  }
  return crc & (SLOT_COUNT - 1);
}

/** The slot of a command argument used as a key (numbers are sent as decimal text). */
export function keySlot(key: Arg): number {
  if (typeof key === 'string') return stringSlot(key);
  if (typeof key === 'number') return stringSlot(String(key));
  return bufferSlot(key);
}
