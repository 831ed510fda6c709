/**
 * Puts the typed command methods (`pool.get(k)`, `pool.set(k, v, { EX: 60 })`,
 * `pool.clientList()`) on Pool, Handle, Cluster and ClusterHandle, and the chainable batches
 * (`pool.multi()`, `pool.batch()`). Imported once for its effect by lib/index.ts.
 *
 * Each method is one function made here, at load time, from the generated syntax table: a call
 * encodes its arguments into a command array (./encode.ts) and hands it to the receiver's own
 * `command()`, so routing, cluster slots, caching, tracing and errors are exactly those of
 * `command([...])`. No closure or array per call beyond the command array itself; a `.then`
 * only for the few replies normalised across RESP2/RESP3 (./normalize.ts).
 */
import { Cluster } from '../cluster/cluster.js';
import { ClusterHandle } from '../cluster/handle.js';
import type { Commands } from '../commands/methods.js';
import { METHOD_ROWS } from '../commands/syntax-table.js';
import { Handle } from '../pool/handle.js';
import { Pool } from '../pool/pool.js';
import type { Arg } from '../resp/types.js';
import { Chain, installBatchMethods, type Batch, type Runner, type Sender } from './chain.js';
import { callOptions, encodeCall, type MethodSpec } from './encode.js';
import { NORMALIZE, type Normalizer } from './normalize.js';
import { isOptionsObject, redisOrder, shapeOf, withOptions } from './fast-encode.js';
import { pairsNode, parseNode, planMethod } from './syntax.js';

declare module '../pool/pool.js' {
  interface Pool<B extends boolean = false> extends Commands<B> {
    /** A MULTI ... EXEC transaction built by chaining methods: `pool.multi().incr(k).get(k).exec()`. */
    multi(): Batch<[], never, B>;
    /** A pipeline built by chaining methods: `pool.batch().get(a).get(b).exec()`. */
    batch(): Batch<[], never, B>;
  }
}
declare module '../pool/handle.js' {
  interface Handle<B extends boolean = false> extends Commands<B> {
    /** MULTI ... EXEC on this handle; exec() resolves null when a WATCHed key changed. */
    multi(): Batch<[], null, B>;
    batch(): Batch<[], never, B>;
  }
}
declare module '../cluster/cluster.js' {
  interface Cluster<B extends boolean = false> extends Commands<B> {
    /** MULTI ... EXEC on the node of the commands' slot (all keys in one slot). */
    multi(): Batch<[], never, B>;
    /** A pipeline, split by node and answered in order. */
    batch(): Batch<[], never, B>;
  }
}
declare module '../cluster/handle.js' {
  interface ClusterHandle<B extends boolean = false> extends Commands<B> {
    multi(): Batch<[], null, B>;
    batch(): Batch<[], never, B>;
  }
}

/** Every method's spec, by name (also for the batches). */
export const METHOD_SPECS: ReadonlyMap<string, MethodSpec> = buildSpecs();

function buildSpecs(): Map<string, MethodSpec> {
  const specs = new Map<string, MethodSpec>();
  for (const [method, words, arity, rows] of METHOD_ROWS) {
    const nodes = rows.map(parseNode);
    const plan = planMethod(nodes);
    specs.set(method, { method, words: words.split(' '), arity, plan, records: nodes.some(pairsNode) });
  }
  return specs;
}

/**
 * For a command of one word and one or two required text arguments (GET k, HGET h f, ...), a
 * call with exactly that many strings builds its array at once: what encodeCall would build, and
 * checks, for them, without its walk over the plan (about 15% of a GET's CPU). Anything else
 * (Buffers, numbers, options, a wrong count) goes the general way. Other common shapes (SET k v
 * with options or in Redis order) have their own fast encoders (./fast-encode.ts).
 */
function textArity(spec: MethodSpec): 0 | 1 | 2 {
  const plan = spec.plan;
  if (spec.words.length !== 1 || plan.loose || plan.rest || plan.options.length !== 0) return 0;
  const n = plan.positional.length;
  if (n < 1 || n > 2 || plan.required !== n || spec.arity !== n + 1) return 0;
  for (const node of plan.positional) {
    if (node.optional || node.multiple || node.token !== '' || !TEXT.has(node.type)) return 0;
  }
  return n as 1 | 2;
}

/** Node types whose values may be any string: key, string, pattern. */
const TEXT: ReadonlySet<string> = new Set(['k', 's', 'p']);

function methodFor(spec: MethodSpec, normalize: Normalizer | undefined): (this: Sender, ...args: unknown[]) => Promise<unknown> {
  const general = generalMethod(spec, normalize);
  // A normaliser that reads only the reply is the `.then` callback itself: no closure per call.
  // One that also reads the command (WITHSCORES...) keeps the general way.
  if (normalize !== undefined && normalize.length > 1) return general;
  const then = normalize as ((reply: unknown) => unknown) | undefined;
  const text = textArity(spec);
  const word = spec.words[0]!;
  if (text === 1) {
    return function typedCommand(this: Sender, a?: unknown): Promise<unknown> {
      if (arguments.length === 1 && typeof a === 'string') {
        return then === undefined ? this.command([word, a]) : this.command([word, a]).then(then);
      }
      return general.apply(this, arguments as unknown as unknown[]);
    };
  }
  if (text === 2) {
    return function typedCommand(this: Sender, a?: unknown, b?: unknown): Promise<unknown> {
      if (arguments.length === 2 && typeof a === 'string' && typeof b === 'string') {
        return then === undefined ? this.command([word, a, b]) : this.command([word, a, b]).then(then);
      }
      return general.apply(this, arguments as unknown as unknown[]);
    };
  }
  const shape = shapeOf(spec);
  if (shape === null) return general;
  const p = shape.positional.length;
  return function typedCommand(
    this: Sender, a?: unknown, b?: unknown, c?: unknown, d?: unknown, e?: unknown, f?: unknown,
  ): Promise<unknown> {
    const n = arguments.length;
    let command: Arg[] | null = null;
    if (n === p + 1) {
      const last = p === 0 ? a : p === 1 ? b : p === 2 ? c : d;
      if (isOptionsObject(last)) command = withOptions(shape, a, b, c, last);
      else command = redisOrder(shape, n, a, b, c, d, e, f);
    } else if (n <= 6) command = redisOrder(shape, n, a, b, c, d, e, f);
    if (command === null) return general.apply(this, arguments as unknown as unknown[]);
    return then === undefined ? this.command(command) : this.command(command).then(then);
  };
}

function generalMethod(spec: MethodSpec, normalize: Normalizer | undefined): (this: Sender, ...args: unknown[]) => Promise<unknown> {
  if (normalize === undefined) {
    return function typedCommand(this: Sender): Promise<unknown> {
      let command: Arg[];
      try {
        command = encodeCall(spec, arguments);
      } catch (err) {
        return Promise.reject(err);
      }
      return this.command(command, callOptions);
    };
  }
  return function typedCommand(this: Sender): Promise<unknown> {
    let command: Arg[];
    try {
      command = encodeCall(spec, arguments);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.command(command, callOptions).then((reply) => normalize(reply, command));
  };
}

function install(): void {
  installBatchMethods(METHOD_SPECS);
  const targets = [Pool.prototype, Handle.prototype, Cluster.prototype, ClusterHandle.prototype];
  for (const [name, spec] of METHOD_SPECS) {
    const method = methodFor(spec, NORMALIZE.get(name));
    for (const target of targets) {
      // Never shadow what a class defines itself (scan, watch, subscribe...).
      if (name in target) continue;
      Object.defineProperty(target, name, { value: method, writable: true, configurable: true, enumerable: false });
    }
  }
  const runners: [object, Runner, Runner][] = [
    [Pool.prototype, (s, c, o) => s.transaction(c, o), (s, c, o) => s.pipeline(c, o)],
    [Handle.prototype, (s, c, o) => s.transaction(c, o), (s, c, o) => s.pipeline(c, o)],
    [Cluster.prototype, (s, c, o) => s.transaction(c, o), (s, c, o) => s.pipeline(c, o)],
    [ClusterHandle.prototype, (s, c, o) => s.transaction(c, o), (s, c, o) => s.pipeline(c, o)],
  ];
  for (const [target, transaction, pipeline] of runners) {
    Object.defineProperty(target, 'multi', {
      value: function multi(this: Sender) { return new Chain(this, transaction, true); },
      writable: true, configurable: true, enumerable: false,
    });
    Object.defineProperty(target, 'batch', {
      value: function batch(this: Sender) { return new Chain(this, pipeline, false); },
      writable: true, configurable: true, enumerable: false,
    });
  }
}

install();
