/**
 * The common calls of a typed method, encoded without walking its plan: for a method whose
 * positional arguments are all required single values (SET key value, EXPIRE key seconds,
 * HGET key field, INCRBY key increment...), a call that passes them as strings or numbers and
 * then either an options object of tokens (`set(k, v, { EX: 60 })`) or more strings and
 * numbers in Redis order (`set(k, v, 'EX', 60)`).
 *
 * The shape is worked out once per method at load time ({@link shapeOf}), and the layout of
 * an options object once per sequence of keys ({@link Layout}); a call allocates nothing
 * beyond its command array. Anything else (Buffers, arrays, per-call options, a wrong
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
  /**
   * The layouts of the first options objects encoded ({@link Layout}); at most
   * {@link LAYOUTS}, then replaced in turn, {@link MAX_REPLACED} times at most.
   */
  layouts: Layout[];
  /** How many layouts were replaced. */
  replaced: number;
}

/**
 * Where each key of one options object goes in the command, worked out by the two-pass way
 * once for a sequence of keys (the caller's, in their order) and reused for every object with
 * the same keys in the same order: one literal written in one place has the same keys every
 * call. A call on a layout reads each key once and writes its token and value straight to
 * their places: no search among the shape's keys, no scratch, no second pass. Kept only for
 * objects whose keys are all set (none undefined or false) to a token or one value; anything
 * else, and any key out of step, goes the two-pass way.
 */
interface Layout {
  /** The caller's keys in the order `for...in` gives them. */
  keys: readonly string[];
  /** Per key: the command index of its token (its value, if any, follows). */
  at: readonly number[];
  /** Per key: its token. */
  tokens: readonly string[];
  /** Per key: -1 for a pure token (the value must be `true`), else the value's {@link ValueKind}. */
  kinds: readonly number[];
  /** The command's length. */
  length: number;
}

/** Layouts kept per shape: enough for the few literals a program writes for one method. */
const LAYOUTS = 4;
/**
 * Replacements of a full set of layouts allowed, after which the set stays as it is: a method
 * fed more literals in turn than it keeps would otherwise learn a layout on most calls.
 */
const MAX_REPLACED = 64;

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
    layouts: [], replaced: 0,
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
 * An object whose keys, in their order, were seen before is written by their {@link Layout}
 * ({@link byLayout}); any other takes two passes ({@link twoPass}), which learn its layout.
 */
export function withOptions(shape: Shape, a: unknown, b: unknown, c: unknown, options: Record<string, unknown>): Arg[] | null {
  if (shape.layouts.length !== 0) {
    const command = byLayout(shape, a, b, c, options);
    if (command !== null) return command;
  }
  return twoPass(shape, a, b, c, options);
}

/**
 * withOptions by a known {@link Layout}; null when no layout has the object's keys. One walk
 * over the keys: each is compared with the layout chosen so far, and its token and value are
 * written straight to their places (the first key's once the second key, or the end, has
 * settled the layout: `{ EX }` and `{ EX, NX }` start alike). A later key out of step moves
 * what was written to another layout with the same keys so far, if there is one (two literals
 * whose first two keys are alike). A call declined here reads the object again on the two-pass way
 * (getters run again, as on the general way).
 */
function byLayout(shape: Shape, a: unknown, b: unknown, c: unknown, options: Record<string, unknown>): Arg[] | null {
  const layouts = shape.layouts;
  let layout: Layout | null = layouts.length === 1 ? layouts[0]! : null;
  let command: Arg[] | null = null;
  let first: unknown;
  let j = 0;
  for (const key in options) {
    if (layout === null || j === layout.keys.length || layout.keys[j] !== key) {
      const next = sameStart(layouts, layout, j, key);
      if (next === null) return null;
      if (command !== null) command = moveTo(shape, layout!, next, j, command);
      layout = next;
    }
    const v = options[key];
    if (j === 0) {
      // Held until the second key (or the end) settles the layout: {EX} and {EX, NX} start alike.
      first = v;
      j = 1;
      continue;
    }
    if (command === null) {
      command = new Array<Arg>(layout.length);
      if (head(shape, command, shape.positional.length, a, b, c) < 0 || !write(layout, command, 0, first)) return null;
    }
    if (!write(layout, command, j, v)) return null;
    j++;
  }
  if (layout === null) return null;
  if (j !== layout.keys.length) {
    const next = sameStart(layouts, layout, j, null);
    if (next === null) return null;
    if (command !== null) command = moveTo(shape, layout, next, j, command);
    layout = next;
  }
  if (command === null) {
    command = new Array<Arg>(layout.length);
    if (head(shape, command, shape.positional.length, a, b, c) < 0 || !write(layout, command, 0, first)) return null;
  }
  return command;
}

/** Writes the layout's key `j` (its token, and its value if it takes one); false if the value is refused. */
function write(layout: Layout, command: Arg[], j: number, v: unknown): boolean {
  const kind = layout.kinds[j]!;
  const at = layout.at[j]!;
  if (kind < 0) {
    if (v !== true) return false;
    command[at] = layout.tokens[j]!;
    return true;
  }
  const x = value(kind, v);
  if (x === null) return false;
  command[at] = layout.tokens[j]!;
  command[at + 1] = x;
  return true;
}

/** The command written so far on `from` (its first `j` keys), laid out on `to` instead. */
function moveTo(shape: Shape, from: Layout, to: Layout, j: number, command: readonly Arg[]): Arg[] {
  const moved = new Array<Arg>(to.length);
  const start = shape.words + shape.positional.length;
  for (let i = 0; i < start; i++) moved[i] = command[i]!;
  for (let m = 0; m < j; m++) {
    moved[to.at[m]!] = command[from.at[m]!]!;
    if (to.kinds[m]! >= 0) moved[to.at[m]! + 1] = command[from.at[m]! + 1]!;
  }
  return moved;
}

/**
 * A layout whose first `j` keys are those of `prefix` (any, when j is 0) and whose next key
 * is `key`, or which ends there when `key` is null; null if none.
 */
function sameStart(layouts: readonly Layout[], prefix: Layout | null, j: number, key: string | null): Layout | null {
  for (let i = 0; i < layouts.length; i++) {
    const keys = layouts[i]!.keys;
    if (key === null ? keys.length !== j : keys.length <= j || keys[j] !== key) continue;
    let m = 0;
    while (m < j && keys[m] === prefix!.keys[m]) m++;
    if (m === j) return layouts[i]!;
  }
  return null;
}

/**
 * Remembers where the two-pass way put each key of `options` (the slots in `set`, every key
 * set to a token or one value, written in syntax order after the positional values), for the
 * next object with the same keys in the same order.
 */
function learnLayout(shape: Shape, options: Record<string, unknown>, set: number, length: number): void {
  if (shape.layouts.length === LAYOUTS && shape.replaced >= MAX_REPLACED) return;
  const keys: string[] = [];
  const at: number[] = [];
  const tokens: string[] = [];
  const kinds: number[] = [];
  for (const key in options) {
    const i = shape.keys.indexOf(key);
    if (i < 0 || (set & (1 << i)) === 0) return;
    // Its place: after the words, the positional values and the set slots before it.
    let place = shape.words + shape.positional.length;
    for (let before = set & ((1 << i) - 1); before !== 0; before &= before - 1) {
      place += shape.widths[31 - Math.clz32(before & -before)]!;
    }
    keys.push(key);
    at.push(place);
    tokens.push(shape.slots[i]!.node.token);
    kinds.push(shape.kinds[i] === SlotKind.Token ? -1 : shape.valueKinds[i]!);
  }
  if (keys.length === 0) return;
  const layout: Layout = { keys, at, tokens, kinds, length };
  const layouts = shape.layouts;
  if (layouts.length < LAYOUTS) layouts.push(layout);
  else if (shape.replaced < MAX_REPLACED) layouts[shape.replaced++ % LAYOUTS] = layout;
}

/**
 * withOptions without a layout. Two passes: the first walks the caller's keys (usually one to
 * three), finds each among the shape's keys by comparison (property names are interned, so a
 * compare is a pointer compare; cheaper than a dictionary lookup) and keeps its value in the
 * shape's scratch `values`; the second writes the set slots in syntax order, visiting only
 * their bits. Reading a key can run the caller's code (a getter, a Proxy): if that code called
 * this encoder for the same shape, `calls` moved and the scratch may hold its values, so the
 * call goes the general way, which reads the object again. A call that succeeds with every key
 * set to a token or one value leaves its layout for the next object with the same keys.
 */
function twoPass(shape: Shape, a: unknown, b: unknown, c: unknown, options: Record<string, unknown>): Arg[] | null {
  const keys = shape.keys;
  const count = keys.length;
  const groupBits = shape.groupBits;
  const widths = shape.widths;
  const values = shape.values;
  const call = ++shape.calls;
  let set = 0;
  let width = 0;
  let skipped = false;
  for (const key in options) {
    let i = 0;
    while (i < count && keys[i] !== key) i++;
    if (i === count) return clear(values, set);
    const v = options[key];
    if (v === undefined || v === false) {
      skipped = true;
      continue;
    }
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
  if (!skipped) learnLayout(shape, options, set, length);
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
