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
 * because its node was down) is sent again alone through the Sender; everything else is the
 * caller's, in place.
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

/** Where one reply goes: a result, or a part of a split command. */
interface Sink {
  index: number;
  slot: number;
  command: Command;
  split: Split | null;
  part: number;
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
  const map = await sender.map(deadline);
  const results = new Array<unknown>(commands.length);
  const groups = new Map<string, Sink[]>();
  const later: Sink[] = [];
  const splits: Split[] = [];
  const add = (sink: Sink, reads: boolean) => {
    const address = sender.address(map, sink.slot, reads);
    if (address === null) return later.push(sink);
    let group = groups.get(address);
    if (group === undefined) groups.set(address, (group = []));
    group.push(sink);
  };
  for (let i = 0; i < commands.length; i++) {
    const command = commands[i]!;
    const reads = readOnly(command);
    if (slots[i] !== CROSS_SLOT) {
      add({ index: i, slot: slots[i]!, command, split: null, part: 0 }, reads);
      continue;
    }
    const policy = splitPolicy(command);
    if (policy === null) {
      results[i] = crossSlotError(String(command[0]).toUpperCase());
      continue;
    }
    const parts = splitBySlot(command);
    const split: Split = { index: i, parts, replies: new Array(parts.length), policy: policy.response };
    splits.push(split);
    for (let p = 0; p < parts.length; p++) {
      add({ index: i, slot: parts[p]!.slot, command: parts[p]!.command, split, part: p }, reads);
    }
  }
  const deliver = (sink: Sink, value: unknown) => {
    if (sink.split === null) results[sink.index] = value;
    else sink.split.replies[sink.part] = value;
  };
  const resend = (sink: Sink) =>
    sender.send(sink.command, options, sink.slot, false).then((r) => deliver(sink, r), (e) => deliver(sink, e));
  // Dispatch every node's pipeline now, in one pass: per node, input order is kept.
  const sent = [...groups].map(([address, sinks]) => ({
    address,
    sinks,
    replies: sender.pool(address).pipeline(sinks.map((s) => s.command), options),
  }));
  const retries: Promise<void>[] = later.map(resend);
  for (const { address, sinks, replies } of sent) {
    const values = await replies;
    const host = parseAddress(address).host;
    for (let j = 0; j < sinks.length; j++) {
      const value = values[j];
      if (value instanceof Error && redirectionFor(value, host, addressMap).action !== 'none') {
        retries.push(resend(sinks[j]!));
      } else {
        deliver(sinks[j]!, value);
      }
    }
  }
  await Promise.all(retries);
  for (const split of splits) {
    const failed = split.replies.find((r) => r instanceof Error);
    results[split.index] = failed ?? mergeReplies(split.parts, split.replies as Reply[], split.policy);
  }
  return results;
}
