/**
 * A scripted fake server for faults a real redis-server cannot be made to produce: garbage
 * bytes, a reply nobody asked for, a reply split at every byte, a connection closed mid-reply.
 *
 * Either handle raw bytes yourself (`startFakeServer((socket, data) => ...)`) or answer commands
 * from a table (`startScriptedServer({ GET: reply.bulk('v') })`), with HELLO, PING, AUTH and
 * friends answered by default so a client's handshake succeeds.
 */
import { createServer, type Socket } from 'node:net';
import { track } from './cleanup.js';
import { parseFrame, type RawReply } from './raw-resp.js';

/** Called with every chunk a client sends. */
export type OnData = (socket: Socket, data: Buffer) => void;

/** A listening fake server. */
export interface FakeServer {
  port: number;
  /** `redis://127.0.0.1:PORT` */
  url: string;
  /** Currently open client sockets. */
  sockets: Set<Socket>;
  /** Destroys open sockets and stops listening. */
  close(): Promise<void>;
}

/** Starts a fake server on a free loopback port. */
export function startFakeServer(onData: OnData): Promise<FakeServer> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    socket.on('data', (data: Buffer) => onData(socket, data));
    socket.on('error', () => socket.destroy()); // clients under test reset connections on purpose
    socket.on('close', () => sockets.delete(socket));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      const destroyAll = (): void => {
        for (const s of sockets) s.destroy();
      };
      const close = (): Promise<void> => {
        untrack();
        destroyAll();
        return new Promise((done) => server.close(() => done()));
      };
      const untrack = track({ close, closeSync: destroyAll });
      resolve({ port, url: `redis://127.0.0.1:${port}`, sockets, close });
    });
  });
}

/** RESP reply encoders, for scripts and raw handlers. Each returns the exact bytes. */
export const reply = {
  simple: (text: string): Buffer => Buffer.from(`+${text}\r\n`),
  error: (line: string): Buffer => Buffer.from(`-${line}\r\n`),
  int: (n: number): Buffer => Buffer.from(`:${n}\r\n`),
  nil: Buffer.from('$-1\r\n'),
  bulk(value: string | Buffer): Buffer {
    const bytes = Buffer.isBuffer(value) ? value : Buffer.from(value);
    return Buffer.concat([Buffer.from(`$${bytes.length}\r\n`), bytes, Buffer.from('\r\n')]);
  },
  /** `items` are already encoded replies. */
  array: (items: Buffer[]): Buffer => Buffer.concat([Buffer.from(`*${items.length}\r\n`), ...items]),
  /** RESP3 map; keys and values already encoded. */
  map: (pairs: [Buffer, Buffer][]): Buffer =>
    Buffer.concat([Buffer.from(`%${pairs.length}\r\n`), ...pairs.flat()]),
  /** RESP3 push frame (pub/sub message, invalidation); items already encoded. */
  push: (items: Buffer[]): Buffer => Buffer.concat([Buffer.from(`>${items.length}\r\n`), ...items]),
};

/**
 * What a script answers to one command: fixed bytes, or a function of the arguments (the
 * command name excluded) returning bytes, or undefined to stay silent (a hung server).
 */
export type ScriptEntry =
  | Buffer
  | string
  | ((args: string[], socket: Socket) => Buffer | string | undefined);

function helloReply(args: string[]): Buffer {
  const proto = args[0] === '3' ? 3 : 2;
  const fields: [string, Buffer][] = [
    ['server', reply.bulk('redis')],
    ['version', reply.bulk('7.0.0')],
    ['proto', reply.int(proto)],
    ['id', reply.int(1)],
    ['mode', reply.bulk('standalone')],
    ['role', reply.bulk('master')],
    ['modules', reply.array([])],
  ];
  const pairs = fields.map(([k, v]): [Buffer, Buffer] => [reply.bulk(k), v]);
  return proto === 3 ? reply.map(pairs) : reply.array(pairs.flat());
}

/** What a scripted server answers when the table does not say otherwise. */
export const DEFAULT_SCRIPT: Readonly<Record<string, ScriptEntry>> = {
  HELLO: helloReply,
  PING: (args) => (args.length > 0 ? reply.bulk(args[0]!) : reply.simple('PONG')),
  ECHO: (args) => reply.bulk(args[0] ?? ''),
  AUTH: reply.simple('OK'),
  SELECT: reply.simple('OK'),
  CLIENT: reply.simple('OK'),
  QUIT: (_args, socket) => {
    socket.end(reply.simple('OK'));
    return undefined;
  },
};

/** A command handler built from a table, and the commands it has received (in order). */
export interface Script {
  onData: OnData;
  commands: string[][];
}

/**
 * Builds a handler that decodes commands (however the client's bytes are split) and answers
 * each from `table` (keys are upper-case command names), then from {@link DEFAULT_SCRIPT};
 * anything else gets `-ERR unknown command`.
 */
export function script(table: Record<string, ScriptEntry> = {}): Script {
  const commands: string[][] = [];
  const pending = new WeakMap<Socket, Buffer>();
  const onData: OnData = (socket, data) => {
    const held = pending.get(socket);
    let buf = held ? Buffer.concat([held, data]) : data;
    let frame = safeParse(socket, buf);
    while (frame) {
      const args = frame.value.map(String);
      buf = buf.subarray(frame.next);
      commands.push(args);
      answer(socket, args, table);
      frame = buf.length > 0 ? safeParse(socket, buf) : undefined;
    }
    pending.set(socket, buf);
  };
  return { onData, commands };
}

/** Parses one command; a client sending something else than an array gets disconnected. */
function safeParse(socket: Socket, buf: Buffer): { value: RawReply[]; next: number } | undefined {
  try {
    const frame = parseFrame(buf);
    if (!frame || Array.isArray(frame.value)) return frame as { value: RawReply[]; next: number } | undefined;
  } catch {
    // fall through: not RESP
  }
  socket.destroy();
  return undefined;
}

function answer(socket: Socket, [name = '', ...args]: string[], table: Record<string, ScriptEntry>): void {
  const key = name.toUpperCase();
  const entry = table[key] ?? DEFAULT_SCRIPT[key];
  const out =
    entry === undefined
      ? reply.error(`ERR unknown command '${name}'`)
      : typeof entry === 'function'
        ? entry(args, socket)
        : entry;
  if (out !== undefined && !socket.destroyed && socket.writable) socket.write(out);
}

/** A fake server answering from a script table; `commands` lists what it received. */
export async function startScriptedServer(
  table: Record<string, ScriptEntry> = {},
): Promise<FakeServer & { commands: string[][] }> {
  const { onData, commands } = script(table);
  const server = await startFakeServer(onData);
  return Object.assign(server, { commands });
}
