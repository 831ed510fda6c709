/**
 * A one-shot raw RESP client: open a socket, send some commands pipelined, read exactly that many
 * replies, close. Independent of `lib/` on purpose (see raw-resp.ts), so tests can set up and
 * inspect a server without trusting the code under test.
 */
import { createConnection, type Socket } from 'node:net';
import { encodeCommand, parseFrame, type RawReply } from './raw-resp.js';

/** Where to connect: a TCP port on 127.0.0.1 (or `host`), or a unix socket path. */
export type RawTarget = { host?: string; port: number } | { path: string };

/** Options of {@link rawCommands}. */
export interface RawOptions {
  /** Reject if the replies have not all arrived by then (a paused server never answers). */
  timeoutMs?: number;
}

/**
 * Sends `commands` on one fresh connection and resolves with one reply per command, error
 * replies included as `RawErrorReply` values (the caller decides whether they are failures).
 */
export function rawCommands(
  target: RawTarget,
  commands: readonly (readonly (string | number | Buffer)[])[],
  { timeoutMs = 5000 }: RawOptions = {},
): Promise<RawReply[]> {
  return new Promise((resolve, reject) => {
    const socket: Socket =
      'path' in target
        ? createConnection(target.path)
        : createConnection(target.port, target.host ?? '127.0.0.1');
    const replies: RawReply[] = [];
    let pending: Buffer = Buffer.alloc(0);
    const where = 'path' in target ? target.path : `port ${target.port}`;
    const fail = (err: Error): void => {
      socket.destroy();
      reject(err);
    };
    socket.setTimeout(timeoutMs, () =>
      fail(new Error(`raw client: no complete reply from ${where} within ${timeoutMs} ms`)),
    );
    socket.on('error', (err) => fail(new Error(`raw client: ${where}: ${err.message}`)));
    socket.on('close', () =>
      fail(new Error(`raw client: ${where} closed after ${replies.length}/${commands.length} replies`)),
    );
    socket.on('data', (chunk: Buffer) => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      try {
        let frame = parseFrame(pending);
        while (frame) {
          replies.push(frame.value);
          pending = pending.subarray(frame.next);
          frame = pending.length > 0 ? parseFrame(pending) : undefined;
        }
      } catch (err) {
        return fail(err as Error);
      }
      if (replies.length >= commands.length) {
        socket.removeAllListeners('close');
        socket.destroy();
        resolve(replies.slice(0, commands.length));
      }
    });
    socket.write(Buffer.concat(commands.map((c) => encodeCommand(c))));
  });
}
