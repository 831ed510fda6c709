import { expect } from 'chai';
import { createCluster } from '../../lib/index.js';
import type { ClusterRedirectionMessage, ClusterTopologyMessage } from '../../lib/diagnostics/channels.js';
import { keySlot } from '../../lib/cluster/slot.js';
import { freePort } from '../helpers/ports.js';
import { sharedCluster, type RedisCluster } from '../helpers/redis-cluster.js';
import { recordChannel } from './record.js';

describe('diagnostics channels: cluster', function () {
  this.timeout(60_000);
  let redis: RedisCluster;

  before(async () => {
    redis = await sharedCluster();
  });

  it('respool:cluster:topology: the first map, with every primary and replica and the slots covered', async () => {
    const topology = recordChannel<ClusterTopologyMessage>('respool:cluster:topology');
    const cluster = createCluster({ nodes: [redis.urls[0]!], refreshInterval: 0 });
    try {
      await cluster.refresh();
      const first = await topology.first((m) => m.reason === 'initial');
      expect(first.primaries).to.have.length(3);
      expect(first.replicas).to.have.length(3);
      expect(first.slotsCovered).to.equal(16384);
      expect(first.errors).to.equal(undefined);
    } finally {
      topology.stop();
      await cluster.close();
    }
  });

  it('respool:cluster:topology: a failed refresh names each node and its error', async () => {
    const topology = recordChannel<ClusterTopologyMessage>('respool:cluster:topology');
    const port = await freePort();
    const cluster = createCluster({ nodes: [`redis://127.0.0.1:${port}`], refreshInterval: 0, acquireTimeout: 500 });
    try {
      const failed = await topology.first((m) => m.reason === 'failed');
      expect(failed.primaries).to.deep.equal([]);
      expect([...failed.errors!.keys()]).to.deep.equal([`127.0.0.1:${port}`]);
      expect(failed.errors!.get(`127.0.0.1:${port}`)).to.be.instanceOf(Error);
    } finally {
      topology.stop();
      await cluster.close();
    }
  });

  it('respool:cluster:redirection: MOVED names the slot, both nodes and the command', async () => {
    const key = 'channels:moved';
    const slot = keySlot(key);
    const owner = await redis.ownerOf(slot);
    const target = (await redis.primaries()).find((s) => s.port !== owner.port)!.port;
    const cluster = createCluster({ nodes: [redis.urls[0]!], refreshInterval: 0 });
    const redirections = recordChannel<ClusterRedirectionMessage>('respool:cluster:redirection');
    try {
      await cluster.command(['SET', key, 'v']);
      await redis.migrateSlot(slot, target);
      expect(await cluster.command(['GET', key])).to.equal('v');
      const moved = await redirections.first((m) => m.kind === 'moved');
      expect(moved).to.deep.include({
        slot, from: `127.0.0.1:${owner.port}`, to: `127.0.0.1:${target}`, 'db.operation.name': 'GET',
      });
    } finally {
      redirections.stop();
      await cluster.close();
      // The shared cluster goes back as it was.
      await redis.migrateSlot(slot, owner.port);
      await redis.waitForOk();
    }
  });
});
