/**
 * The cluster's topology as plain data: which shard serves each slot, and each shard's primary
 * and replicas by address. Built by pure functions from a CLUSTER SHARDS reply (Redis 7+) or a
 * CLUSTER SLOTS reply (older servers); routing reads it with one array lookup.
 *
 * ```
 *   slots: Int16Array(16384)   slot ──> shard index (-1: nobody serves it)
 *   shards[i]: { primary: '10.0.0.1:6379', replicas: ['10.0.0.2:6379'] }
 * ```
 *
 * A map is replaced whole by each refresh; a MOVED reply patches one slot in place before the
 * refresh it triggers lands (see {@link patchSlot}).
 */
import type { Reply } from '../resp/types.js';
import { SLOT_COUNT } from './slot.js';

export interface Shard {
  /** 'host:port' of the primary. */
  primary: string;
  /** 'host:port' of each replica that reported itself healthy. */
  replicas: string[];
}

export interface SlotMap {
  readonly shards: Shard[];
  /** Shard index per slot, -1 when no shard serves it. */
  readonly slots: Int16Array;
  /** Equal for equal topologies (shards, their members and ranges), whatever the reply order. */
  readonly fingerprint: string;
}

/** How announced addresses become the ones we connect to. */
export interface AddressContext {
  /** Host of the node that answered: CLUSTER SLOTS gives '' for "the host you asked". */
  queriedHost: string;
  /** Use `tls-port` where CLUSTER SHARDS gives one. */
  tls: boolean;
  /** The user's addressMap (NAT, docker), applied to every 'host:port'. */
  map?: (address: string) => string;
}

/** Formats host and port as 'host:port' ('[::1]:port' for IPv6). */
export function formatAddress(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Splits 'host:port' (or '[v6]:port'). */
export function parseAddress(address: string): { host: string; port: number } {
  const colon = address.lastIndexOf(':');
  const host = address.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
  const port = Number(address.slice(colon + 1));
  if (colon <= 0 || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new TypeError(`'${address}' is not a 'host:port' address`);
  }
  return { host, port };
}

function announced(host: string, port: number, ctx: AddressContext): string {
  const real = host === '' || host === '?' ? ctx.queriedHost : host;
  const address = formatAddress(real, port);
  return ctx.map ? ctx.map(address) : address;
}

/** A field of a RESP2 flat key/value array or a RESP3 map. */
function field(entry: Reply, name: string): Reply | undefined {
  if (entry instanceof Map) return entry.get(name) as Reply | undefined;
  if (!Array.isArray(entry)) return undefined;
  for (let i = 0; i + 1 < entry.length; i += 2) if (entry[i] === name) return entry[i + 1];
  return undefined;
}

function text(value: Reply | undefined): string {
  return typeof value === 'string' ? value : Buffer.isBuffer(value) ? value.toString() : '';
}

/** Builds a map from `(shard, [start, end])` assignments. */
function build(shards: Shard[], ranges: [number, number, number][]): SlotMap {
  const slots = new Int16Array(SLOT_COUNT).fill(-1);
  for (const [shard, start, end] of ranges) {
    for (let slot = Math.max(0, start); slot <= Math.min(SLOT_COUNT - 1, end); slot++) slots[slot] = shard;
  }
  const byShard = shards.map((shard, i) => {
    const own = ranges.filter((r) => r[0] === i).map((r) => `${r[1]}-${r[2]}`).sort().join(',');
    return `${shard.primary}<${[...shard.replicas].sort().join(',')}>${own}`;
  });
  return { shards, slots, fingerprint: byShard.sort().join(';') };
}

/**
 * Parses CLUSTER SHARDS. Each shard's primary is its healthy 'master' node (or, while a dead
 * one has not been replaced yet, its only 'master'); replicas count unless 'failed'.
 */
export function fromShards(reply: Reply, ctx: AddressContext): SlotMap {
  if (!Array.isArray(reply)) throw new TypeError('CLUSTER SHARDS did not return an array');
  const shards: Shard[] = [];
  const ranges: [number, number, number][] = [];
  for (const entry of reply) {
    const slotList = field(entry, 'slots');
    const nodes = field(entry, 'nodes');
    if (!Array.isArray(slotList) || !Array.isArray(nodes)) continue;
    let primary: string | null = null;
    let primaryHealthy = false;
    const replicas: string[] = [];
    for (const node of nodes) {
      const port = Number(ctx.tls ? field(node, 'tls-port') ?? field(node, 'port') : field(node, 'port'));
      const endpoint = text(field(node, 'endpoint'));
      const host = endpoint !== '' && endpoint !== '?' ? endpoint : text(field(node, 'ip'));
      const address = announced(host, port, ctx);
      const health = text(field(node, 'health'));
      if (text(field(node, 'role')) === 'master') {
        const healthy = health === 'online';
        if (primary === null || (healthy && !primaryHealthy)) {
          primary = address;
          primaryHealthy = healthy;
        }
      } else if (health !== 'fail' && health !== 'failed') {
        // Redis 7.0 says 'loading' for a replica whose offset is 0 (nothing written yet) even
        // though it serves; a replica that is really loading answers LOADING, which is retried
        // on the primary.
        replicas.push(address);
      }
    }
    if (primary === null) continue;
    const index = shards.push({ primary, replicas }) - 1;
    for (let i = 0; i + 1 < slotList.length; i += 2) {
      ranges.push([index, Number(slotList[i]), Number(slotList[i + 1])]);
    }
  }
  return build(shards, ranges);
}

/** Parses CLUSTER SLOTS: `[[start, end, [host, port, id], ...replicas], ...]`. */
export function fromSlots(reply: Reply, ctx: AddressContext): SlotMap {
  if (!Array.isArray(reply)) throw new TypeError('CLUSTER SLOTS did not return an array');
  const shards: Shard[] = [];
  const byPrimary = new Map<string, number>();
  const ranges: [number, number, number][] = [];
  for (const entry of reply) {
    if (!Array.isArray(entry) || entry.length < 3) continue;
    const [start, end, ...nodes] = entry;
    const addresses = nodes.filter(Array.isArray).map((n) => announced(text(n[0]), Number(n[1]), ctx));
    const primary = addresses[0];
    if (primary === undefined) continue;
    let index = byPrimary.get(primary);
    if (index === undefined) {
      index = shards.push({ primary, replicas: addresses.slice(1) }) - 1;
      byPrimary.set(primary, index);
    }
    ranges.push([index, Number(start), Number(end)]);
  }
  return build(shards, ranges);
}

/**
 * Points `slot` at the primary `address` (a MOVED reply), adding a shard when the address is
 * not a known primary. Mutates `map`: the refresh that follows replaces it anyway, and routing
 * must see the fix at once.
 */
export function patchSlot(map: SlotMap, slot: number, address: string): void {
  let index = map.shards.findIndex((s) => s.primary === address);
  if (index === -1) index = map.shards.push({ primary: address, replicas: [] }) - 1;
  map.slots[slot] = index;
}

/** How many slots have an owner. */
export function coveredSlots(map: SlotMap): number {
  let covered = 0;
  for (let i = 0; i < SLOT_COUNT; i++) if (map.slots[i]! >= 0) covered++;
  return covered;
}

/**
 * The view most nodes share (ties: the one covering more slots, then the first given). A
 * stale node alone cannot undo what the others agree on.
 */
export function majorityView(views: readonly SlotMap[]): SlotMap | null {
  const votes = new Map<string, { map: SlotMap; count: number; covered: number }>();
  for (const map of views) {
    const seen = votes.get(map.fingerprint);
    if (seen !== undefined) seen.count++;
    else votes.set(map.fingerprint, { map, count: 1, covered: coveredSlots(map) });
  }
  let best: { map: SlotMap; count: number; covered: number } | null = null;
  for (const vote of votes.values()) {
    if (best === null || vote.count > best.count || (vote.count === best.count && vote.covered > best.covered)) {
      best = vote;
    }
  }
  return best?.map ?? null;
}

/** Every address in the map: primaries then replicas. */
export function addressesOf(map: SlotMap): { primaries: string[]; replicas: string[] } {
  const primaries = map.shards.map((s) => s.primary);
  const replicas = map.shards.flatMap((s) => s.replicas);
  return { primaries, replicas };
}
