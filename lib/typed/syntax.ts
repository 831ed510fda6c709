/**
 * A command's argument syntax as COMMAND DOCS describes it, and how the typed methods lay it
 * out: which arguments are positional parameters and which go in the options object, under
 * which key. The generator (scripts/gen-methods.ts) and the runtime encoder (./encode.ts) both
 * plan a method here, so the declared signature and what the encoder accepts cannot drift.
 *
 * A node is stored compactly in the generated table (lib/commands/syntax-table.ts) as
 * `[code, name, token?, children?]`. `code` is one letter for the type, then flags:
 *
 * | letter | COMMAND DOCS type | value in a method call                         |
 * |--------|-------------------|------------------------------------------------|
 * | k      | key               | string, Buffer or number                       |
 * | s      | string            | string, Buffer or number                       |
 * | p      | pattern           | string, Buffer or number                       |
 * | i      | integer           | an integer (a number, or a string of one)      |
 * | u      | unix-time         | an integer                                     |
 * | d      | double            | a number, or a string (`'+inf'`, `'(1.5'`)     |
 * | T      | pure-token        | `true` in options; the token itself in a tuple |
 * | o      | oneof             | one of its alternatives (see encode.ts)        |
 * | b      | block             | a tuple of its children                        |
 *
 * flags: `?` optional, `*` multiple, `+` multiple_token (the token before each value).
 */
export type NodeRow = readonly [code: string, name: string, token?: string, children?: readonly NodeRow[]];

/** A node, parsed once from its row. */
export interface SyntaxNode {
  type: string;
  name: string;
  token: string;
  optional: boolean;
  multiple: boolean;
  multipleToken: boolean;
  children: SyntaxNode[];
}

/**
 * How a method takes its arguments.
 * - `positional`: in order; the last may be `rest` (takes every remaining value).
 * - `options`: each under its key (`key`), an exclusive `group` for a flattened oneof.
 * - `loose`: the syntax has a shape the typed layer does not express (e.g. CLIENT KILL's
 *   old/new forms): the method takes the arguments as Redis spells them, unchecked but for arity.
 */
export interface MethodPlan {
  positional: SyntaxNode[];
  /** The last positional node takes all remaining values (it is `multiple`). */
  rest: boolean;
  /** How many positional values a call must pass at least. */
  required: number;
  options: OptionSlot[];
  /** Option key → slot, for the encoder. */
  byKey: Map<string, OptionSlot>;
  /** The syntax in order: a positional node (its index) or the option slots of one node. */
  steps: Step[];
  loose: boolean;
}

/** One step of the syntax, in order. */
export type Step = { at: number; slots: null; bits: 0 } | { at: -1; slots: OptionSlot[]; bits: number };

/** One key of the options object. */
export interface OptionSlot {
  key: string;
  node: SyntaxNode;
  /** Index into `plan.options` of the first slot of its exclusive group, or -1. */
  group: number;
  /** Position in the syntax: options are written in this order. */
  order: number;
  /** `1 << index in plan.options`: a call marks the keys it sets in one number. */
  bit: number;
  /** The bits of its exclusive group (0 when it has none). */
  groupBits: number;
}

/** Keys of the per-call options (lib/pool/command-options.ts) share the options object. */
export const CALL_OPTION_KEYS: ReadonlySet<string> = new Set(['returnBuffers', 'timeout', 'signal']);

export function parseNode(row: NodeRow): SyntaxNode {
  const [code, name, token, children] = row;
  return {
    type: code[0]!,
    name,
    token: token ?? '',
    optional: code.includes('?'),
    multiple: code.includes('*'),
    multipleToken: code.includes('+'),
    children: children === undefined ? [] : children.map(parseNode),
  };
}

/** The options-object key for an optional node: its token, else its name in camelCase. */
export function optionKey(node: SyntaxNode): string {
  return node.token !== '' ? node.token : camel(node.name);
}

/** `'no-evict'` → `'noEvict'`, `'unix-time-seconds'` → `'unixTimeSeconds'`. */
export function camel(name: string): string {
  return name.replace(/[-_ :]+([a-zA-Z0-9])/g, (_, c: string) => c.toUpperCase()).replace(/[^a-zA-Z0-9]/g, '');
}

const SIMPLE = new Set(['k', 's', 'p', 'i', 'u', 'd']);

/** A value node the typed layer can express (every oneof alternative and block child too). */
function expressible(node: SyntaxNode): boolean {
  if (SIMPLE.has(node.type) || node.type === 'T') return true;
  if (node.type === 'b') return node.children.every(expressible);
  if (node.type !== 'o') return false;
  // A oneof is told apart at run time by its value: a pure token's word, an object keyed by a
  // tokened alternative's token, or else its single untokened value alternative.
  let untokened = 0;
  for (const alt of node.children) {
    if (!expressible(alt)) return false;
    if (alt.token === '') untokened++;
    if (alt.optional) return false;
  }
  return untokened <= 1;
}

/**
 * Lays a command's syntax out as a method. Required arguments are positional, in order; so
 * are untokened optional simple arguments after the last required one (SPOP key [count]).
 * Every other optional argument is an options key: its token (`EX`, `NX`, `LIMIT`), or its
 * camelCase name when it has none (BITCOUNT's `index` block). An optional oneof whose
 * alternatives all have tokens (SET's `EX|PX|EXAT|PXAT|KEEPTTL`) gives each alternative its own
 * key, exclusive of the others.
 */
export function planMethod(nodes: readonly SyntaxNode[]): MethodPlan {
  const plan: MethodPlan = {
    positional: [], rest: false, required: 0, options: [], byKey: new Map(), steps: [], loose: false,
  };
  let lastRequired = -1;
  for (let i = 0; i < nodes.length; i++) if (!nodes[i]!.optional) lastRequired = i;
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i]!;
    if (!expressible(node)) plan.loose = true;
    if (!node.optional) {
      if (plan.rest) plan.loose = true; // a required argument after a trailing multiple
      plan.steps.push({ at: plan.positional.length, slots: null, bits: 0 });
      plan.positional.push(node);
      plan.required = plan.positional.length;
      // A last multiple is a rest parameter (DEL key...); one before others takes an array (BLPOP).
      if (node.multiple && i === nodes.length - 1) plan.rest = true;
      continue;
    }
    if (plan.rest && node.token === '' && SIMPLE.has(node.type) && node.multiple && plan.options.length === 0) {
      continue; // EVAL's args after its keys: one rest takes both
    }
    if (i > lastRequired && node.token === '' && SIMPLE.has(node.type) && plan.options.length === 0 && !plan.rest) {
      plan.steps.push({ at: plan.positional.length, slots: null, bits: 0 });
      plan.positional.push(node);
      if (node.multiple) plan.rest = true;
      continue;
    }
    if (node.token === '' && node.type === 'o' && node.children.every((alt) => alt.token !== '')) {
      const group = plan.options.length;
      const slots: OptionSlot[] = [];
      for (const alt of node.children) addOption(plan, alt, group, i, slots);
      const bits = slots.reduce((m, slot) => m | slot.bit, 0);
      for (const slot of slots) slot.groupBits = bits;
      plan.steps.push({ at: -1, slots, bits });
      continue;
    }
    const slots: OptionSlot[] = [];
    addOption(plan, node, -1, i, slots);
    plan.steps.push({ at: -1, slots, bits: slots.reduce((m, slot) => m | slot.bit, 0) });
  }
  // Options after a rest would be ambiguous with it for the ioredis spelling: keep such rare
  // shapes loose.
  if (plan.rest && plan.options.some((slot) => slot.order > lastPositionalOrder(nodes, plan))) plan.loose = true;
  return plan;
}

function lastPositionalOrder(nodes: readonly SyntaxNode[], plan: MethodPlan): number {
  return nodes.indexOf(plan.positional[plan.positional.length - 1]!);
}

function addOption(plan: MethodPlan, node: SyntaxNode, group: number, order: number, slots: OptionSlot[]): void {
  const key = optionKey(node);
  if (plan.byKey.has(key) || CALL_OPTION_KEYS.has(key) || key === '') {
    plan.loose = true;
    return;
  }
  // Keys are marked in a 31-bit number per call: more options than that stay loose (none has
  // more than 8 in Redis 7.0).
  if (plan.options.length >= 31) {
    plan.loose = true;
    return;
  }
  const slot: OptionSlot = { key, node, group, order, bit: 1 << plan.options.length, groupBits: 0 };
  plan.options.push(slot);
  plan.byKey.set(key, slot);
  slots.push(slot);
}

/** Field/value pairs (HSET, MSET, XADD): a plain object of them is accepted too. */
export function pairsNode(node: SyntaxNode): boolean {
  return node.type === 'b' && node.multiple && node.children.length === 2 &&
    'ks'.includes(node.children[0]!.type) && !node.children[1]!.multiple;
}

/** A block of one value (CLIENT LIST's `ID id...`, XINFO STREAM's `FULL [COUNT n]`) takes that value, not a tuple. */
export function singleChild(node: SyntaxNode): boolean {
  return node.type === 'b' && node.children.length === 1 && !(node.children[0]!.type === 'T' && !node.children[0]!.optional);
}
