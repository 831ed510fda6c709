/**
 * Turns a typed method call into a command array, checking it against the command's syntax
 * (./syntax.ts) before anything is sent. Two spellings:
 *
 * - **Redis order** (no options object): the arguments are appended as given, arrays and, for
 *   commands with field/value pairs, plain objects flattened: `set(k, v, 'EX', 60)`,
 *   `del('a', 'b')`, `hset(k, { f: 'v' })`, `zadd(k, 1, 'a')`. This is the ioredis spelling.
 *   Leading required arguments are type-checked and the count is checked against the
 *   command's arity; the order of the rest is the server's to judge.
 * - **Options object** (a plain object after at least the required positional arguments):
 *   positional arguments in order, every optional argument under its key, written where the
 *   syntax puts it: `set(k, v, { EX: 60, NX: true })` → `SET k v NX EX 60`. Every value is
 *   checked; unknown keys and two keys of one exclusive choice are refused.
 *
 * `undefined`: a trailing `undefined` argument is dropped (an optional parameter left out); an
 * options key set to `undefined` counts as absent; any other `undefined` is an ArgumentError.
 *
 * Per-call options (`timeout`, `signal`, `returnBuffers`) ride in the same object: they are
 * lower-case, tokens are upper-case. The encoder leaves them in {@link callOptions} (one call
 * at a time: JavaScript is single-threaded and the method reads it at once), so a call
 * allocates nothing but its command array (and a small options object when it mixes both).
 */
import { ArgumentError } from '../errors.js';
import type { CommandOptions } from '../pool/command-options.js';
import type { Arg } from '../resp/types.js';
import { CALL_OPTION_KEYS, singleChild, type MethodPlan, type SyntaxNode } from './syntax.js';

/** What a method needs to encode its calls. */
export interface MethodSpec {
  /** `'set'`, `'clientList'`: for messages. */
  method: string;
  /** `['SET']`, `['CLIENT', 'LIST']`. */
  words: readonly string[];
  /** COMMAND INFO arity, counting the words (negative: at least that many). */
  arity: number;
  plan: MethodPlan;
  /** The plan has a multiple block (field value pairs): a plain object is a record of them. */
  records: boolean;
}

/** The per-call options of the last {@link encodeCall}; read it right after. */
export let callOptions: CommandOptions | undefined;

/** The command array for a call; throws ArgumentError, having sent nothing. */
export function encodeCall(spec: MethodSpec, args: IArguments | readonly unknown[]): Arg[] {
  let n = args.length;
  while (n > 0 && args[n - 1] === undefined) n--;
  callOptions = undefined;
  const words = spec.words;
  const command: Arg[] = words.length === 1 ? [words[0]!] : [words[0]!, words[1]!];
  const plan = spec.plan;
  const last = n > 0 ? args[n - 1] : undefined;
  if (n - 1 >= plan.required && isPlainObject(last)) {
    if (plan.loose) {
      // Only per-call options for a loose method.
      takeCallOptions(spec, last as Record<string, unknown>);
      appendAll(spec, command, args, n - 1);
    } else {
      encodeWithOptions(spec, command, args, n - 1, last as Record<string, unknown>);
    }
  } else {
    appendAll(spec, command, args, n);
  }
  const arity = spec.arity;
  if (arity >= 0 ? command.length !== arity : command.length < -arity) {
    throw new ArgumentError(
      `${spec.method}: wrong number of arguments for ${words.join(' ')} ` +
        `(${command.length - words.length} given, ${arity >= 0 ? '' : 'at least '}${Math.abs(arity) - words.length} expected)`,
    );
  }
  return command;
}

// ── Redis order ─────────────────────────────────────────────────────────────────────────

function appendAll(spec: MethodSpec, command: Arg[], args: IArguments | readonly unknown[], n: number): void {
  const positional = spec.plan.positional;
  // Leading positional arguments are checked one by one until one is spelled in Redis order.
  let checked = spec.plan.loose ? 0 : positional.length;
  for (let i = 0; i < n; i++) {
    const value = args[i];
    if (i < checked) {
      const node = positional[i]!;
      if (!node.multiple && (node.type === 'b' || node.type === 'o' || node.token !== '') &&
        (Array.isArray(value) || isPlainObject(value))) {
        // XREAD's streams as [keys, ids]: written with its token (STREAMS), like the options form.
        put(spec, node, value, command, true);
        continue;
      }
      if (node.multiple || node.type === 'o' || node.type === 'b' || node.token !== '' || Array.isArray(value)) checked = i;
      else {
        command.push(simple(spec, node, value));
        continue;
      }
    }
    flatten(spec, command, value, i);
  }
}

function flatten(spec: MethodSpec, command: Arg[], value: unknown, at: number): void {
  switch (typeof value) {
    case 'string':
      command.push(value);
      return;
    case 'number':
      if (Number.isFinite(value)) {
        command.push(value);
        return;
      }
      break;
    case 'object':
      if (value === null) break;
      if (Buffer.isBuffer(value)) {
        command.push(value);
        return;
      }
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) flatten(spec, command, value[i], at);
        return;
      }
      if (spec.records && isPlainObject(value)) {
        for (const key in value) {
          command.push(key);
          flatten(spec, command, (value as Record<string, unknown>)[key], at);
        }
        return;
      }
      break;
  }
  throw new ArgumentError(`${spec.method}: argument ${at + 1} is ${describe(value)}; expected a string, Buffer or number`);
}

// ── options object ──────────────────────────────────────────────────────────────────────

function encodeWithOptions(
  spec: MethodSpec, command: Arg[], args: IArguments | readonly unknown[], n: number, options: Record<string, unknown>,
): void {
  const plan = spec.plan;
  if (n > plan.positional.length && !plan.rest) {
    throw new ArgumentError(`${spec.method}: ${n} positional arguments given, at most ${plan.positional.length} expected`);
  }
  // One pass over the keys the caller set (usually one to three), not over every option.
  const set = markOptions(spec, options);
  const steps = plan.steps;
  for (let s = 0; s < steps.length; s++) {
    const step = steps[s]!;
    if (step.slots === null) {
      const node = plan.positional[step.at]!;
      if (plan.rest && step.at === plan.positional.length - 1) {
        for (let i = step.at; i < n; i++) {
          const value = args[i];
          // zadd(k, 1, 'a', { NX: true }): pairs spelled flat, in Redis order.
          if (node.type === 'b' && !Array.isArray(value) && !isPlainObject(value)) flatten(spec, command, value, i);
          else put(spec, node, value, command, i === step.at);
        }
        if (n <= step.at && !node.optional) throw missing(spec, node);
      } else if (step.at < n) {
        if (args[step.at] === undefined) {
          if (!node.optional) throw missing(spec, node);
        } else put(spec, node, args[step.at], command, true);
      } else if (!node.optional) throw missing(spec, node);
      continue;
    }
    if ((set & step.bits) === 0) continue;
    const slots = step.slots;
    for (let i = 0; i < slots.length; i++) {
      const slot = slots[i]!;
      if ((set & slot.bit) !== 0) put(spec, slot.node, options[slot.key], command, true);
    }
  }
}

/**
 * The bits of the option keys set (undefined and false count as absent); refuses unknown keys
 * and two keys of one exclusive group. Leaves per-call options in {@link callOptions}.
 */
function markOptions(spec: MethodSpec, options: Record<string, unknown>): number {
  const byKey = spec.plan.byKey;
  let set = 0;
  let calls = 0;
  let tokens = 0;
  for (const key in options) {
    const slot = byKey.get(key);
    if (slot === undefined) {
      if (CALL_OPTION_KEYS.has(key)) {
        calls++;
        continue;
      }
      throw unknownOption(spec, key);
    }
    tokens++;
    const value = options[key];
    if (value === undefined || value === false) continue;
    if ((set & slot.groupBits) !== 0) {
      const other = spec.plan.options.find((o) => (set & o.bit) !== 0 && (o.groupBits & slot.bit) !== 0)!;
      throw new ArgumentError(`${spec.method}: options ${other.key} and ${slot.key} exclude each other`);
    }
    set |= slot.bit;
  }
  if (calls > 0) callOptions = tokens === 0 ? options as CommandOptions : pickCallOptions(options);
  return set;
}

/** Only per-call options (for a loose method: its tokens are in the arguments). */
function takeCallOptions(spec: MethodSpec, options: Record<string, unknown>): void {
  for (const key in options) if (!CALL_OPTION_KEYS.has(key)) throw unknownOption(spec, key);
  callOptions = options as CommandOptions;
}

function pickCallOptions(options: Record<string, unknown>): CommandOptions {
  const out: CommandOptions = {};
  if (options.returnBuffers !== undefined) out.returnBuffers = options.returnBuffers as boolean;
  if (options.timeout !== undefined) out.timeout = options.timeout as number;
  if (options.signal !== undefined) out.signal = options.signal as AbortSignal;
  return out;
}

function unknownOption(spec: MethodSpec, key: string): ArgumentError {
  const known = [...spec.plan.byKey.keys(), ...CALL_OPTION_KEYS];
  return new ArgumentError(`${spec.method}: unknown option '${key}' (known: ${known.join(', ')})`);
}

/** Writes one node's value: its token (when it has one), then the value. */
export function put(spec: MethodSpec, node: SyntaxNode, value: unknown, command: Arg[], first: boolean): void {
  if (node.type === 'T') {
    if (value !== true && !isWord(value, node.token)) throw wrong(spec, node, value, `true`);
    command.push(node.token);
    return;
  }
  if (node.multiple) {
    if (Array.isArray(value)) {
      if (value.length === 0 && !node.optional) throw wrong(spec, node, value, 'at least one value');
      for (let i = 0; i < value.length; i++) {
        if (node.token !== '' && (node.multipleToken || (first && i === 0))) command.push(node.token);
        one(spec, node, value[i], command);
      }
      return;
    }
    if (node.type === 'b' && isPlainObject(value) && node.children.length === 2) {
      let i = 0;
      for (const key in value) {
        if (node.token !== '' && (node.multipleToken || (first && i === 0))) command.push(node.token);
        command.push(key);
        one(spec, node.children[1]!, (value as Record<string, unknown>)[key], command);
        i++;
      }
      return;
    }
  }
  if (node.token !== '' && (first || node.multipleToken)) command.push(node.token);
  one(spec, node, value, command);
}

/** One value of a node (no token). */
function one(spec: MethodSpec, node: SyntaxNode, value: unknown, command: Arg[]): void {
  switch (node.type) {
    case 'b':
      block(spec, node, value, command);
      return;
    case 'o':
      oneOf(spec, node, value, command);
      return;
    case 'T':
      if (value !== true && !isWord(value, node.token)) throw wrong(spec, node, value, `'${node.token}'`);
      command.push(node.token);
      return;
    default:
      command.push(simple(spec, node, value));
  }
}

function block(spec: MethodSpec, node: SyntaxNode, value: unknown, command: Arg[]): void {
  if (singleChild(node)) {
    // `{ ID: [1, 2] }`, `{ FULL: true }`, `{ FULL: 10 }` rather than one-element tuples.
    const child = node.children[0]!;
    if (value === true && child.optional) return;
    put(spec, child, value, command, true);
    return;
  }
  if (!Array.isArray(value)) throw wrong(spec, node, value, `a tuple [${tupleNames(node)}]`);
  let j = 0;
  const children = node.children;
  for (let c = 0; c < children.length; c++) {
    const child = children[c]!;
    if (child.type === 'T' && !child.optional) {
      command.push(child.token);
      continue;
    }
    const item = value[j];
    if (item === undefined) {
      j++;
      if (!child.optional) throw missing(spec, child);
      continue;
    }
    // An optional choice of words (XADD's `=`|`~`) left out: the value is the next child's.
    if (child.optional && !fitsWord(child, item)) continue;
    j++;
    put(spec, child, item, command, true);
  }
  if (j < value.length) throw wrong(spec, node, value, `a tuple [${tupleNames(node)}]`);
}

function oneOf(spec: MethodSpec, node: SyntaxNode, value: unknown, command: Arg[]): void {
  const alts = node.children;
  if (typeof value === 'string' || Buffer.isBuffer(value)) {
    for (let i = 0; i < alts.length; i++) {
      const alt = alts[i]!;
      if (alt.type === 'T' && isWord(value, alt.token)) {
        command.push(alt.token);
        return;
      }
    }
  }
  if (isPlainObject(value)) {
    let key: string | undefined;
    for (const k in value) {
      if (key !== undefined) throw wrong(spec, node, value, 'an object with one key');
      key = k;
    }
    for (let i = 0; i < alts.length; i++) {
      const alt = alts[i]!;
      if (alt.type !== 'T' && alt.token !== '' && alt.token === key) {
        put(spec, alt, (value as Record<string, unknown>)[key], command, true);
        return;
      }
    }
  }
  for (let i = 0; i < alts.length; i++) {
    const alt = alts[i]!;
    if (alt.token === '') {
      put(spec, alt, value, command, true);
      return;
    }
  }
  throw wrong(spec, node, value, choices(node));
}

/** A string, Buffer or number, checked against its type: integer, unix-time, double. */
function simple(spec: MethodSpec, node: SyntaxNode, value: unknown): Arg {
  switch (typeof value) {
    case 'number':
      if (node.type === 'i' || node.type === 'u' ? Number.isInteger(value) : Number.isFinite(value)) return value;
      break;
    case 'string':
      // Numbers as text pass: ioredis code sends them; the server parses them anyway.
      if (node.type === 'i' || node.type === 'u') {
        if (/^-?\d+$/.test(value)) return value;
        break;
      }
      if (node.type === 'd' && value.length === 0) break;
      return value;
    case 'object':
      if (Buffer.isBuffer(value) && node.type !== 'i' && node.type !== 'u') return value;
      break;
  }
  const expected = node.type === 'i' || node.type === 'u' ? 'an integer'
    : node.type === 'd' ? 'a number (or a string such as \'+inf\' or \'(1.5\')' : 'a string, Buffer or number';
  throw wrong(spec, node, value, expected);
}

// ── helpers ─────────────────────────────────────────────────────────────────────────────

function fitsWord(node: SyntaxNode, value: unknown): boolean {
  if (node.type === 'T') return value === true || isWord(value, node.token);
  if (node.type !== 'o') return true;
  if (node.children.some((alt) => alt.type !== 'T')) return true;
  return node.children.some((alt) => isWord(value, alt.token));
}

function isWord(value: unknown, word: string): boolean {
  if (typeof value === 'string') return value.length === word.length && value.toUpperCase() === word;
  return Buffer.isBuffer(value) && value.length === word.length && value.toString('latin1').toUpperCase() === word;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || Buffer.isBuffer(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

function tupleNames(node: SyntaxNode): string {
  return node.children.filter((c) => c.type !== 'T' || c.optional).map((c) => c.name + (c.optional ? '?' : '')).join(', ');
}

function choices(node: SyntaxNode): string {
  return node.children.map((alt) => (alt.type === 'T' ? `'${alt.token}'` : alt.token !== '' ? `{ ${alt.token}: ... }` : alt.name)).join(' | ');
}

function missing(spec: MethodSpec, node: SyntaxNode): ArgumentError {
  return new ArgumentError(`${spec.method}: argument '${node.name}' is missing`);
}

/** Names the argument and the value's type, never the value (it may be a secret). */
function wrong(spec: MethodSpec, node: SyntaxNode, value: unknown, expected: string): ArgumentError {
  const what = node.token !== '' ? node.token : `'${node.name}'`;
  return new ArgumentError(`${spec.method}: ${what} must be ${expected} (got ${describe(value)})`);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (Buffer.isBuffer(value)) return 'a Buffer';
  if (typeof value === 'number') return Number.isFinite(value) ? (Number.isInteger(value) ? 'an integer' : 'a fraction') : String(value);
  if (typeof value === 'string') return value.length === 0 ? 'an empty string' : 'a string';
  return typeof value === 'object' ? 'an object' : typeof value;
}
