/**
 * A command's slot, from its keys. Pure; reads command metadata through keys.ts only.
 */
import { RedisError } from '../errors.js';
import type { Command } from '../resp/types.js';
import { firstKeyIndex, keyIndexes, mayHaveManyKeys } from './keys.js';
import { keySlot } from './slot.js';

/** The command has no key: any primary may run it. */
export const KEYLESS = -1;
/** The command's keys are in several slots. */
export const CROSS_SLOT = -2;

/** The slot every key of `command` is in, or {@link KEYLESS} / {@link CROSS_SLOT}. */
export function commandSlot(command: Command): number {
  const first = firstKeyIndex(command);
  if (first < 0) return KEYLESS;
  const slot = keySlot(command[first]!);
  if (!mayHaveManyKeys(command, first)) return slot;
  for (const index of keyIndexes(command)) if (keySlot(command[index]!) !== slot) return CROSS_SLOT;
  return slot;
}

/** The one slot of a group of commands (a transaction), KEYLESS, or CROSS_SLOT. */
export function groupSlot(commands: readonly Command[]): number {
  let slot = KEYLESS;
  for (const command of commands) {
    const own = commandSlot(command);
    if (own === CROSS_SLOT) return CROSS_SLOT;
    if (own === KEYLESS) continue;
    if (slot === KEYLESS) slot = own;
    else if (slot !== own) return CROSS_SLOT;
  }
  return slot;
}
/** The CROSSSLOT refusal, before anything is sent. */
export function crossSlotError(what: string): RedisError {
  return new RedisError(
    `${what} has keys in several hash slots, which Redis Cluster cannot run as one command; ` +
      'put the keys under one hash tag ({user1}:a, {user1}:b) or send them separately',
    'CROSSSLOT',
  );
}

