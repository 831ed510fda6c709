import { expect } from 'chai';
import { PoolClosedError, createCluster } from '../../lib/index.js';
import { startLoad, stopLoads } from './cluster-load.js';

describe('helpers/cluster-load', () => {
  it('callers whose commands fail at once (a closed cluster) leave timers running, and stopLoads ends them', async () => {
    // No server: a closed cluster client rejects every command before any I/O. The callers
    // once spun on such rejections alone: no timer ran again and the errors filled the heap.
    const cluster = createCluster({ nodes: ['redis://127.0.0.1:1'] });
    await cluster.close();
    const load = startLoad(cluster, 50, 'closed');
    const ticks = await new Promise<number>((resolve) => {
      let n = 0;
      const timer = setInterval(() => {
        if (++n === 5) {
          clearInterval(timer);
          resolve(n);
        }
      }, 5);
    });
    expect(ticks).to.equal(5);
    expect(load.result.failed).to.be.greaterThan(0);
    expect(load.result.errors[0]!.error).to.be.instanceOf(PoolClosedError);
    await stopLoads();
    const failed = load.result.failed;
    await new Promise((resolve) => setImmediate(resolve));
    expect(load.result.failed, 'no caller runs after stopLoads').to.equal(failed);
    expect(load.result.errors.length).to.be.at.most(10_000);
  });
});
