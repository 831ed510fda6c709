import { expect } from 'chai';
import { inspect } from 'node:util';
import {
  OPTION_TABLE,
  redactUrl,
  resolveOptions,
  type PoolOptions,
} from '../lib/options.js';
import { optionsMarkdown } from '../lib/options-markdown.js';

// Written out by hand, not read from OPTION_TABLE, so a changed default or a dropped row fails.
const ALL_NAMES: readonly (keyof PoolOptions)[] = [
  'host', 'port', 'path', 'tls', 'username', 'password', 'db', 'name', 'protocol', 'size',
  'minIdle', 'connectTimeout', 'acquireTimeout', 'commandTimeout', 'returnBuffers', 'maxPending',
  'failFast', 'reconnectInitialDelay', 'reconnectMaxDelay', 'reconnectFactor',
  'reconnectMaxAttempts', 'keepAlive', 'healthCheckInterval', 'noDelay', 'sentinel', 'role', 'clientCache',
];

const SECRET = 'hunter2-S3cret';

/** Runs `fn`, expects it to throw `Kind`, and returns the error for more assertions. */
function thrown(fn: () => unknown, Kind: ErrorConstructor = Error): Error {
  try {
    fn();
  } catch (err) {
    expect(err).to.be.instanceOf(Kind);
    return err as Error;
  }
  throw new Error('expected a throw');
}

describe('options', () => {
  describe('defaults', () => {
    it('fills every option with the documented default', () => {
      const opts = resolveOptions();
      expect(JSON.parse(JSON.stringify(opts))).to.deep.equal({
        host: '127.0.0.1', port: 6379, db: 0, protocol: 2, size: 8, minIdle: 1,
        connectTimeout: 10000, acquireTimeout: 10000, commandTimeout: 0, returnBuffers: false,
        maxPending: 10000, failFast: false, reconnectInitialDelay: 50, reconnectMaxDelay: 2000,
        reconnectFactor: 2, reconnectMaxAttempts: null, keepAlive: 10000, healthCheckInterval: 15000, role: 'primary',
        noDelay: true, address: '127.0.0.1:6379',
      });
      expect(opts.password).to.equal(undefined);
      expect(opts.tls).to.equal(undefined);
      expect(opts.path).to.equal(undefined);
    });

    it('returns a frozen object', () => {
      const opts = resolveOptions({ size: 2 });
      expect(Object.isFrozen(opts)).to.equal(true);
      expect(() => {
        (opts as { size: number }).size = 3;
      }).to.throw(TypeError);
    });

    it('treats undefined values and empty optional strings as unset', () => {
      const opts = resolveOptions({ port: undefined, password: '', username: '', name: '' });
      expect(opts.port).to.equal(6379);
      expect(opts.password).to.equal(undefined);
      expect(opts.username).to.equal(undefined);
      expect(opts.name).to.equal(undefined);
    });

    it('has a row with a doc for every option, in a table that cannot be edited', () => {
      expect(OPTION_TABLE.map((spec) => spec.name)).to.deep.equal(ALL_NAMES);
      for (const spec of OPTION_TABLE) expect(spec.doc.length, spec.name).to.be.greaterThan(20);
      expect(Object.isFrozen(OPTION_TABLE)).to.equal(true);
    });
  });

  describe('URL forms', () => {
    it('reads user, password, host, port and db from redis://', () => {
      const opts = resolveOptions('redis://alice:p%40ss%3Aw0rd@cache.internal:6380/4');
      expect(opts).to.include({ host: 'cache.internal', port: 6380, db: 4, username: 'alice' });
      expect(opts.password).to.equal('p@ss:w0rd');
      expect(opts.tls).to.equal(undefined);
      expect(opts.address).to.equal('cache.internal:6380');
    });

    it('takes a password without a user name', () => {
      const opts = resolveOptions('redis://:only%20pass@h');
      expect(opts.username).to.equal(undefined);
      expect(opts.password).to.equal('only pass');
      expect(opts.port).to.equal(6379);
    });

    it('falls back to the defaults for a bare redis://', () => {
      expect(resolveOptions('redis://').address).to.equal('127.0.0.1:6379');
      expect(resolveOptions('redis:///2').db).to.equal(2);
    });

    it('turns TLS on for rediss://', () => {
      const opts = resolveOptions('rediss://secure.example.com');
      expect(opts.tls).to.deep.equal({});
      expect(opts.host).to.equal('secure.example.com');
    });

    it('strips the brackets of an IPv6 host and puts them back in the address', () => {
      const opts = resolveOptions('redis://[::1]:6380');
      expect(opts.host).to.equal('::1');
      expect(opts.address).to.equal('[::1]:6380');
      expect(resolveOptions({ host: '[::1]' }).host).to.equal('::1');
    });

    it('reads a socket path from redis+unix:// and unix://', () => {
      const a = resolveOptions('redis+unix:///var/run/redis/redis.sock?db=2');
      expect(a).to.include({ path: '/var/run/redis/redis.sock', db: 2, address: '/var/run/redis/redis.sock' });
      const b = resolveOptions('unix:///tmp/redis%20x.sock');
      expect(b.path).to.equal('/tmp/redis x.sock');
      expect(b.db).to.equal(0);
    });

    it('rejects other schemes, non-numeric paths, fragments and relative socket paths', () => {
      for (const url of ['http://h', 'redis://h/abc', 'redis://h/1/2', 'redis://h#x', 'unix://relative/r.sock', 'not a url']) {
        const err = thrown(() => resolveOptions(url), TypeError);
        expect(err.message, url).to.match(/^invalid Redis URL/);
      }
    });
  });

  describe('URL query options', () => {
    it('parses each value by the type of its option', () => {
      const opts = resolveOptions(
        'redis://h?protocol=3&size=16&noDelay=false&failFast=1&returnBuffers=true&reconnectFactor=1.5&name=api-1&reconnectMaxAttempts=null',
      );
      expect(opts).to.include({
        protocol: 3, size: 16, noDelay: false, failFast: true, returnBuffers: true,
        reconnectFactor: 1.5, name: 'api-1', reconnectMaxAttempts: null,
      });
      expect(resolveOptions('redis://h?reconnectMaxAttempts=5&tls=0').reconnectMaxAttempts).to.equal(5);
    });

    it('takes a password from the query, keeping a literal +', () => {
      const opts = resolveOptions('unix:///tmp/r.sock?password=a+b%26c&username=bob');
      expect(opts.password).to.equal('a+b&c');
      expect(opts.username).to.equal('bob');
    });

    it('rejects badly typed values, naming the option', () => {
      const cases: [string, string][] = [
        ['redis://h?db=two', 'db'],
        ['redis://h?noDelay=yes', 'noDelay'],
        ['redis://h?size=', 'size'],
        ['redis://h?port=0x10', 'port'],
        ['redis://h?size=null', 'size'],
      ];
      for (const [url, name] of cases) {
        expect(thrown(() => resolveOptions(url), TypeError).message, url).to.include(`option '${name}' in the Redis URL query`);
      }
    });

    it('applies the same bounds as an object', () => {
      expect(thrown(() => resolveOptions('redis://h?protocol=4'), RangeError).message).to.include("option 'protocol'");
    });

    it('rejects an option given twice', () => {
      for (const url of ['redis://h/1?db=2', 'redis://h?size=1&size=2', 'rediss://h?tls=true']) {
        expect(thrown(() => resolveOptions(url), TypeError).message, url).to.match(/option '\w+' is given twice/);
      }
    });

    it('rejects an unknown query option and suggests the near one', () => {
      const err = thrown(() => resolveOptions('redis://h?commandtimeout=5'), TypeError);
      expect(err.message).to.equal("unknown option 'commandtimeout' in the Redis URL query; did you mean 'commandTimeout'?");
    });
  });

  describe('bounds and types', () => {
    const cases: [PoolOptions, string, ErrorConstructor][] = [
      [{ port: 0 }, 'port', RangeError],
      [{ port: 65536 }, 'port', RangeError],
      [{ port: 6379.5 }, 'port', RangeError],
      [{ port: '6379' as unknown as number }, 'port', TypeError],
      [{ db: -1 }, 'db', RangeError],
      [{ size: 0 }, 'size', RangeError],
      [{ minIdle: -1 }, 'minIdle', RangeError],
      [{ protocol: 1 as 2 }, 'protocol', RangeError],
      [{ connectTimeout: -5 }, 'connectTimeout', RangeError],
      [{ commandTimeout: 2 ** 31 }, 'commandTimeout', RangeError],
      [{ acquireTimeout: Number.NaN }, 'acquireTimeout', RangeError],
      [{ reconnectFactor: 0.5 }, 'reconnectFactor', RangeError],
      [{ reconnectFactor: Number.POSITIVE_INFINITY }, 'reconnectFactor', RangeError],
      [{ reconnectInitialDelay: 0 }, 'reconnectInitialDelay', RangeError],
      [{ reconnectMaxAttempts: -1 }, 'reconnectMaxAttempts', RangeError],
      [{ size: null as unknown as number }, 'size', TypeError],
      [{ noDelay: 'true' as unknown as boolean }, 'noDelay', TypeError],
      [{ tls: 'yes' as unknown as boolean }, 'tls', TypeError],
      [{ host: '' }, 'host', RangeError],
      [{ name: 'has space' }, 'name', RangeError],
    ];
    for (const [input, name, Kind] of cases) {
      it(`rejects ${inspect(input)} with a ${Kind.name} naming '${name}'`, () => {
        expect(thrown(() => resolveOptions(input), Kind).message).to.match(new RegExp(`^option '${name}' must be`));
      });
    }

    it('accepts the edges of each range', () => {
      const opts = resolveOptions({ port: 65535, size: 1, minIdle: 0, commandTimeout: 2 ** 31 - 1, reconnectMaxAttempts: 0 });
      expect(opts).to.include({ port: 65535, size: 1, minIdle: 0, commandTimeout: 2 ** 31 - 1, reconnectMaxAttempts: 0 });
    });

    it('checks options that depend on each other', () => {
      expect(thrown(() => resolveOptions({ size: 2, minIdle: 3 }), RangeError).message).to.include("'minIdle' (3) must not exceed 'size' (2)");
      expect(thrown(() => resolveOptions({ reconnectInitialDelay: 5000 }), RangeError).message).to.include("'reconnectMaxDelay'");
      // A username alone is allowed: it authenticates with an empty password (a `nopass` user).
      expect(resolveOptions({ username: 'bob', password: '' })).to.include({ username: 'bob', password: undefined });
    });

    it('rejects an unknown key as a typo, with a suggestion', () => {
      const err = thrown(() => resolveOptions({ sise: 4 } as PoolOptions), TypeError);
      expect(err.message).to.equal("unknown option 'sise'; did you mean 'size'?");
      const prefix = thrown(() => resolveOptions({ pass: 'x' } as PoolOptions), TypeError);
      expect(prefix.message).to.equal("unknown option 'pass'; did you mean 'password'?");
      const far = thrown(() => resolveOptions({ url: 'redis://h' } as PoolOptions), TypeError);
      expect(far.message).to.equal("unknown option 'url'");
      expect(thrown(() => resolveOptions({}, { sise: 4 } as PoolOptions), TypeError).message).to.include("'sise'");
    });

    it('rejects input that is neither a URL nor an object', () => {
      expect(thrown(() => resolveOptions(42 as unknown as string), TypeError).message).to.include('Redis URL string');
      expect(thrown(() => resolveOptions([] as unknown as PoolOptions), TypeError).message).to.include('options object');
    });
  });

  describe('secrets', () => {
    const url = `rediss://alice:${SECRET}@h:6380/1`;

    it('keeps the password out of inspect, JSON and String', () => {
      const opts = resolveOptions(url);
      expect(opts.password).to.equal(SECRET);
      const outputs = [
        inspect(opts),
        inspect(opts, { showHidden: true, depth: Infinity, getters: true }),
        // Bypassing our inspect hook still shows no password: it lives in a #private field.
        // (Only customInspect: false with getters: true reads the getter, by explicit request.)
        inspect(opts, { customInspect: false }),
        inspect({ nested: { opts } }, { depth: 5 }),
        JSON.stringify(opts),
        JSON.stringify({ opts }),
        String(opts),
        `${opts}`,
        Object.keys(opts).join(','),
      ];
      for (const text of outputs) expect(text).not.to.include(SECRET);
      expect(inspect(opts)).to.include("password: '[redacted]'");
      expect(JSON.parse(JSON.stringify(opts)).password).to.equal('[redacted]');
      expect(String(opts)).to.equal('ResolvedOptions(h:6380)');
    });

    it('redacts the secret parts of TLS options but passes them through', () => {
      const opts = resolveOptions({ password: SECRET, tls: { servername: 'h', passphrase: SECRET, key: SECRET } });
      expect(opts.tls).to.deep.equal({ servername: 'h', passphrase: SECRET, key: SECRET });
      expect(inspect(opts)).not.to.include(SECRET);
      expect(JSON.stringify(opts)).not.to.include(SECRET);
      expect(inspect(opts)).to.include("servername: 'h'");
    });

    it('keeps the password out of every error message', () => {
      const attempts: (() => unknown)[] = [
        () => resolveOptions({ password: 12345 as unknown as string }),
        () => resolveOptions(`redis://:${SECRET}@h:99999`),
        () => resolveOptions(`redis://:${SECRET}@h/notadb`),
        () => resolveOptions(`redis://:${SECRET}@`),
        () => resolveOptions(`redis://:${SECRET}@h?sise=1`),
        () => resolveOptions(`redis://:${SECRET}@h?db=x`),
        () => resolveOptions(`redis://:${SECRET}%zz@h`),
        () => resolveOptions(`redis://:${SECRET}@h`, { size: 0 }),
        () => resolveOptions(`http://:${SECRET}@h`),
      ];
      for (const attempt of attempts) {
        const err = thrown(attempt);
        expect(err.message).not.to.include(SECRET);
        expect(inspect(err)).not.to.include(SECRET);
        expect(err.cause, 'no cause: Node URL errors carry the input').to.equal(undefined);
      }
    });

    it('carries the password when resolved options are resolved again', () => {
      const again = resolveOptions(resolveOptions(url), { size: 3 });
      expect(again.password).to.equal(SECRET);
      expect(again.tls).to.deep.equal({});
      expect(again.size).to.equal(3);
      expect(again.db).to.equal(1);
    });
  });

  describe('redactUrl', () => {
    it('replaces the password in the userinfo and the query', () => {
      expect(redactUrl(`redis://alice:${SECRET}@h:6380/1`)).to.equal('redis://alice:***@h:6380/1');
      expect(redactUrl(`unix:///tmp/r.sock?db=1&password=${SECRET}`)).to.equal('unix:///tmp/r.sock?db=1&password=***');
    });

    it('leaves a URL without a password as it was', () => {
      expect(redactUrl('redis://alice@h:6380/1?size=2')).to.equal('redis://alice@h:6380/1?size=2');
    });

    it('hides a fragment, where a password with an unescaped # ends up', () => {
      expect(redactUrl('redis://h/0#rest-of-password')).to.equal('redis://h/0#***');
    });

    it('keeps only the scheme of a URL that does not parse', () => {
      expect(redactUrl(`redis://:${SECRET}#x@`)).to.equal('redis://***');
    });
  });

  describe('overrides', () => {
    it('lets the object win over the URL, key by key', () => {
      const opts = resolveOptions('redis://:urlpass@urlhost:7000/3?size=2', { host: 'objhost', size: 5, port: undefined });
      expect(opts).to.include({ host: 'objhost', size: 5, port: 7000, db: 3 });
      expect(opts.password).to.equal('urlpass');
    });

    it('can turn off the TLS that rediss:// turned on', () => {
      expect(resolveOptions('rediss://h').tls).to.deep.equal({});
      expect(resolveOptions('rediss://h', { tls: false }).tls).to.equal(undefined);
    });

    it('merges two objects the same way', () => {
      expect(resolveOptions({ size: 2, db: 1 }, { size: 4 })).to.include({ size: 4, db: 1 });
    });

    it('uses a socket path from the overrides as the address', () => {
      expect(resolveOptions('redis://h:7000', { path: '/tmp/r.sock' }).address).to.equal('/tmp/r.sock');
    });
  });

  describe('optionsMarkdown', () => {
    it('lists every option once, with its default', () => {
      const markdown = optionsMarkdown();
      const rows = markdown.split('\n').filter((line) => line.startsWith('| `'));
      expect(rows.map((row) => /^\| `(\w+)`/.exec(row)?.[1])).to.deep.equal(ALL_NAMES);
      expect(markdown).to.include("| `host` | string | `'127.0.0.1'` |");
      expect(markdown).to.include('| `reconnectMaxAttempts` | integer >= 0 \\| null | `null` |');
    });

    it('escapes pipes so each row keeps four cells', () => {
      for (const row of optionsMarkdown().trim().split('\n')) {
        expect(row.replace(/\\\|/g, '').split('|').length, row).to.equal(6);
      }
      expect(optionsMarkdown()).to.include('| `protocol` | 2 \\| 3 | `2` |');
    });
  });
});
