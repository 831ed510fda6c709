/**
 * The least a promise-per-command Redis client can do in Node, for bench/floor-cost.ts: what
 * respool's cost per command is compared with. Not a client anyone should use: no errors beyond
 * a rejected reply, no reconnects, no timeouts, no RESP3, and it understands only the replies of
 * GET and SET (simple strings, errors, integers, bulk strings).
 *
 * ```
 * send(['SET', k, v]) ─> encode ─> socket i's text ──(one write per socket per tick)──> Redis
 *        promise <── resolve, in order, from socket i's FIFO <── minimal reply parser <──┘
 * ```
 *
 * Commands go round robin over the sockets; each socket writes once per tick.
 */
import net from 'node:net';

type Resolve = (value: string | null) => void;
type Reject = (err: Error) => void;

class Link {
  readonly socket: net.Socket;
  #text = '';
  #flushing = false;
  #resolves: Resolve[] = [];
  #rejects: Reject[] = [];
  #head = 0;
  #buffer = '';

  constructor(socket: net.Socket) {
    this.socket = socket;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.#read(chunk));
  }

  send(text: string): Promise<string | null> {
    this.#text += text;
    if (!this.#flushing) {
      this.#flushing = true;
      process.nextTick(flush, this);
    }
    return new Promise((resolve, reject) => {
      this.#resolves.push(resolve);
      this.#rejects.push(reject);
    });
  }

  flush(): void {
    this.#flushing = false;
    this.socket.write(this.#text, 'latin1');
    this.#text = '';
  }

  #read(chunk: Buffer): void {
    const buf = this.#buffer.length === 0 ? chunk.toString('latin1') : this.#buffer + chunk.toString('latin1');
    let at = 0;
    for (;;) {
      const end = buf.indexOf('\r\n', at);
      if (end === -1) break;
      const type = buf.charCodeAt(at);
      if (type === 36 /* $ */) {
        const size = Number(buf.slice(at + 1, end));
        if (size < 0) {
          this.#settle(null, null);
          at = end + 2;
          continue;
        }
        if (buf.length < end + 4 + size) break;
        this.#settle(buf.slice(end + 2, end + 2 + size), null);
        at = end + 4 + size;
      } else {
        const line = buf.slice(at + 1, end);
        this.#settle(type === 45 /* - */ ? null : line, type === 45 ? new Error(line) : null);
        at = end + 2;
      }
    }
    this.#buffer = buf.slice(at);
  }

  #settle(value: string | null, error: Error | null): void {
    const i = this.#head++;
    if (error === null) this.#resolves[i]!(value);
    else this.#rejects[i]!(error);
    if (this.#head === this.#resolves.length) {
      this.#resolves = [];
      this.#rejects = [];
      this.#head = 0;
    }
  }
}

const ARRAY_HEADERS = Array.from({ length: 16 }, (_, n) => '*' + n + '\r\n');
const BULK_HEADERS = Array.from({ length: 1024 }, (_, n) => '$' + n + '\r\n');

function flush(link: Link): void {
  link.flush();
}

export class FloorClient {
  readonly #links: Link[];
  #next = 0;

  private constructor(links: Link[]) {
    this.#links = links;
  }

  static async connect(port: number, host: string, sockets: number): Promise<FloorClient> {
    const open = () => new Promise<net.Socket>((resolve, reject) => {
      const socket = net.connect(port, host, () => resolve(socket));
      socket.once('error', reject);
    });
    const links = await Promise.all(Array.from({ length: sockets }, async () => new Link(await open())));
    return new FloorClient(links);
  }

  /** ASCII arguments only, up to 15 of them and 1023 bytes each. */
  command(args: readonly string[]): Promise<string | null> {
    let text = ARRAY_HEADERS[args.length]!;
    for (const arg of args) text += BULK_HEADERS[arg.length]! + arg + '\r\n';
    const link = this.#links[this.#next]!;
    this.#next = (this.#next + 1) % this.#links.length;
    return link.send(text);
  }

  close(): void {
    for (const link of this.#links) link.socket.destroy();
  }
}
