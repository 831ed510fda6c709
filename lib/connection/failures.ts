import { ConnectionError, ProtocolError, type RedisError } from '../errors.js';

// The errors a connection fails its callers with when its socket goes, by what the caller can
// conclude: a command written may have run; one still waiting to be written did not.

/** For commands written and not answered when the socket to `address` was lost. */
export function lostError(address: string, cause: Error): RedisError {
  // Bad bytes: the callers learn exactly that (nothing after them could be trusted).
  if (cause instanceof ProtocolError) return cause;
  if (cause instanceof ConnectionError && cause.code !== 'ECONNECTION') return cause;
  return new ConnectionError(
    `connection to ${address} lost (${cause.message}); the command may have run and was not retried`,
    { cause },
  );
}

/** For commands still in the outbox: they never reached the server, and say so. */
export function unsentError(address: string, cause: Error): ConnectionError {
  return new ConnectionError(
    `connection to ${address} lost (${cause.message}); the command was not sent`,
    { cause, unsent: true },
  );
}

/** For commands refused while there is no socket (failFast, or a command of our own). */
export function notConnectedError(address: string, lastError: Error | null): ConnectionError {
  const why = lastError !== null ? ` (${lastError.message})` : '';
  return new ConnectionError(`not connected to ${address}${why}; the command was not sent`, {
    cause: lastError,
    unsent: true,
  });
}
