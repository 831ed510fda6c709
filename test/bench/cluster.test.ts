import { expect } from 'chai';
import { CLUSTER_CLIENTS, renderClusterMarkdown } from '../../bench/cluster/run.js';
import { CLUSTER_SCENARIO_TABLE, mixedSlotCommand, seedsOf } from '../../bench/cluster/scenario.js';
import { PIPELINE_LENGTH, settingsFromEnv, VALUE } from '../../bench/scenarios.js';
import { summarize } from '../../bench/stats.js';
import { keySlot } from '../../lib/cluster/slot.js';

describe('bench/cluster: the mixed-slot pipeline and the report', () => {
  it('builds pipelines that write then read each key, over slots of every third of the slot space', () => {
    const batch = Array.from({ length: PIPELINE_LENGTH }, (_, i) => mixedSlotCommand(i));
    expect(batch[0]).to.deep.equal(['SET', 'bench:0', VALUE]);
    expect(batch[1]).to.deep.equal(['GET', 'bench:0']);
    const slots = new Set(batch.map((c) => keySlot(c[1])));
    expect(slots.size).to.be.greaterThan(400);
    // redis-cli --cluster create splits the slots in three ranges: every range gets commands.
    const thirds = new Set([...slots].map((s) => Math.floor((s * 3) / 16384)));
    expect([...thirds].sort()).to.deep.equal([0, 1, 2]);
    expect(CLUSTER_SCENARIO_TABLE.pipeline1000.commandsPerOp).to.equal(PIPELINE_LENGTH);
  });

  it('reads the seeds from the task url', () => {
    expect(seedsOf('redis://127.0.0.1:7000,redis://127.0.0.1:7001')).to.deep.equal({
      urls: ['redis://127.0.0.1:7000', 'redis://127.0.0.1:7001'],
      hostPorts: [{ host: '127.0.0.1', port: 7000 }, { host: '127.0.0.1', port: 7001 }],
    });
  });

  it('reports each scenario with ratios to the best peer, and the failed runs', () => {
    const row = (client: string, scenario: string, opsPerSec: number) =>
      ({ client, scenario, opsPerSec, p50: 500, p99: 2000, errors: 0 });
    const summaries = summarize([
      row('respool', 'command', 300_000), row('glide-cluster', 'command', 100_000),
      row('ioredis-cluster-auto', 'command', 50_000), row('respool', 'use1', 200_000),
    ], 'respool');
    const markdown = renderClusterMarkdown(summaries, settingsFromEnv({}), CLUSTER_CLIENTS,
      { redis: '7.0.15', node: 'v20', cpu: '2 × x', date: '2026-12-04', size: 4, pipelineCallers: 20 },
      ['node-redis-cluster pipeline1000 round 1: boom']);
    expect(markdown).to.include('| **respool** | 300,000 | 500 µs | 2.00 ms | 3.00× | 0 |');
    expect(markdown).to.include('| GLIDE GlideClusterClient | 100,000 |');
    expect(markdown).to.include('200 concurrent callers (20 for pipelines)');
    expect(markdown).to.include('respool with 4 connections per node');
    expect(markdown).to.match(/`pipeline1000`[^\n]*\n\nNo results\./);
    expect(markdown).to.include('- node-redis-cluster pipeline1000 round 1: boom');
  });
});
