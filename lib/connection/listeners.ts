import type net from 'node:net';
import type { Connection } from './connection.js';

// A connection's socket and timer callbacks are module-level functions, not closures: none is
// made per connection, per socket or per event; the socket finds its connection in a field.

const kConnection = Symbol('respool.connection');

/** A socket that knows the connection it belongs to. */
export type OwnedSocket = net.Socket & { [kConnection]: Connection };

/** Ties `socket` to `connection` and routes its events there; `ready` says it can carry commands. */
export function listen(socket: net.Socket, connection: Connection, ready: 'connect' | 'secureConnect'): OwnedSocket {
  const owned = socket as OwnedSocket;
  owned[kConnection] = connection;
  owned.on('data', onData);
  owned.on('drain', onDrain);
  owned.on('error', onError);
  owned.on('close', onClose);
  owned.once(ready, onConnect);
  return owned;
}

function onData(this: OwnedSocket, chunk: Buffer): void {
  this[kConnection].received(chunk);
}
function onDrain(this: OwnedSocket): void {
  this[kConnection].drained();
}
function onError(this: OwnedSocket, err: Error): void {
  this[kConnection].errored(err);
}
function onClose(this: OwnedSocket): void {
  this[kConnection].closed(this);
}
function onConnect(this: OwnedSocket): void {
  void this[kConnection].opened(this);
}

/** For `process.nextTick`: writes what the tick queued. */
export function flushSoon(connection: Connection): void {
  connection.flush();
}
