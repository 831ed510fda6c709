import { expect } from 'chai';
import { ArgumentError, Pool } from '../../lib/index.js';
import type { Arg } from '../../lib/resp/types.js';
import { encodeCall } from '../../lib/typed/encode.js';
import { NORMALIZE } from '../../lib/typed/normalize.js';
import { METHOD_SPECS } from '../../lib/typed/install.js';
import { redisOrder, shapeOf, withOptions, type Shape } from '../../lib/typed/fast-encode.js';

/**
 * A receiver of the typed methods that records what they would send instead of sending it
 * (the methods only ever call `this.command()`), answering with a reply chosen by the test.
 */
class Recorder {
  sent: unknown[] = [];
  options: unknown = undefined;
  reply: unknown = 'OK';
  command(command: unknown[], options?: unknown): Promise<unknown> {
    this.sent = command;
    this.options = options;
    return Promise.resolve(this.reply);
  }
}
const methods = Pool.prototype as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;

async function sent(method: string, ...args: unknown[]): Promise<unknown[]> {
  const recorder = new Recorder();
  await methods[method]!.apply(recorder, args);
  return recorder.sent;
}

function shape(method: string): Shape {
  const found = shapeOf(METHOD_SPECS.get(method)!);
  expect(found, `${method} has a fast shape`).to.not.equal(null);
  return found!;
}

/** The general encoder's array for the same arguments (what `command([...])` would be given). */
function general(method: string, ...args: unknown[]): Arg[] {
  return encodeCall(METHOD_SPECS.get(method)!, args);
}

/** The general array, or null where the general way refuses the call. */
function generalOrNull(method: string, ...args: unknown[]): Arg[] | null {
  try {
    return general(method, ...args);
  } catch (err) {
    expect(err).to.be.instanceOf(ArgumentError);
    return null;
  }
}

describe('typed methods: the fast encoders give the general array', function () {
  it('options object: tokens in syntax order, numbers kept as numbers', async () => {
    const cases: [string, unknown[], unknown[]][] = [
      ['set', ['k', 'v', { EX: 60 }], ['SET', 'k', 'v', 'EX', 60]],
      ['set', ['k', 'v', { PX: 100, GET: true, NX: true }], ['SET', 'k', 'v', 'NX', 'GET', 'PX', 100]],
      ['set', ['k', 'v', { KEEPTTL: true, XX: true }], ['SET', 'k', 'v', 'XX', 'KEEPTTL']],
      ['set', ['k', 12, { EXAT: 1700000000 }], ['SET', 'k', 12, 'EXAT', 1700000000]],
      ['set', ['k', 'v', { EX: undefined, NX: false }], ['SET', 'k', 'v']],
      ['set', ['k', 'v', {}], ['SET', 'k', 'v']],
      ['expire', ['k', 10, { GT: true }], ['EXPIRE', 'k', 10, 'GT']],
      ['clientList', [{ TYPE: 'NORMAL' }], ['CLIENT', 'LIST', 'TYPE', 'NORMAL']],
    ];
    for (const [method, args, expected] of cases) {
      const [a, b, c] = args;
      const options = args[args.length - 1] as Record<string, unknown>;
      const fast = withOptions(shape(method), args.length > 1 ? a : undefined, b, c, options);
      expect(fast, `${method} ${JSON.stringify(args)}`).to.deep.equal(expected);
      expect(general(method, ...args)).to.deep.equal(expected);
      expect(await sent(method, ...args)).to.deep.equal(expected);
    }
  });

  it('Redis order (the ioredis spelling): values as given, arity checked', async () => {
    const cases: [string, unknown[], unknown[]][] = [
      ['set', ['k', 'v', 'EX', 60], ['SET', 'k', 'v', 'EX', 60]],
      ['set', ['k', 'v', 'EX', '60', 'NX'], ['SET', 'k', 'v', 'EX', '60', 'NX']],
      ['set', ['k', 1.5], ['SET', 'k', 1.5]],
      ['incrby', ['n', 5], ['INCRBY', 'n', 5]],
      ['expire', ['k', 10, 'NX'], ['EXPIRE', 'k', 10, 'NX']],
      ['lset', ['l', 0, 'x'], ['LSET', 'l', 0, 'x']],
      ['hget', ['h', 'f'], ['HGET', 'h', 'f']],
    ];
    for (const [method, args, expected] of cases) {
      const [a, b, c, d, e, f] = args;
      expect(redisOrder(shape(method), args.length, a, b, c, d, e, f), `${method} ${JSON.stringify(args)}`)
        .to.deep.equal(expected);
      expect(general(method, ...args)).to.deep.equal(expected);
      expect(await sent(method, ...args)).to.deep.equal(expected);
    }
  });

  it('anything else takes the general way: the same array, or the same ArgumentError', async () => {
    const s = shape('set');
    const buffer = Buffer.from('v');
    // Declined by the fast encoders...
    expect(withOptions(s, 'k', 'v', undefined, { EX: 1.5 })).to.equal(null);
    expect(withOptions(s, 'k', 'v', undefined, { EX: 1, PX: 2 })).to.equal(null);
    expect(withOptions(s, 'k', 'v', undefined, { timeout: 100 })).to.equal(null);
    expect(withOptions(s, 'k', buffer, undefined, { EX: 1 })).to.equal(null);
    expect(withOptions(s, 'k', 'v', undefined, { NX: 'NX' })).to.equal(null);
    expect(redisOrder(s, 2, 'k', buffer, undefined, undefined, undefined, undefined)).to.equal(null);
    expect(redisOrder(s, 1, 'k', undefined, undefined, undefined, undefined, undefined)).to.equal(null);
    expect(redisOrder(s, 3, 'k', 'v', undefined, undefined, undefined, undefined)).to.equal(null);
    // ... and handled by the method all the same.
    expect(await sent('set', 'k', buffer, { EX: 1 })).to.deep.equal(['SET', 'k', buffer, 'EX', 1]);
    expect(await sent('set', 'k', 'v', { NX: 'NX' })).to.deep.equal(['SET', 'k', 'v', 'NX']);
    expect(await sent('set', 'k', 'v', undefined)).to.deep.equal(['SET', 'k', 'v']);
    const recorder = new Recorder();
    await methods.set!.call(recorder, 'k', 'v', { EX: 5, timeout: 100 });
    expect(recorder.sent).to.deep.equal(['SET', 'k', 'v', 'EX', 5]);
    expect(recorder.options).to.deep.equal({ timeout: 100 });
    for (const args of [['k', 'v', { EX: 1.5 }], ['k', 'v', { EX: 1, PX: 2 }], ['k'], ['k', 'v', { BOGUS: 1 }]]) {
      const err = await methods.set!.apply(new Recorder(), args).then(() => null, (e: unknown) => e);
      expect(err, JSON.stringify(args)).to.be.instanceOf(ArgumentError);
      expect(() => general('set', ...args)).to.throw(ArgumentError, (err as Error).message);
    }
  });

  it('an options object read by a getter that calls the same method still gives its own array', async () => {
    const s = shape('set');
    let inner: unknown = null;
    const options = {
      NX: true,
      get PX(): number {
        // Runs while the outer call is between its two passes: this call takes the same scratch.
        inner = withOptions(s, 'k2', 'v2', undefined, { EX: 5, XX: true, GET: true });
        return 100;
      },
    };
    // The outer call notices and declines; the general way reads the object again.
    expect(withOptions(s, 'k', 'v', undefined, options)).to.equal(null);
    expect(inner).to.deep.equal(['SET', 'k2', 'v2', 'XX', 'GET', 'EX', 5]);
    expect(await sent('set', 'k', 'v', options)).to.deep.equal(['SET', 'k', 'v', 'NX', 'PX', 100]);
    // Once the scratch is the outer call's alone again, the fast way answers.
    expect(withOptions(s, 'k', 'v', undefined, { NX: true, PX: 100 })).to.deep.equal(['SET', 'k', 'v', 'NX', 'PX', 100]);
  });

  it('the same keys again are written by their layout: the general array, without the two passes', () => {
    const s = shape('set');
    const three = () => withOptions(s, 'k', 'v', undefined, { EX: 60, NX: true, GET: true });
    const expected = ['SET', 'k', 'v', 'NX', 'GET', 'EX', 60];
    expect(three()).to.deep.equal(expected); // two passes, layout learnt
    const passes = s.calls; // counts the two-pass calls only
    expect(three()).to.deep.equal(expected);
    expect(withOptions(s, 'k2', 7, undefined, { EX: 5, NX: true, GET: true })).to.deep.equal(['SET', 'k2', 7, 'NX', 'GET', 'EX', 5]);
    expect(s.calls).to.equal(passes);
    // Out of step with the layout (the same first key, fewer or more keys): the two passes
    // answer and learn its own layout; then both literals, alternating, go by their layouts.
    expect(withOptions(s, 'k', 'v', undefined, { EX: 60 })).to.deep.equal(general('set', 'k', 'v', { EX: 60 }));
    expect(withOptions(s, 'k', 'v', undefined, { EX: 60, NX: true })).to.deep.equal(['SET', 'k', 'v', 'NX', 'EX', 60]);
    const learnt = s.calls;
    for (let i = 0; i < 3; i++) {
      expect(withOptions(s, 'k', 'v', undefined, { EX: 60 })).to.deep.equal(['SET', 'k', 'v', 'EX', 60]);
      expect(withOptions(s, 'k', 'v', undefined, { EX: 60, NX: true })).to.deep.equal(['SET', 'k', 'v', 'NX', 'EX', 60]);
      expect(three()).to.deep.equal(expected);
    }
    expect(s.calls).to.equal(learnt);
    expect(withOptions(s, 'k', 'v', undefined, { EX: 60, NX: true, XX: true })).to.equal(null);
    expect(withOptions(s, 'k', 'v', undefined, { EX: 60, NX: false, GET: true })).to.deep.equal(['SET', 'k', 'v', 'GET', 'EX', 60]);
    expect(withOptions(s, 'k', 'v', undefined, { EX: 60, GET: true, NX: true })).to.deep.equal(expected);
    // A value or argument the layout's checks refuse: declined, as the two passes decline it.
    expect(three()).to.deep.equal(expected);
    expect(withOptions(s, 'k', 'v', undefined, { EX: 1.5, NX: true, GET: true })).to.equal(null);
    expect(withOptions(s, 'k', 'v', undefined, { EX: 60, NX: 'yes', GET: true })).to.equal(null);
    expect(withOptions(s, 'k', Buffer.from('v'), undefined, { EX: 60, NX: true, GET: true })).to.equal(null);
    // More first keys than layouts kept: each still gives its own array.
    const objects = [{ NX: true }, { XX: true, PX: 5 }, { GET: true }, { PX: 1 }, { EXAT: 9, NX: true }, { KEEPTTL: true }];
    for (let round = 0; round < 3; round++) {
      for (const o of objects) expect(withOptions(s, 'k', 'v', undefined, o), JSON.stringify(o)).to.deep.equal(general('set', 'k', 'v', o));
    }
  });

  it("a layout puts each key by place, not by text: a value equal to another key's token", () => {
    const s = shape('sort');
    for (let i = 0; i < 2; i++) {
      expect(withOptions(s, 'k', undefined, undefined, { BY: 'STORE', STORE: 'dst' })).to.deep.equal(['SORT', 'k', 'BY', 'STORE', 'STORE', 'dst']);
      expect(withOptions(s, 'k', undefined, undefined, { STORE: 'BY', BY: 'w_*' })).to.deep.equal(['SORT', 'k', 'BY', 'w_*', 'STORE', 'BY']);
    }
  });

  it('a getter that calls the same method on the layout way: each call gets its own array', () => {
    const s = shape('set');
    expect(withOptions(s, 'k', 'v', undefined, { NX: true, PX: 1 })).to.not.equal(null); // learns NX, PX
    let inner: unknown = null;
    const options = {
      NX: true,
      get PX(): number {
        inner = withOptions(s, 'k2', 'v2', undefined, { NX: true, PX: 2 });
        return 100;
      },
    };
    expect(withOptions(s, 'k', 'v', undefined, options)).to.deep.equal(['SET', 'k', 'v', 'NX', 'PX', 100]);
    expect(inner).to.deep.equal(['SET', 'k2', 'v2', 'NX', 'PX', 2]);
  });

  it('only a plain object literal is an options object on the fast way', async () => {
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, { EX: 9 });
    expect(await sent('set', 'k', 'v', bare)).to.deep.equal(['SET', 'k', 'v', 'EX', 9]);
    class Options { EX = 9; }
    const err = await methods.set!.call(new Recorder(), 'k', 'v', new Options()).then(() => null, (e: unknown) => e);
    expect(err).to.be.instanceOf(ArgumentError);
    const own = await methods.set!.call(new Recorder(), 'k', 'v', { constructor: Object, EX: 9 }).then(() => null, (e: unknown) => e);
    expect((own as Error).message).to.match(/unknown option 'constructor'/);
  });

  it('a refused option value rejects the promise (the method does not throw)', async () => {
    const call = methods.clientList!.call(new Recorder(), { TYPE: 'nonsense' });
    const err = await call.then(() => null, (e: unknown) => e);
    expect(err).to.be.instanceOf(ArgumentError);
    expect((err as Error).message).to.match(/^clientList: TYPE must be/);
  });

  it('a method with a positional argument after its options (XADD id) has no fast shape', () => {
    expect(shapeOf(METHOD_SPECS.get('xadd')!)).to.equal(null);
    expect(shapeOf(METHOD_SPECS.get('del')!)).to.equal(null); // a rest parameter
  });

  it('for every method with a shape, every plain option alone gives the general array', () => {
    let checked = 0;
    for (const [method, spec] of METHOD_SPECS) {
      const s = shapeOf(spec);
      if (s === null) continue;
      const positional = s.positional.map((node) => (node.type === 'i' || node.type === 'u' ? 7 : node.type === 'd' ? 1.5 : 'x'));
      const [a, b, c] = positional;
      const base = [...spec.words, ...positional];
      const plain = generalOrNull(method, ...positional);
      expect(redisOrder(s, positional.length, a, b, c, undefined, undefined, undefined), method).to.deep.equal(plain);
      for (const slot of s.slots) {
        const node = slot.node;
        const value = node.type === 'T' ? true : node.type === 'i' || node.type === 'u' ? 3 : node.type === 'd' ? 2.5
          : 'kps'.includes(node.type) ? 'y' : undefined;
        if (value === undefined || node.multiple) continue;
        const options = { [slot.key]: value };
        const fast = withOptions(s, a, b, c, options);
        expect(fast, `${method} ${slot.key}`).to.deep.equal(generalOrNull(method, ...positional, options));
        if (fast === null) continue;
        expect(fast.slice(0, base.length)).to.deep.equal(base);
        checked++;
      }
    }
    expect(checked).to.be.greaterThan(50);
  });

  it('the normalisers given the command are those that read it (their length is 2)', () => {
    const withCommand = [...NORMALIZE].filter(([, normalize]) => normalize.length > 1).map(([name]) => name).sort();
    expect(withCommand).to.deep.equal([
      'hrandfield', 'xautoclaim', 'xclaim', 'zdiff', 'zinter', 'zrandmember', 'zrange', 'zrangebyscore',
      'zrevrange', 'zrevrangebyscore', 'zunion',
    ]);
    for (const [name, normalize] of NORMALIZE) expect(normalize.length, name).to.be.within(1, 2);
  });

  it('a normaliser that reads only the reply runs on the fast way too (HGETALL → object)', async () => {
    const recorder = new Recorder();
    recorder.reply = ['a', '1', 'b', '2'];
    expect(await methods.hgetall!.call(recorder, 'h')).to.deep.equal({ a: '1', b: '2' });
    expect(recorder.sent).to.deep.equal(['HGETALL', 'h']);
    recorder.reply = new Map([['a', '1']]);
    expect(await methods.hgetall!.call(recorder, 'h')).to.deep.equal({ a: '1' });
    // One that reads the command too (WITHSCORES) keeps the general way.
    recorder.reply = ['m', '1.5'];
    expect(await methods.zrange!.call(recorder, 'z', 0, -1, { WITHSCORES: true })).to.deep.equal([['m', 1.5]]);
    expect(recorder.sent).to.deep.equal(['ZRANGE', 'z', 0, -1, 'WITHSCORES']);
  });
});
