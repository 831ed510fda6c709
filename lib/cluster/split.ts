/**
 * Multi-key commands whose keys span several slots, split into one command per slot and merged
 * back, when the server's command metadata says their meaning allows it (request policy
 * `multi_shard`): MGET, MSET, DEL, UNLINK, EXISTS, TOUCH. The response policy says how to
 * merge:
 *
 * | response policy | commands                 | merged reply                                        |
 * |-----------------|--------------------------|-----------------------------------------------------|
 * | (none)          | MGET                     | the parts' values put back in the caller's key order |
 * | `agg_sum`       | DEL, UNLINK, EXISTS, TOUCH | the sum of the parts' counts                      |
 * | `all_succeeded` | MSET                     | the first part's reply ('OK') once every part succeeded |
 *
 * A part that fails rejects the whole call with its error; the other parts may have run (each
 * is atomic on its slot, the whole is not, as with any cluster client).
 */
import type { CommandOptions } from '../pool/handle.js';
import type { Arg, Command, Reply } from '../resp/types.js';
import { keyIndexes } from './keys.js';
import { keySlot } from './slot.js';

interface Part {
  slot: number;
  /** Positions, in the caller's key order, of this part's keys. */
  keys: number[];
  command: Arg[];
}

/** Sends one command for one slot (with redirections): the Sender's `send`. */
export type SendFn = (command: Command, options: CommandOptions | undefined, slot: number, readOnly: boolean) => Promise<Reply>;

/** Groups the keys (with the arguments that follow each, e.g. MSET's values) by slot. */
export function splitBySlot(command: Command): Part[] {
  const indexes = keyIndexes(command);
  const parts = new Map<number, Part>();
  for (let k = 0; k < indexes.length; k++) {
    const start = indexes[k]!;
    const end = k + 1 < indexes.length ? indexes[k + 1]! : command.length;
    const slot = keySlot(command[start]!);
    let part = parts.get(slot);
    if (part === undefined) {
      part = { slot, keys: [], command: [command[0]!] };
      parts.set(slot, part);
    }
    part.keys.push(k);
    for (let i = start; i < end; i++) part.command.push(command[i]!);
  }
  return [...parts.values()];
}

/** Merges the parts' replies by the response policy (see the table above). */
export function mergeReplies(parts: readonly Part[], replies: readonly Reply[], policy: string | undefined): Reply {
  if (policy === 'agg_sum') {
    let sum = 0;
    for (const reply of replies) sum += Number(reply);
    return sum;
  }
  if (policy === 'all_succeeded') return replies[0]!;
  let total = 0;
  for (const part of parts) total += part.keys.length;
  const merged = new Array<Reply>(total);
  for (let p = 0; p < parts.length; p++) {
    const values = replies[p] as Reply[];
    const keys = parts[p]!.keys;
    for (let i = 0; i < keys.length; i++) merged[keys[i]!] = values[i]!;
  }
  return merged;
}

/** Sends each part to its slot's owner (in parallel) and merges the replies. */
export async function sendSplit(
  send: SendFn,
  command: Command,
  options: CommandOptions | undefined,
  policy: string | undefined,
  readOnly: boolean,
): Promise<Reply> {
  const parts = splitBySlot(command);
  const replies = await Promise.all(parts.map((part) => send(part.command, options, part.slot, readOnly)));
  return mergeReplies(parts, replies, policy);
}
