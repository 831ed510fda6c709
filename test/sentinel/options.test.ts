import { expect } from 'chai';
import { inspect } from 'node:util';
import { createPool } from '../../lib/index.js';
import { redactUrl, resolveOptions } from '../../lib/options.js';

function thrown(fn: () => unknown, Kind: ErrorConstructor = TypeError): Error {
  try {
    fn();
  } catch (err) {
    expect(err).to.be.instanceOf(Kind);
    return err as Error;
  }
  throw new Error('expected a throw');
}

const SENTINEL_SECRET = 'sentinel-s3cret';
const DATA_SECRET = 'data-s3cret';

describe('sentinel: options', () => {
  it('accepts { host, port }, "host:port" and redis:// nodes, 26379 by default', () => {
    const opts = resolveOptions({
      sentinel: { nodes: [{ host: '10.0.0.1', port: 26380 }, '10.0.0.2', 'redis://[::1]:26381', { port: 5 }], name: 'mymaster' },
    });
    expect(opts.sentinel!.nodes).to.deep.equal([
      { host: '10.0.0.1', port: 26380 }, { host: '10.0.0.2', port: 26379 }, { host: '::1', port: 26381 },
      { host: '127.0.0.1', port: 5 },
    ]);
    expect(opts.role).to.equal('primary');
    expect(opts.address).to.equal("'mymaster' (Sentinel primary)");
  });

  it('suggests the key a typo meant, inside sentinel too', () => {
    expect(thrown(() => resolveOptions({ sentinel: { nodes: ['h'], nodess: 'm' } as never })).message)
      .to.equal("unknown option 'sentinel.nodess'; did you mean 'sentinel.nodes'?");
    expect(thrown(() => resolveOptions({ sentinal: {} } as never)).message).to.include("did you mean 'sentinel'?");
  });

  it('refuses what cannot work, before anything is sent', () => {
    const cases: [unknown, RegExp, ErrorConstructor?][] = [
      [{ sentinel: { nodes: [], name: 'm' } }, /sentinel\.nodes' must be a non-empty array/],
      [{ sentinel: { nodes: ['h'] } }, /sentinel\.name'/],
      [{ sentinel: { nodes: [{ host: 'h', port: 70000 }], name: 'm' } }, /nodes\[0\]'\.port/, RangeError],
      [{ sentinel: { nodes: [{ host: 'h', prot: 1 }], name: 'm' } }, /unknown key 'prot'/],
      [{ sentinel: { nodes: ['h'], name: 'm', username: 'u' } }, /needs 'sentinel\.password'/],
      [{ sentinel: { nodes: ['h'], name: 'm' }, host: '10.0.0.9' }, /'host' cannot be used with 'sentinel'/],
      [{ role: 'replica' }, /'role' needs 'sentinel'/],
      [{ sentinel: { nodes: ['h'], name: 'm' }, role: 'slave' }, /'primary' or 'replica'/, RangeError],
      [{ sentinel: 'h:26379' }, /must be an object/],
    ];
    for (const [input, message, Kind] of cases) {
      expect(thrown(() => resolveOptions(input as never), Kind ?? TypeError).message).to.match(message);
    }
  });

  it('never shows a sentinel or data password: node URLs, messages, inspect, JSON', () => {
    const withCredentials = thrown(() =>
      resolveOptions({ sentinel: { nodes: [`redis://:${SENTINEL_SECRET}@h:1`], name: 'm' } }));
    expect(withCredentials.message).not.to.include(SENTINEL_SECRET);
    expect(withCredentials.message).to.include('sentinel.password');
    const opts = resolveOptions({
      sentinel: { nodes: ['h'], name: 'm', password: SENTINEL_SECRET, tls: { passphrase: SENTINEL_SECRET } },
      password: DATA_SECRET,
    });
    expect(opts.sentinel!.password).to.equal(SENTINEL_SECRET);
    expect(opts.password).to.equal(DATA_SECRET);
    for (const text of [inspect(opts, { depth: 10 }), JSON.stringify(opts), inspect(opts.sentinel), String(opts)]) {
      expect(text).not.to.include(SENTINEL_SECRET);
      expect(text).not.to.include(DATA_SECRET);
    }
    expect(JSON.stringify(opts)).to.include('[redacted]');
    const pool = createPool(opts);
    try {
      expect(inspect(pool, { depth: 10 })).not.to.include(SENTINEL_SECRET);
      expect(inspect(pool, { depth: 10 })).not.to.include(DATA_SECRET);
    } finally {
      void pool.close();
    }
  });

  describe('redis+sentinel:// URLs (the Python Redis-Sentinel-Url form, also read by RedisVL and Prefect)', () => {
    it('takes a host list, the primary name, a db and pool options', () => {
      const opts = resolveOptions(`redis+sentinel://u:${DATA_SECRET}@h1:26380,h2,[::1]:26381/mymaster/3?role=replica&size=2`);
      expect(opts.sentinel!.nodes).to.deep.equal([
        { host: 'h1', port: 26380 }, { host: 'h2', port: 26379 }, { host: '::1', port: 26381 },
      ]);
      expect(opts.sentinel!.name).to.equal('mymaster');
      expect([opts.db, opts.role, opts.size, opts.username, opts.password]).to.deep.equal([3, 'replica', 2, 'u', DATA_SECRET]);
      expect(opts.sentinel!.password).to.equal(undefined);
    });

    it('takes the sentinels\' credentials from sentinelUsername / sentinelPassword, TLS from rediss+sentinel', () => {
      const url = `rediss+sentinel://h1/m?sentinelUsername=su&sentinelPassword=${SENTINEL_SECRET}`;
      const opts = resolveOptions(url);
      expect([opts.sentinel!.username, opts.sentinel!.password]).to.deep.equal(['su', SENTINEL_SECRET]);
      expect(opts.sentinel!.tls).to.deep.equal({});
      expect(opts.tls).to.deep.equal({});
      expect(redactUrl(url)).not.to.include(SENTINEL_SECRET);
    });

    it('refuses a URL without hosts or name, without echoing it', () => {
      expect(thrown(() => resolveOptions(`redis+sentinel://:${DATA_SECRET}@/m`)).message).to.include('at least one sentinel host');
      const noName = thrown(() => resolveOptions(`redis+sentinel://:${DATA_SECRET}@h1,h2`));
      expect(noName.message).to.include('/<primary name>');
      expect(noName.message).not.to.include(DATA_SECRET);
    });
  });
});
