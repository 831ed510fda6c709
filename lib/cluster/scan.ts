/**
 * SCAN over a whole cluster: each primary's keyspace in turn, each key yielded once.
 *
 * Slots can move while a scan runs (a resharding): a key migrated from a node not yet scanned
 * to one already scanned would be missed. So after a pass, the map is read again, and every
 * primary that now serves a slot it did not serve when it was scanned is scanned again (keys
 * already yielded are skipped), until a pass finds no such gain (at most {@link MAX_PASSES}).
 */
import { scanKeys, type ScanOptions } from '../commands/scan.js';
import type { Pool } from '../pool/pool.js';
import type { SlotMap } from './slot-map.js';
import { SLOT_COUNT } from './slot.js';

const MAX_PASSES = 4;

/** The slots each primary serves in `map`. */
function slotsByPrimary(map: SlotMap): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  for (let slot = 0; slot < SLOT_COUNT; slot++) {
    const index = map.slots[slot]!;
    if (index < 0) continue;
    const primary = map.shards[index]!.primary;
    let slots = out.get(primary);
    if (slots === undefined) out.set(primary, (slots = new Uint8Array(SLOT_COUNT)));
    slots[slot] = 1;
  }
  return out;
}

export async function* scanCluster(
  currentMap: () => Promise<SlotMap>,
  refresh: () => Promise<SlotMap>,
  pool: (address: string) => Pool,
  options: ScanOptions,
): AsyncGenerator<string | Buffer> {
  const seen = new Set<string>();
  /** Slots each node served when it was last scanned. */
  const covered = new Map<string, Uint8Array>();
  let map = await currentMap();
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const owners = slotsByPrimary(map);
    const due: string[] = [];
    for (const [address, slots] of owners) {
      const before = covered.get(address);
      if (before === undefined || slots.some((on, slot) => on === 1 && before[slot] === 0)) due.push(address);
    }
    if (due.length === 0) return;
    for (const address of due) {
      covered.set(address, owners.get(address)!);
      const node = pool(address);
      for await (const key of scanKeys((c, o) => node.command(c, o), options)) {
        const id = typeof key === 'string' ? key : key.toString('latin1');
        if (seen.has(id)) continue;
        seen.add(id);
        yield key;
      }
    }
    map = await refresh().catch(() => map);
  }
}
