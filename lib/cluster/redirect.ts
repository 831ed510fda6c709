/**
 * What the cluster client does with each failure a command can meet: the one table of
 * redirections. The retry-safety rule is visible here and nowhere else: **a command is sent
 * again only when its failure proves it did not run.** Every reply in the table is one the
 * server sends *instead of* running the command; a command lost with its connection may have
 * run, so it is never in the table and reaches its caller as a ConnectionError.
 *
 * | failure                                   | proves not run | action                                                   |
 * |-------------------------------------------|----------------|----------------------------------------------------------|
 * | `MOVED <slot> <host:port>`                | yes            | `moved`: point the slot at host:port, refresh, retry there (counts toward maxRedirections) |
 * | `ASK <slot> <host:port>`                  | yes            | `ask`: ASKING + the command on host:port, once (counts)  |
 * | `TRYAGAIN` (multi-key op mid-migration)   | yes            | `backoff`: wait, retry on the same slot                  |
 * | `CLUSTERDOWN` (slot unserved, failover)   | yes            | `backoff` + refresh                                      |
 * | `LOADING` (a replica or restarted node)   | yes            | `backoff` + refresh                                      |
 * | `READONLY` (a write reached a replica)    | yes            | `reroute`: refresh, retry on the new primary             |
 * | ConnectionError with `unsent` (never written: the node is down; also what sender.ts raises, without trying, while the node's pool is down and reconnecting) | yes | `reroute`: refresh, back off, retry on the slot's owner then |
 * | anything else (other replies, a dropped connection, timeouts) | no / not known | `none`: the caller gets it |
 *
 * Retries stop at the command's deadline (its timeout, else acquireTimeout), and MOVED/ASK at
 * `maxRedirections`.
 */
import { ConnectionError, ReplyError } from '../errors.js';
import { formatAddress, parseAddress } from './slot-map.js';

export type Redirection =
  | { action: 'moved'; slot: number; address: string }
  | { action: 'ask'; slot: number; address: string }
  | { action: 'backoff'; refresh: boolean }
  | { action: 'reroute' }
  | { action: 'none' };

const NONE: Redirection = { action: 'none' };
const TRYAGAIN: Redirection = { action: 'backoff', refresh: false };
const DOWN: Redirection = { action: 'backoff', refresh: true };
const REROUTE: Redirection = { action: 'reroute' };

/**
 * The table above, as code. `fromHost` is the host of the node that answered (a MOVED with an
 * empty host means that one); `mapAddress` is the user's addressMap.
 */
export function redirectionFor(err: unknown, fromHost: string, mapAddress?: (address: string) => string): Redirection {
  if (err instanceof ReplyError) {
    switch (err.code) {
      case 'MOVED':
      case 'ASK':
        return target(err, fromHost, mapAddress);
      case 'TRYAGAIN':
        return TRYAGAIN;
      case 'CLUSTERDOWN':
      case 'LOADING':
        return DOWN;
      case 'READONLY':
        return REROUTE;
      default:
        return NONE;
    }
  }
  if (err instanceof ConnectionError && err.unsent && err.code === 'ECONNECTION') return REROUTE;
  return NONE;
}

/** Parses `MOVED 3999 127.0.0.1:6381` (an empty host means "the node you asked", Redis 7). */
function target(err: ReplyError, fromHost: string, mapAddress?: (address: string) => string): Redirection {
  const [code, slotText, given] = err.message.split(' ');
  const slot = Number(slotText);
  if (given === undefined || !Number.isInteger(slot)) return NONE;
  const address = given.startsWith(':') ? formatAddress(fromHost, Number(given.slice(1))) : given;
  try {
    parseAddress(address);
  } catch {
    return NONE;
  }
  const mapped = mapAddress ? mapAddress(address) : address;
  return code === 'MOVED' ? { action: 'moved', slot, address: mapped } : { action: 'ask', slot, address: mapped };
}

/** Backoff before retry `attempt` (0-based) of TRYAGAIN/CLUSTERDOWN/reroute: 20 ms doubling to 500 ms, with jitter. */
export function retryDelay(attempt: number): number {
  const ceiling = Math.min(500, 20 * 2 ** Math.min(attempt, 10));
  return ceiling / 2 + Math.random() * (ceiling / 2);
}
