/**
 * What each node serves, as far as a client-side cache is concerned: its role and the slots of
 * its shard. When that changes for a node (a slot moved away, a failover demoted or promoted
 * it), what its pool's cache read came from an owner that no longer answers for those keys, so
 * the cluster drops it (issue 13). The old owner's invalidations usually cover this already
 * (MIGRATE deletes the keys it moves; a demoted primary applies the new primary's writes), but
 * not when it is cut off from the cluster while our connections to it live on.
 */
import type { SlotMap } from './slot-map.js';

/** 'primary 0-5460' or 'replica 0-5460,6000-6001' for each address of `map`. */
export function cacheScopes(map: SlotMap): Map<string, string> {
  const ranges: string[][] = map.shards.map(() => []);
  const slots = map.slots;
  let start = 0;
  for (let slot = 1; slot <= slots.length; slot++) {
    if (slot < slots.length && slots[slot] === slots[start]) continue;
    const shard = slots[start]!;
    if (shard >= 0) ranges[shard]!.push(start === slot - 1 ? String(start) : `${start}-${slot - 1}`);
    start = slot;
  }
  const scopes = new Map<string, string>();
  map.shards.forEach((shard, i) => {
    const served = ranges[i]!.join(',');
    scopes.set(shard.primary, `primary ${served}`);
    for (const replica of shard.replicas) scopes.set(replica, `replica ${served}`);
  });
  return scopes;
}

/** Addresses whose scope in `next` differs from the one in `previous` (new addresses excluded). */
export function changedScopes(previous: Map<string, string>, next: Map<string, string>): string[] {
  const changed: string[] = [];
  for (const [address, scope] of previous) {
    if (next.get(address) !== scope) changed.push(address);
  }
  return changed;
}
