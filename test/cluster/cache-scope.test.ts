import { expect } from 'chai';
import { cacheScopes, changedScopes } from '../../lib/cluster/cache-scope.js';
import type { SlotMap } from '../../lib/cluster/slot-map.js';

function map(owners: [string, string[], [number, number][]][]): SlotMap {
  const slots = new Int16Array(16384).fill(-1);
  owners.forEach(([, , ranges], shard) => {
    for (const [a, b] of ranges) slots.fill(shard, a, b + 1);
  });
  return { shards: owners.map(([primary, replicas]) => ({ primary, replicas })), slots, fingerprint: '' };
}

describe('cluster cache scopes (what a node serves, for its client-side cache)', () => {
  const before = map([['a:1', ['a:2'], [[0, 8191]]], ['b:1', ['b:2'], [[8192, 16383]]]]);

  it('names each node\'s role and its shard\'s slot ranges', () => {
    expect(Object.fromEntries(cacheScopes(before))).to.deep.equal({
      'a:1': 'primary 0-8191', 'a:2': 'replica 0-8191', 'b:1': 'primary 8192-16383', 'b:2': 'replica 8192-16383',
    });
  });

  it('a moved slot changes both shards; a failover changes the two nodes that swapped', () => {
    const moved = map([['a:1', ['a:2'], [[0, 8190]]], ['b:1', ['b:2'], [[8191, 16383]]]]);
    expect(changedScopes(cacheScopes(before), cacheScopes(moved)).sort()).to.deep.equal(['a:1', 'a:2', 'b:1', 'b:2']);
    const failedOver = map([['a:2', ['a:1'], [[0, 8191]]], ['b:1', ['b:2'], [[8192, 16383]]]]);
    expect(changedScopes(cacheScopes(before), cacheScopes(failedOver)).sort()).to.deep.equal(['a:1', 'a:2']);
    expect(changedScopes(cacheScopes(before), cacheScopes(before))).to.deep.equal([]);
    expect(cacheScopes(map([['a:1', [], [[5, 5], [7, 9]]]])).get('a:1')).to.equal('primary 5,7-9');
  });
});
