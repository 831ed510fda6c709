/**
 * Where Sender.address sends a command, per readFrom, on a plain slot map (no server: the
 * routing rule alone; test/cluster/failover.test.ts checks it on a real cluster).
 */
import { expect } from 'chai';
import type { NodePools } from '../../lib/cluster/nodes.js';
import type { ReadFrom } from '../../lib/cluster/options.js';
import { KEYLESS } from '../../lib/cluster/route.js';
import { Sender } from '../../lib/cluster/sender.js';
import type { SlotMap } from '../../lib/cluster/slot-map.js';
import type { Topology } from '../../lib/cluster/topology.js';
import { ConnectionError } from '../../lib/errors.js';

/** Three shards; slot 0 is served by shard 0 (whose replica is r0), shard 2 has no replica. */
function map(): SlotMap {
  const slots = new Int16Array(16384).fill(1);
  slots[0] = 0;
  return {
    shards: [{ primary: 'p0', replicas: ['r0'] }, { primary: 'p1', replicas: ['r1'] }, { primary: 'p2', replicas: [] }],
    slots,
    fingerprint: '',
  };
}

function sender(readFrom: ReadFrom, down: readonly string[] = []): Sender {
  const nodes = { isDown: (address: string) => down.includes(address) } as unknown as NodePools;
  return new Sender({} as Topology, nodes, {
    readFrom, maxRedirections: 16, retryBudget: 1000, commandTimeout: 0, failFast: false,
  }, () => {});
}

const many = (s: Sender, slot: number, readOnly: boolean) =>
  new Set(Array.from({ length: 12 }, () => s.address(map(), slot, readOnly)));

describe('cluster: Sender.address per readFrom', () => {
  it("keyless read-only commands go to the replicas of any shard with 'replica' and 'preferReplica'", () => {
    for (const readFrom of ['replica', 'preferReplica'] as const) {
      expect(many(sender(readFrom), KEYLESS, true), readFrom).to.deep.equal(new Set(['r0', 'r1']));
      // Other keyless commands: the primaries, round robin.
      expect(many(sender(readFrom), KEYLESS, false), readFrom).to.deep.equal(new Set(['p0', 'p1', 'p2']));
    }
    expect(many(sender('primary'), KEYLESS, true)).to.deep.equal(new Set(['p0', 'p1', 'p2']));
  });

  it("keyless reads with every replica down: a primary for 'preferReplica', none (ENOREPLICA) for 'replica'", () => {
    expect(many(sender('replica', ['r1']), KEYLESS, true)).to.deep.equal(new Set(['r0']));
    expect(many(sender('preferReplica', ['r0', 'r1']), KEYLESS, true)).to.deep.equal(new Set(['p0', 'p1', 'p2']));
    const replicasOnly = sender('replica', ['r0', 'r1']);
    expect(many(replicasOnly, KEYLESS, true)).to.deep.equal(new Set([null]));
    const why = replicasOnly.unserved(map(), KEYLESS, true);
    expect(why).to.be.instanceOf(ConnectionError);
    expect(why).to.include({ code: 'ENOREPLICA', unsent: true });
    expect(why.message).to.include('p0, p1, p2');
  });

  it('keyed reads keep their shard', () => {
    expect(many(sender('replica'), 0, true)).to.deep.equal(new Set(['r0']));
    expect(many(sender('replica', ['r0']), 0, true)).to.deep.equal(new Set([null]));
    expect(many(sender('preferReplica', ['r0']), 0, true)).to.deep.equal(new Set(['p0']));
    expect(many(sender('replica'), 0, false)).to.deep.equal(new Set(['p0']));
  });
});
