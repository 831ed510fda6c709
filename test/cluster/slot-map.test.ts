import { expect } from 'chai';
import {
  coveredSlots, formatAddress, fromShards, fromSlots, majorityView, parseAddress, patchSlot,
} from '../../lib/cluster/slot-map.js';
import { redirectionFor } from '../../lib/cluster/redirect.js';
import { ConnectionError, ReplyError } from '../../lib/errors.js';

const ctx = { queriedHost: '10.0.0.9', tls: false };

function node(port: number, role: string, health = 'online', ip = '127.0.0.1'): unknown[] {
  return ['id', `id${port}`, 'port', port, 'ip', ip, 'endpoint', ip, 'role', role,
    'replication-offset', 1, 'health', health];
}

const SHARDS = [
  ['slots', [0, 5460], 'nodes', [node(7000, 'master'), node(7003, 'replica')]],
  ['slots', [5461, 10922], 'nodes', [node(7001, 'master'), node(7004, 'replica', 'failed')]],
  ['slots', [10923, 16383], 'nodes', [node(7002, 'master', 'failed'), node(7005, 'master')]],
];

describe('cluster/slot-map', () => {
  it('parses CLUSTER SHARDS: healthy primary per shard, replicas unless failed', () => {
    const map = fromShards(SHARDS as never, ctx);
    expect(map.shards).to.deep.equal([
      { primary: '127.0.0.1:7000', replicas: ['127.0.0.1:7003'] },
      { primary: '127.0.0.1:7001', replicas: [] },
      { primary: '127.0.0.1:7005', replicas: [] },
    ]);
    expect(map.slots[0]).to.equal(0);
    expect(map.slots[5461]).to.equal(1);
    expect(map.slots[16383]).to.equal(2);
    expect(coveredSlots(map)).to.equal(16384);
  });

  it('parses RESP3 maps the same way', () => {
    const toMap = (flat: unknown[]) => new Map(Array.from({ length: flat.length / 2 }, (_, i) => [flat[2 * i], flat[2 * i + 1]]));
    const resp3 = SHARDS.map((s) => toMap([s[0], s[1], s[2], (s[3] as unknown[][]).map(toMap)]));
    expect(fromShards(resp3 as never, ctx).fingerprint).to.equal(fromShards(SHARDS as never, ctx).fingerprint);
  });

  it('parses CLUSTER SLOTS; an empty host means the node asked', () => {
    const map = fromSlots([
      [0, 100, ['', 7000, 'a'], ['127.0.0.1', 7003, 'd']],
      [101, 16383, ['127.0.0.1', 7001, 'b']],
    ] as never, ctx);
    expect(map.shards).to.deep.equal([
      { primary: '10.0.0.9:7000', replicas: ['127.0.0.1:7003'] },
      { primary: '127.0.0.1:7001', replicas: [] },
    ]);
    expect(map.slots[100]).to.equal(0);
    expect(map.slots[101]).to.equal(1);
  });

  it('applies addressMap to every address', () => {
    const map = fromShards(SHARDS as never, { ...ctx, map: (a) => a.replace('127.0.0.1', 'nat') });
    expect(map.shards[0]!.primary).to.equal('nat:7000');
    expect(map.shards[0]!.replicas).to.deep.equal(['nat:7003']);
  });

  it('gives equal fingerprints whatever the reply order', () => {
    const a = fromShards(SHARDS as never, ctx);
    const b = fromShards([...SHARDS].reverse() as never, ctx);
    expect(a.fingerprint).to.equal(b.fingerprint);
  });

  it('patches one slot for MOVED, adding an unknown primary', () => {
    const map = fromShards(SHARDS as never, ctx);
    patchSlot(map, 5, '127.0.0.1:7001');
    expect(map.shards[map.slots[5]!]!.primary).to.equal('127.0.0.1:7001');
    patchSlot(map, 6, '127.0.0.1:7009');
    expect(map.shards[map.slots[6]!]!.primary).to.equal('127.0.0.1:7009');
    expect(map.slots[7]).to.equal(0);
  });

  it('keeps the view most nodes share: one stale node cannot undo it', () => {
    const fresh = fromShards(SHARDS as never, ctx);
    const moved = JSON.parse(JSON.stringify(SHARDS));
    moved[0][1] = [0, 5000];
    moved[1][1] = [5001, 10922];
    const stale = fromShards(moved as never, ctx);
    expect(majorityView([stale, fresh, fromShards(SHARDS as never, ctx)])).to.equal(fresh);
    expect(majorityView([fresh, stale, stale])!.fingerprint).to.equal(stale.fingerprint);
    expect(majorityView([])).to.equal(null);
  });

  it('formats and parses addresses, IPv6 too', () => {
    expect(formatAddress('::1', 7000)).to.equal('[::1]:7000');
    expect(parseAddress('[::1]:7000')).to.deep.equal({ host: '::1', port: 7000 });
    expect(parseAddress('h:1')).to.deep.equal({ host: 'h', port: 1 });
    expect(() => parseAddress('nope')).to.throw(TypeError);
  });
});

describe('cluster/redirect (the redirection table)', () => {
  it('MOVED and ASK: slot and target; an empty host is the node that answered', () => {
    expect(redirectionFor(new ReplyError('MOVED 3999 127.0.0.1:6381'), 'x')).to.deep.equal(
      { action: 'moved', slot: 3999, address: '127.0.0.1:6381' });
    expect(redirectionFor(new ReplyError('ASK 1 127.0.0.1:6381'), 'x')).to.deep.equal(
      { action: 'ask', slot: 1, address: '127.0.0.1:6381' });
    expect(redirectionFor(new ReplyError('MOVED 7 :6381'), '10.1.1.1', (a) => `m-${a}`)).to.deep.equal(
      { action: 'moved', slot: 7, address: 'm-10.1.1.1:6381' });
  });

  it('TRYAGAIN backs off; CLUSTERDOWN and LOADING back off and refresh; READONLY reroutes', () => {
    expect(redirectionFor(new ReplyError('TRYAGAIN Multiple keys request during rehashing of slot'), 'x'))
      .to.deep.equal({ action: 'backoff', refresh: false });
    expect(redirectionFor(new ReplyError('CLUSTERDOWN The cluster is down'), 'x'))
      .to.deep.equal({ action: 'backoff', refresh: true });
    expect(redirectionFor(new ReplyError('LOADING Redis is loading'), 'x').action).to.equal('backoff');
    expect(redirectionFor(new ReplyError("READONLY You can't write against a read only replica."), 'x'))
      .to.deep.equal({ action: 'reroute' });
  });

  it('retries a ConnectionError only when the command was never sent', () => {
    expect(redirectionFor(new ConnectionError('not connected', { unsent: true }), 'x').action).to.equal('reroute');
    expect(redirectionFor(new ConnectionError('lost; may have run'), 'x').action).to.equal('none');
    expect(redirectionFor(new ReplyError('WRONGTYPE no'), 'x').action).to.equal('none');
    expect(redirectionFor(new ReplyError('MOVED garbage'), 'x').action).to.equal('none');
  });
});
