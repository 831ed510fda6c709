/**
 * The common calls of a typed method, encoded without walking its plan: for a method whose
 * positional arguments are all required single values (SET key value, EXPIRE key seconds,
 * HGET key field, INCRBY key increment...), a call that passes them as strings or numbers and
 * then either an options object of tokens (`set(k, v, { EX: 60 })`) or more strings and
 * numbers in Redis order (`set(k, v, 'EX', 60)`).
 *
 * The shape is worked out once per method at load time ({@link shapeOf}); a call allocates
 * nothing beyond its command array. Anything else (Buffers, arrays, per-call options, a wrong
 * type or count, undefined) returns null and the method takes the general way (./encode.ts),
 * which encodes it or throws its ArgumentError: so a fast call and a general call of the same
 * arguments give the same array (test/typed/fast-encode.test.ts checks it, spelling by spelling).
 */
import type { Arg } from '../resp/types.js';
import { put, type MethodSpec } from './encode.js';
import type { OptionSlot, SyntaxNode } from './syntax.js';

/** What the fast encoders need of a method. */
export interface Shape {
  spec: MethodSpec;
  /** `spec.words[0]`, and the second word or '' (CLIENT LIST). */
  word: string;
  subword: string;
  /** The positional nodes: required, untokened, single values. */
  positional: readonly SyntaxNode[];
  /** Every option slot in syntax order (the order they are written in). */
  slots: readonly OptionSlot[];
  /** Per slot: a token then one checked value (EX 60), a pure token (NX), or anything else (put()). */
  kinds: readonly SlotKind[];
  /** Option key → slot, without a prototype (a key such as 'toString' is unknown, not inherited). */
  byKey: Record<string, OptionSlot | undefined>;
}

const enum SlotKind {
  Value = 0,
  Token = 1,
  Other = 2,
}

/** Value node types: key, string, pattern, integer, unix-time, double. */
const VALUE_TYPES = 'kspiud';

/** The method's shape, or null when its calls always take the general way. */
export function shapeOf(spec: MethodSpec): Shape | null {
  const plan = spec.plan;
  if (plan.loose || plan.rest || spec.words.length > 2) return null;
  if (plan.required !== plan.positional.length || plan.positional.length > 3) return null;
  for (const node of plan.positional) {
    if (node.optional || node.multiple || node.token !== '' || !VALUE_TYPES.includes(node.type)) return null;
  }
  // The positional values are written first: no option may come before one (XADD's id).
  let options = false;
  for (const step of plan.steps) {
    if (step.slots !== null) options = true;
    else if (options) return null;
  }
  const slots: OptionSlot[] = [];
  for (const step of plan.steps) if (step.slots !== null) slots.push(...step.slots);
  const kinds = slots.map((slot): SlotKind => {
    const node = slot.node;
    if (node.multiple) return SlotKind.Other;
    if (node.type === 'T') return SlotKind.Token;
    return node.token !== '' && VALUE_TYPES.includes(node.type) ? SlotKind.Value : SlotKind.Other;
  });
  const byKey = Object.create(null) as Record<string, OptionSlot | undefined>;
  for (const slot of slots) byKey[slot.key] = slot;
  return {
    spec, word: spec.words[0]!, subword: spec.words[1] ?? '', positional: plan.positional, slots, kinds, byKey,
  };
}

/** The command's words, then the positional values; null if one is not a plain checked value. */
function head(shape: Shape, count: number, a: unknown, b: unknown, c: unknown): Arg[] | null {
  const command: Arg[] = shape.subword === '' ? [shape.word] : [shape.word, shape.subword];
  const positional = shape.positional;
  if (count > 0) {
    const x = value(positional[0]!, a);
    if (x === null) return null;
    command.push(x);
  }
  if (count > 1) {
    const x = value(positional[1]!, b);
    if (x === null) return null;
    command.push(x);
  }
  if (count > 2) {
    const x = value(positional[2]!, c);
    if (x === null) return null;
    command.push(x);
  }
  return command;
}

/**
 * `method(a, b, c, options)` with the positional arguments first: null for unknown keys
 * (per-call options among them), two of one exclusive group, values not plainly right, or a
 * count that breaks the command's arity.
 */
export function withOptions(shape: Shape, a: unknown, b: unknown, c: unknown, options: Record<string, unknown>): Arg[] | null {
  const byKey = shape.byKey;
  let set = 0;
  for (const key in options) {
    const slot = byKey[key];
    if (slot === undefined) return null;
    const v = options[key];
    if (v === undefined || v === false) continue;
    if ((set & slot.groupBits) !== 0) return null;
    set |= slot.bit;
  }
  const command = head(shape, shape.positional.length, a, b, c);
  if (command === null) return null;
  const slots = shape.slots;
  const kinds = shape.kinds;
  for (let i = 0; i < slots.length; i++) {
    const slot = slots[i]!;
    if ((set & slot.bit) === 0) continue;
    const v = options[slot.key];
    switch (kinds[i]) {
      case SlotKind.Token:
        if (v !== true) return null;
        command.push(slot.node.token);
        break;
      case SlotKind.Value: {
        const x = value(slot.node, v);
        if (x === null) return null;
        command.push(slot.node.token, x);
        break;
      }
      default:
        // Blocks, choices, lists: the general writer. What it refuses, the general way refuses
        // too, as a rejected promise (a method never throws).
        try {
          put(shape.spec, slot.node, v, command, true);
        } catch {
          return null;
        }
    }
  }
  return fitsArity(shape, command) ? command : null;
}

/**
 * `method(a, b, c, d, e, f)` in Redis order, `count` of them given: the positional values
 * checked, the rest strings or finite numbers sent as given; null otherwise, or when the count
 * breaks the command's arity.
 */
export function redisOrder(
  shape: Shape, count: number, a: unknown, b: unknown, c: unknown, d: unknown, e: unknown, f: unknown,
): Arg[] | null {
  const p = shape.positional.length;
  if (count < p) return null;
  const command = head(shape, p, a, b, c);
  if (command === null) return null;
  for (let i = p; i < count; i++) {
    const x = i === 0 ? a : i === 1 ? b : i === 2 ? c : i === 3 ? d : i === 4 ? e : f;
    if (typeof x === 'string' || (typeof x === 'number' && Number.isFinite(x))) command.push(x);
    else return null;
  }
  return fitsArity(shape, command) ? command : null;
}

/** COMMAND INFO's arity (negative: at least); the general way throws the error when it does not fit. */
function fitsArity(shape: Shape, command: Arg[]): boolean {
  const arity = shape.spec.arity;
  return arity >= 0 ? command.length === arity : command.length >= -arity;
}

/** A string or number the node's type takes as it is; null for anything else (Buffers too). */
function value(node: SyntaxNode, x: unknown): Arg | null {
  const type = node.type;
  if (typeof x === 'string') {
    if (type === 'i' || type === 'u') return null;
    return type === 'd' && x.length === 0 ? null : x;
  }
  if (typeof x === 'number') {
    return (type === 'i' || type === 'u' ? Number.isInteger(x) : Number.isFinite(x)) ? x : null;
  }
  return null;
}

/** A plain object literal (the options object): not an array, Buffer, class instance or null. */
export function isOptionsObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && Object.getPrototypeOf(x) === Object.prototype;
}
