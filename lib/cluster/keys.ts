/**
 * The cluster's view of command metadata, from the command table (lib/commands/info.ts): where
 * the keys are, whether a command only reads, and whether a multi-key command whose keys span
 * several slots may be split (the server's request/response policy tips).
 */
import { commandInfo, firstKeyIndex, isReadOnly, keyIndexes } from '../commands/info.js';
import type { Command } from '../resp/types.js';

export { firstKeyIndex, isReadOnly, keyIndexes };

/**
 * Response policies whose merge keeps the command's meaning (see split.ts): none (values in
 * key order: MGET), `agg_sum` (DEL, UNLINK, EXISTS, TOUCH), `all_succeeded` (MSET).
 * MSETNX is `multi_shard` too, with `agg_min`: but it sets all keys or none, which parts sent
 * to several nodes cannot promise, so it is refused like any other cross-slot command.
 */
const MERGEABLE = new Set<string | undefined>([undefined, 'agg_sum', 'all_succeeded']);

/**
 * How a command whose keys span several slots may be split: null when it may not (the cluster
 * client refuses it with CROSSSLOT), else the response policy to merge the parts' replies by.
 */
export function splitPolicy(command: Command): { response: string | undefined } | null {
  const info = commandInfo(command);
  if (info === undefined || info.requestPolicy !== 'multi_shard' || !MERGEABLE.has(info.responsePolicy)) return null;
  return { response: info.responsePolicy };
}

/**
 * False when the command has at most one key, so no key list need be built. Checked from the
 * argument count: a command with nothing after its first key has one key at most.
 */
export function mayHaveManyKeys(command: Command, first: number): boolean {
  return command.length > first + 1;
}
