import net from 'node:net';
import tls from 'node:tls';

/** What opening a socket needs to know; a subset of the resolved pool options. */
export interface SocketOptions {
  host: string;
  port: number;
  path?: string;
  tls?: tls.ConnectionOptions;
  keepAlive: number;
  noDelay: boolean;
}

/**
 * Opens a TCP, TLS or unix-domain socket. Knows nothing of RESP. The returned socket emits
 * `'connect'` (plain) or `'secureConnect'` (TLS) when usable; see {@link readyEvent}.
 *
 * TLS certificates are verified by default (Node's default `rejectUnauthorized: true`); the
 * SNI server name defaults to the host unless it is an IP address, which SNI forbids.
 */
export function openSocket(options: SocketOptions): net.Socket {
  let socket: net.Socket;
  if (options.tls !== undefined) {
    const servername =
      options.tls.servername ?? (net.isIP(options.host) === 0 ? options.host : undefined);
    socket = tls.connect({
      ...options.tls,
      ...(options.path !== undefined
        ? { path: options.path }
        : { host: options.host, port: options.port }),
      servername,
    });
  } else if (options.path !== undefined) {
    socket = net.connect({ path: options.path });
  } else {
    socket = net.connect({ host: options.host, port: options.port });
  }
  if (options.path === undefined) {
    socket.setNoDelay(options.noDelay);
    if (options.keepAlive > 0) socket.setKeepAlive(true, options.keepAlive);
  }
  return socket;
}

/** The event that says the socket can carry commands. */
export function readyEvent(options: SocketOptions): 'connect' | 'secureConnect' {
  return options.tls !== undefined ? 'secureConnect' : 'connect';
}
