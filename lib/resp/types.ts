import type { ReplyError } from '../errors.js';

/** One argument of a command. Numbers are sent as their decimal text. */
export type Arg = string | Buffer | number;

/** A command: its name followed by its arguments, e.g. `['SET', 'k', 'v']`. */
export type Command = readonly Arg[];

/**
 * A decoded reply.
 *
 * | RESP type            | value                                  |
 * |----------------------|----------------------------------------|
 * | simple string, bulk  | `string` (or `Buffer` with returnBuffers) |
 * | verbatim (RESP3)     | `string` (the `txt:` prefix dropped)   |
 * | integer, double      | `number`                               |
 * | big number (RESP3)   | `bigint`                               |
 * | null, RESP2 nil      | `null`                                 |
 * | boolean (RESP3)      | `boolean`                              |
 * | array                | `Reply[]`                              |
 * | map (RESP3)          | `Map<Reply, Reply>`                    |
 * | set (RESP3)          | `Set<Reply>`                           |
 * | error                | `ReplyError` (in place inside arrays)  |
 */
export type Reply =
  | string
  | Buffer
  | number
  | bigint
  | boolean
  | null
  | ReplyError
  | Reply[]
  | Map<Reply, Reply>
  | Set<Reply>;

/**
 * What the decoder calls as frames complete. The connection implements it; the decoder knows
 * nothing of sockets or callers.
 */
export interface DecoderSink {
  /**
   * Asked once before each top-level frame (reply or push) starts decoding: true to receive
   * its bulk strings as Buffers. Lets each caller choose `returnBuffers` per command.
   */
  wantsBuffers(): boolean;
  /** A complete top-level reply. An error reply arrives as a `ReplyError` value. */
  onReply(value: Reply): void;
  /** A complete RESP3 push frame (`>`): pub/sub messages, invalidations. Never a reply. */
  onPush(value: Reply[]): void;
}
