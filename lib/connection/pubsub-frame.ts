import type { Reply } from '../resp/types.js';

const PUBSUB_KINDS = new Set([
  'message', 'pmessage', 'smessage', 'subscribe', 'psubscribe', 'ssubscribe',
  'unsubscribe', 'punsubscribe', 'sunsubscribe',
]);

/**
 * True for a pub/sub frame as RESP2 sends it (an array of three or more whose first item is its
 * kind): on a subscriber connection such frames are routed to `push`, not to a caller.
 */
export function isPubSubFrame(value: Reply): boolean {
  if (!Array.isArray(value) || value.length < 3) return false;
  const kind = value[0];
  return PUBSUB_KINDS.has(typeof kind === 'string' ? kind : String(kind));
}
