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
  /** `slots[i].key`: a key is found by comparing it with these (interned strings: pointer compares). */
  keys: readonly string[];
  /** `slots[i].groupBits`: the slots a set slot excludes (its own bit included). */
  groupBits: readonly number[];
  /**
   * Scratch: the value of each slot a call sets, kept from the pass over the caller's keys to
   * the pass that writes them in syntax order (one call at a time; see {@link withOptions}).
   */
  values: unknown[];
  /** Counts the calls of withOptions on this shape, to tell when one ran inside another. */
  calls: number;
  /** Per slot, how many arguments it writes when set: 2 (EX 60), 1 (NX), or -1 (put() decides). */
  widths: readonly number[];
  /** `spec.words.length`: 1, or 2 for a subcommand. */
  words: number;
  /** Per positional node, then per slot: what its values may be ({@link ValueKind}). */
  positionalKinds: readonly ValueKind[];
  valueKinds: readonly ValueKind[];
}

/** What a value node takes as it is: any string or number, an integer, or a number or non-empty string. */
const enum ValueKind {
  Text = 0,
  Integer = 1,
  Double = 2,
}

function valueKind(node: SyntaxNode): ValueKind {
  return node.type === 'i' || node.type === 'u' ? ValueKind.Integer : node.type === 'd' ? ValueKind.Double : ValueKind.Text;
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
  // A slot's bit is its place among the options (planMethod), which is its place here: slots
  // are listed in syntax order, and so are the options.
  if (!slots.every((slot, i) => slot.bit === 1 << i)) return null;
  return {
    spec, word: spec.words[0]!, subword: spec.words[1] ?? '', positional: plan.positional, slots, kinds,
    keys: slots.map((slot) => slot.key), groupBits: slots.map((slot) => slot.groupBits | slot.bit),
    values: slots.map(() => undefined), calls: 0,
    widths: kinds.map((kind) => (kind === SlotKind.Token ? 1 : kind === SlotKind.Value ? 2 : -1)),
    words: spec.words.length,
    positionalKinds: plan.positional.map(valueKind), valueKinds: slots.map((slot) => valueKind(slot.node)),
  };
}

/**
 * Writes the command's words, then the positional values, at the start of `command`; the count
 * written, or -1 if a value is not a plain checked one.
 *
 * The fast encoders make each array at its final length (`new Array(n)`, then filled): growing
 * one by push() past its first words reallocates it, which measured about 20-40 ns per call
 * here, more than all the checks together.
 */
function head(shape: Shape, command: Arg[], count: number, a: unknown, b: unknown, c: unknown): number {
  let at = 0;
  command[at++] = shape.word;
  if (shape.subword !== '') command[at++] = shape.subword;
  const kinds = shape.positionalKinds;
  if (count > 0) {
    const x = value(kinds[0]!, a);
    if (x === null) return -1;
    command[at++] = x;
  }
  if (count > 1) {
    const x = value(kinds[1]!, b);
    if (x === null) return -1;
    command[at++] = x;
  }
  if (count > 2) {
    const x = value(kinds[2]!, c);
    if (x === null) return -1;
    command[at++] = x;
  }
  return at;
}

/**
 * `method(a, b, c, options)` with the positional arguments first: null for unknown keys
 * (per-call options among them), two of one exclusive group, values not plainly right, or a
 * count that breaks the command's arity.
 *
 * Two passes. The first walks the caller's keys (usually one to three), finds each among the
 * shape's keys by comparison (property names are interned, so a compare is a pointer compare;
 * cheaper than a dictionary lookup) and keeps its value in the shape's scratch `values`; the
 * second writes the set slots in syntax order, visiting only their bits. Reading a key can run
 * the caller's code (a getter, a Proxy): if that code called this encoder for the same shape,
 * `calls` moved and the scratch may hold its values, so the call goes the general way, which
 * reads the object again.
 */
export function withOptions(shape: Shape, a: unknown, b: unknown, c: unknown, options: Record<string, unknown>): Arg[] | null {
  const keys = shape.keys;
  const count = keys.length;
  const groupBits = shape.groupBits;
  const widths = shape.widths;
  const values = shape.values;
  const call = ++shape.calls;
  let set = 0;
  let width = 0;
  for (const key in options) {
    let i = 0;
    while (i < count && keys[i] !== key) i++;
    if (i === count) return clear(values, set);
    const v = options[key];
    if (v === undefined || v === false) continue;
    if ((set & groupBits[i]!) !== 0) return clear(values, set);
    set |= 1 << i;
    width = width < 0 || widths[i]! < 0 ? -1 : width + widths[i]!;
    values[i] = v;
  }
  if (shape.calls !== call) return clear(values, set);
  if (width < 0) return withPut(shape, a, b, c, set, call);
  const p = shape.positional.length;
  const length = shape.words + p + width;
  if (!fitsArity(shape, length)) return clear(values, set);
  const command = new Array<Arg>(length);
  let at = head(shape, command, p, a, b, c);
  if (at < 0) return clear(values, set);
  const slots = shape.slots;
  const kinds = shape.kinds;
  for (let rest = set; rest !== 0; rest &= rest - 1) {
    const i = 31 - Math.clz32(rest & -rest);
    const v = values[i];
    values[i] = undefined;
    const node = slots[i]!.node;
    if (kinds[i] === SlotKind.Token) {
      if (v !== true) return clear(values, rest);
      command[at++] = node.token;
    } else {
      const x = value(shape.valueKinds[i]!, v);
      if (x === null) return clear(values, rest);
      command[at++] = node.token;
      command[at++] = x;
    }
  }
  return command;
}

/**
 * withOptions for a call setting a slot put() writes (a block, a choice, a list): its length
 * is known only once written, so the array grows as it is written.
 */
function withPut(shape: Shape, a: unknown, b: unknown, c: unknown, set: number, call: number): Arg[] | null {
  const values = shape.values;
  const p = shape.positional.length;
  const command = new Array<Arg>(shape.words + p);
  if (head(shape, command, p, a, b, c) < 0) return clear(values, set);
  const slots = shape.slots;
  const kinds = shape.kinds;
  for (let rest = set; rest !== 0; rest &= rest - 1) {
    const i = 31 - Math.clz32(rest & -rest);
    const v = values[i];
    values[i] = undefined;
    const node = slots[i]!.node;
    switch (kinds[i]) {
      case SlotKind.Token:
        if (v !== true) return clear(values, rest);
        command.push(node.token);
        break;
      case SlotKind.Value: {
        const x = value(shape.valueKinds[i]!, v);
        if (x === null) return clear(values, rest);
        command.push(node.token, x);
        break;
      }
      default:
        // What put() refuses, the general way refuses too, as a rejected promise (a method
        // never throws).
        try {
          put(shape.spec, node, v, command, true);
        } catch {
          return clear(values, rest);
        }
    }
  }
  // put() reads the caller's arrays and objects: a call it made in between may have taken the
  // scratch values (each call empties what it read, so what was left here would be undefined).
  return shape.calls === call && fitsArity(shape, command.length) ? command : null;
}

/** Drops the scratch values of the slots in `set` (they are the caller's; keep none alive); null. */
function clear(values: unknown[], set: number): null {
  for (let rest = set; rest !== 0; rest &= rest - 1) values[31 - Math.clz32(rest & -rest)] = undefined;
  return null;
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
  const length = shape.words + count;
  if (!fitsArity(shape, length)) return null;
  const command = new Array<Arg>(length);
  let at = head(shape, command, p, a, b, c);
  if (at < 0) return null;
  for (let i = p; i < count; i++) {
    const x = i === 0 ? a : i === 1 ? b : i === 2 ? c : i === 3 ? d : i === 4 ? e : f;
    if (typeof x === 'string' || (typeof x === 'number' && Number.isFinite(x))) command[at++] = x;
    else return null;
  }
  return command;
}

/** COMMAND INFO's arity (negative: at least); the general way throws the error when it does not fit. */
function fitsArity(shape: Shape, length: number): boolean {
  const arity = shape.spec.arity;
  return arity >= 0 ? length === arity : length >= -arity;
}

/** A string or number a node of that kind takes as it is; null for anything else (Buffers too). */
function value(kind: ValueKind, x: unknown): Arg | null {
  if (typeof x === 'string') {
    if (kind === ValueKind.Text) return x;
    return kind === ValueKind.Double && x.length !== 0 ? x : null;
  }
  if (typeof x === 'number') {
    return (kind === ValueKind.Integer ? Number.isInteger(x) : Number.isFinite(x)) ? x : null;
  }
  return null;
}

/**
 * A plain object literal (the options object): not an array, Buffer, class instance or null.
 * Read as `constructor === Object`, a property load the engine answers from the literal's
 * shape, where Object.getPrototypeOf() was a call of its own (about 10 ns of the layer). An
 * own `constructor` key is not an option (withOptions refuses it, and the general way, which
 * checks the prototype, reports it); an object without Object's prototype (Object.create(null))
 * takes the general way.
 */
export function isOptionsObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && (x as { constructor?: unknown }).constructor === Object;
}
