/** Free loopback ports for servers the helpers start. */
import { createServer } from 'node:net';

/**
 * Asks the OS for a free port on 127.0.0.1 (listen on port 0, read it, close).
 *
 * The port is only free at that instant: another process may take it before our server binds
 * it, so callers that spawn a server must retry with a new port when the bind fails.
 */
export async function freePort(attempts = 5): Promise<number> {
  for (let i = 1; ; i++) {
    try {
      return await listenOnce();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || i >= attempts) throw err;
    }
  }
}

function listenOnce(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no port assigned'))));
    });
  });
}

/** True when the error output of a server says its port was taken (worth a retry elsewhere). */
export function isAddressInUse(output: string): boolean {
  return /address already in use|EADDRINUSE/i.test(output);
}
