/**
 * `cluster.pipeline`: commands of any slots, grouped per node, one pool pipeline per node, all
 * dispatched in the same tick and in input order (so commands for one node run in the order
 * given). Replies come back in input order with errors in place.
 *
 * ```
 *   [SET a, SET b, MGET a c, GET d]          slots: a→n1  b→n2  c→n2  d→n1
 *        n1: [SET a, MGET a, GET d]          (MGET split into its slots' parts)
 *        n2: [SET b, MGET c]
 *   replies ──> [OK, OK, [va, vc], vd]        (parts merged back, input order)
 * ```
 *
 * A reply that is a redirection (MOVED, ASK, TRYAGAIN, CLUSTERDOWN, or a command never sent
 * because its node was down) is sent again alone through the Sender, the redirected commands of
 * one node one after another in input order; everything else is the caller's, in place.
 */
import type { CommandOptions } from '../pool/handle.js';
import type { Command, Reply } from '../resp/types.js';
import { splitPolicy } from './keys.js';
import { redirectionFor } from './redirect.js';
import { CROSS_SLOT, crossSlotError } from './route.js';
import type { Sender } from './sender.js';
import { mergeReplies, splitBySlot } from './split.js';
import { parseAddress } from './slot-map.js';

/** A split command: its parts' replies, merged once all are in. */
interface Split {
  index: number;
  parts: ReturnType<typeof splitBySlot>;
  replies: unknown[];
  policy: string | undefined;
}

/** One part of a split command. */
interface Part {
  slot: number;
  command: Command;
  split: Split;
  part: number;
}

/**
 * The commands bound for one node. `at[j]` says where reply j goes: `i >= 0` is input index i,
 * `-(p + 1)` is part p of a split command. Plain numbers, so a 1000-command pipeline allocates
 * no object per command.
 */
interface Group {
  address: string;
  commands: Command[];
  at: number[];
}

export async function runPipeline(
  sender: Sender,
  commands: readonly Command[],
  slots: readonly number[],
  readOnly: (command: Command) => boolean,
  options: CommandOptions | undefined,
  deadline: number,
  addressMap?: (address: string) => string,
): Promise<unknown[]> {
  const map = sender.currentMap() ?? (await sender.map(deadline));
  const results = new Array<unknown>(commands.length);
  const groups = new Map<string, Group>();
  const later: number[] = [];
  const parts: Part[] = [];
  const splits: Split[] = [];
  // Consecutive commands often go to the same node: skip the map lookup then.
  let last: Group | null = null;
  const add = (at: number, slot: number, command: Command, reads: boolean) => {
    const address = sender.address(map, slot, reads);
    if (address === null) return void later.push(at);
    let group = last !== null && last.address === address ? last : groups.get(address);
    if (group === undefined) groups.set(address, (group = { address, commands: [], at: [] }));
    group.commands.push(command);
    group.at.push(at);
    last = group;
  };
  for (let i = 0; i < commands.length; i++) {
    const command = commands[i]!;
    const reads = readOnly(command);
    if (slots[i] !== CROSS_SLOT) {
      add(i, slots[i]!, command, reads);
      continue;
    }
    const policy = splitPolicy(command);
    if (policy === null) {
      results[i] = crossSlotError(String(command[0]).toUpperCase());
      continue;
    }
    const pieces = splitBySlot(command);
    const split: Split = { index: i, parts: pieces, replies: new Array(pieces.length), policy: policy.response };
    splits.push(split);
    for (let p = 0; p < pieces.length; p++) {
      parts.push({ slot: pieces[p]!.slot, command: pieces[p]!.command, split, part: p });
      add(-parts.length, pieces[p]!.slot, pieces[p]!.command, reads);
    }
  }
  const deliver = (at: number, value: unknown) => {
    if (at >= 0) results[at] = value;
    else {
      const part = parts[-at - 1]!;
      part.split.replies[part.part] = value;
    }
  };
  // Commands sent again go one after another, in input order: sent side by side they could
  // take different connections of the new owner, and a GET could overtake the SET before it.
  const resendInOrder = async (ats: readonly number[]) => {
    for (const at of ats) {
      const command = at >= 0 ? commands[at]! : parts[-at - 1]!.command;
      const slot = at >= 0 ? slots[at]! : parts[-at - 1]!.slot;
      try {
        // A read sent again goes to the primary, unless readFrom 'replica' says replicas only.
        const replicasOnly = sender.readFrom === 'replica' && readOnly(command);
        deliver(at, await sender.send(command, options, slot, replicasOnly));
      } catch (err) {
        deliver(at, err);
      }
    }
  };
  // Dispatch every node's pipeline now, in one pass: per node, input order is kept.
  const sent: { group: Group; replies: Promise<unknown[]> }[] = [];
  for (const group of groups.values()) {
    sent.push({ group, replies: sender.pool(group.address).pipeline(group.commands, options) });
  }
  const retries: Promise<void>[] = later.length > 0 ? [resendInOrder(later)] : [];
  for (const { group, replies } of sent) {
    const values = await replies;
    const host = parseAddress(group.address).host;
    const at = group.at;
    let redirected: number[] | null = null;
    for (let j = 0; j < values.length; j++) {
      const value = values[j];
      if (value instanceof Error && redirectionFor(value, host, addressMap).action !== 'none') {
        (redirected ??= []).push(at[j]!);
      } else {
        deliver(at[j]!, value);
      }
    }
    if (redirected !== null) retries.push(resendInOrder(redirected));
  }
  if (retries.length > 0) await Promise.all(retries);
  for (const split of splits) {
    const failed = split.replies.find((r) => r instanceof Error);
    results[split.index] = failed ?? mergeReplies(split.parts, split.replies as Reply[], split.policy);
  }
  return results;
}
