import { AuthError, ConnectionError, ReplyError } from '../errors.js';
import type { Arg, Reply } from '../resp/types.js';

export interface HandshakeOptions {
  protocol: 2 | 3;
  username?: string;
  password?: string;
  name?: string;
  db: number;
  /**
   * The role the node must have (ROLE's first word), checked on every (re)connect: a node
   * Sentinel reported may have changed role since. A mismatch is a retryable ConnectionError
   * with code 'EROLE'.
   */
  expectRole?: 'master' | 'slave';
  /**
   * Commands sent after the handshake on every (re)connect, before any caller's command, e.g.
   * `CLIENT TRACKING ON` for the client-side cache. A refusal is fatal (EHANDSHAKE).
   */
  setup?: ReadonlyArray<readonly Arg[]>;
}

/** Sends one command on the connection being set up and resolves with its reply. */
export type SendFn = (args: Arg[]) => Promise<Reply>;

export interface HandshakeResult {
  protocol: 2 | 3;
  /** CLIENT ID of this socket (0 if the server would not say): used for CLIENT UNBLOCK. */
  clientId: number;
}

/** Reply codes that mean "the server is not ready yet": the attempt is retried with backoff. */
const TRANSIENT = new Set(['LOADING', 'BUSY', 'MASTERDOWN', 'TRYAGAIN']);

/**
 * Runs the handshake on a fresh socket, before any caller's command, on every (re)connect:
 *
 * - RESP3: `HELLO 3 [AUTH user pass] [SETNAME name]`, then `SELECT db` when db != 0.
 *   A server that does not know HELLO (Redis < 6) gets the RESP2 sequence instead.
 * - RESP2: `AUTH [user] pass`, `CLIENT SETNAME name`, `SELECT db`, pipelined.
 *
 * The server's CLIENT ID is read on the way (from HELLO's reply, or a pipelined CLIENT ID).
 *
 * @returns the protocol in force and the client id.
 * @throws AuthError for refused credentials, a fatal ConnectionError for other refusals
 *   (unsupported protocol, bad db), and a plain ConnectionError for transient ones.
 */
export async function handshake(send: SendFn, options: HandshakeOptions): Promise<HandshakeResult> {
  const result = await greet(send, options);
  try {
    for (const command of options.setup ?? []) await send([...command]);
  } catch (err) {
    throw classify(err);
  }
  return result;
}

/** HELLO or AUTH/SETNAME/SELECT, as described above. */
async function greet(send: SendFn, options: HandshakeOptions): Promise<HandshakeResult> {
  try {
    if (options.protocol === 3) {
      const hello = await sendHello(send, options);
      if (hello !== null) {
        const role = options.expectRole !== undefined ? send(['ROLE']) : null;
        if (options.db !== 0) await send(['SELECT', options.db]);
        if (role !== null) checkRole(await role, options.expectRole!);
        const id = hello instanceof Map ? hello.get('id') : undefined;
        return { protocol: 3, clientId: typeof id === 'number' ? id : 0 };
      }
    }
    const commands = resp2Commands(options).map(send);
    // CLIENT ID's failure is harmless (an ACL may forbid it), except NOAUTH: the server wants
    // a password we do not have, and every command would fail the same way.
    const id = send(['CLIENT', 'ID']).catch((err: unknown) => err);
    const role = options.expectRole !== undefined ? send(['ROLE']) : null;
    await Promise.all(commands);
    const clientId = await id;
    if (clientId instanceof ReplyError && clientId.code === 'NOAUTH') throw clientId;
    if (role !== null) checkRole(await role, options.expectRole!);
    return { protocol: 2, clientId: typeof clientId === 'number' ? clientId : 0 };
  } catch (err) {
    throw classify(err);
  }
}

const ROLE_NAMES = { master: 'a primary', slave: 'a replica' } as const;

function checkRole(reply: Reply, expected: 'master' | 'slave'): void {
  const role = Array.isArray(reply) ? String(reply[0]) : String(reply);
  if (role === expected) return;
  const said = role === 'master' || role === 'slave' ? ROLE_NAMES[role] : `'${role}'`;
  throw new ConnectionError(`the node is ${said}, not ${ROLE_NAMES[expected]} (ROLE)`, { code: 'EROLE' });
}

/** @returns HELLO's reply, or null when the server does not know HELLO and RESP2 must be used. */
async function sendHello(send: SendFn, options: HandshakeOptions): Promise<Reply | null> {
  const args: Arg[] = ['HELLO', 3];
  const password = passwordOf(options);
  if (password !== undefined) args.push('AUTH', options.username ?? 'default', password);
  if (options.name !== undefined) args.push('SETNAME', options.name);
  try {
    return await send(args);
  } catch (err) {
    if (err instanceof ReplyError && /unknown command/i.test(err.message)) return null;
    throw err;
  }
}

function resp2Commands(options: HandshakeOptions): Arg[][] {
  const commands: Arg[][] = [];
  const password = passwordOf(options);
  if (password !== undefined) {
    commands.push(options.username !== undefined ? ['AUTH', options.username, password] : ['AUTH', password]);
  }
  if (options.name !== undefined) commands.push(['CLIENT', 'SETNAME', options.name]);
  if (options.db !== 0) commands.push(['SELECT', options.db]);
  return commands;
}

/**
 * The password to AUTH with, or undefined for no AUTH. A username without a password (or with
 * an empty one) authenticates with an empty password: ACL users created with `nopass` accept
 * it, others refuse it with an AuthError, and neither silently becomes the `default` user.
 */
function passwordOf(options: HandshakeOptions): string | undefined {
  return options.password ?? (options.username !== undefined ? '' : undefined);
}

/** Marks refusals that retrying cannot fix, so the connection stops instead of looping. */
function classify(err: unknown): Error {
  if (!(err instanceof ReplyError)) return err as Error;
  const reason = `handshake refused: ${err.message}`;
  if (TRANSIENT.has(err.code)) return new ConnectionError(reason, { cause: err });
  if (
    err.code === 'WRONGPASS' ||
    err.code === 'NOAUTH' ||
    err.code === 'NOPERM' ||
    /password|AUTH/i.test(err.message)
  ) {
    return new AuthError(reason, { cause: err });
  }
  const fatal = new ConnectionError(reason, { cause: err, code: 'EHANDSHAKE' });
  return fatal;
}

/** True for errors that retrying will not fix: refused credentials, bad config, bad certificates. */
export function isFatal(err: unknown): boolean {
  return (
    err instanceof AuthError ||
    (err instanceof ConnectionError && (err.code === 'EHANDSHAKE' || err.code === 'ETLS'))
  );
}

/** OpenSSL verdicts on the server's certificate: the next attempt would get the same one. */
const TLS_VERIFY_CODES = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID', 'CERT_UNTRUSTED', 'CERT_REJECTED', 'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/**
 * A socket error that means the server's certificate was refused, as a fatal ConnectionError
 * (code 'ETLS'); null for any other error.
 */
export function tlsVerificationError(err: Error, address: string): ConnectionError | null {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === undefined || !TLS_VERIFY_CODES.has(code)) return null;
  return new ConnectionError(
    `TLS: the certificate of ${address} was refused (${code}: ${err.message}); check the tls option's ca and servername`,
    { cause: err, code: 'ETLS' },
  );
}
