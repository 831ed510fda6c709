/**
 * Every error respool raises is a {@link RedisError}. Each class has a stable `name` and `code`
 * so callers can branch on `err.code` without string-matching messages.
 *
 * ```
 * RedisError                       code
 * ├── ReplyError                   the server's first word: 'ERR', 'WRONGTYPE', 'NOSCRIPT', ...
 * ├── ConnectionError              'ECONNECTION'
 * │   ├── AuthError                'EAUTH'      handshake refused (WRONGPASS, NOAUTH, NOPERM)
 * │   └── PoolClosedError          'ECLOSED'    the pool or connection was closed by the user
 * ├── TimeoutError                 'ETIMEDOUT'
 * ├── AbortError                   'EABORT'     the caller's AbortSignal fired
 * ├── ProtocolError                'EPROTOCOL'  bytes that are not RESP, or a reply nobody asked for
 * ├── QueueFullError               'EQUEUEFULL' maxPending reached
 * └── ArgumentError                'EARGUMENT'  a typed method (pool.set, pool.zadd...) got arguments its command does not take
 * ```
 *
 * Messages never include passwords: options are redacted before they reach an error.
 */
export class RedisError extends Error {
  /** A stable machine-readable code. */
  readonly code: string;

  constructor(message: string, code = 'EREDIS', options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }

  override get name(): string {
    return this.constructor.name;
  }
}

/** The server answered with an error reply (`-ERR ...`). `message` is the server's line. */
export class ReplyError extends RedisError {
  /**
   * The name of the command that drew the error, upper-case, e.g. `'LPUSH'` (for a container
   * command its first word, e.g. `'CLIENT'`). Never its arguments: they may be secret.
   * Undefined for an error reply that no command of ours drew.
   */
  command?: string;

  constructor(line: string) {
    const space = line.indexOf(' ');
    super(line, space === -1 ? line : line.slice(0, space));
  }
}

/** The connection failed, dropped, or could not be established. */
export class ConnectionError extends RedisError {
  /**
   * True when the command was never written to a socket (it waited for a connection that
   * failed), so it certainly did not run: a caller may send it elsewhere (the cluster client
   * does, once its topology says where). False when it may have run.
   */
  readonly unsent: boolean;

  constructor(message: string, options?: { cause?: unknown; code?: string; unsent?: boolean }) {
    super(message, options?.code ?? 'ECONNECTION', options);
    this.unsent = options?.unsent ?? false;
  }
}

/** The server refused our credentials or protocol during the handshake. Not retried. */
export class AuthError extends ConnectionError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, { ...options, code: 'EAUTH' });
  }
}

/** The pool (or a connection) has been closed with `close()`; nothing more will be sent. */
export class PoolClosedError extends ConnectionError {
  constructor(message = 'The pool is closed') {
    super(message, { code: 'ECLOSED' });
  }
}

/** A command, an acquire or a connect took longer than its limit. */
export class TimeoutError extends RedisError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 'ETIMEDOUT', options);
  }
}

/** The caller's `AbortSignal` fired before the reply arrived. */
export class AbortError extends RedisError {
  constructor(message = 'The command was aborted', options?: { cause?: unknown }) {
    super(message, 'EABORT', options);
  }
}

/**
 * The server sent bytes that are not valid RESP, or a reply arrived with no caller waiting.
 * The connection that saw it is closed: nothing read after it could be trusted.
 */
export class ProtocolError extends RedisError {
  constructor(message: string) {
    super(message, 'EPROTOCOL');
  }
}

/** More commands are waiting than `maxPending` allows. */
export class QueueFullError extends RedisError {
  constructor(message: string) {
    super(message, 'EQUEUEFULL');
  }
}

/**
 * A typed command method (`pool.set(k, v, { EX: 60 })`) was called with arguments its command's
 * syntax does not allow: a wrong type, an unknown option, two exclusive options, a wrong count.
 * Nothing was sent. The message names the argument, never its value (it may be a secret).
 */
export class ArgumentError extends RedisError {
  constructor(message: string) {
    super(message, 'EARGUMENT');
  }
}
