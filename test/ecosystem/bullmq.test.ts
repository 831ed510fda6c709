/**
 * bullmq 6 (Queue, Worker, QueueEvents) on respool through ioredisCompat. bullmq wraps the
 * client in its own ioredis adapter, defines ~50 Lua scripts with defineCommand, runs them
 * alone, in pipelines and in MULTI, duplicates the client for its blocking connections
 * (BZPOPMIN for the worker, XREAD BLOCK for the events) and names them with CLIENT SETNAME.
 * Blocking commands take connections of their own from the pool, so they must not starve it;
 * closing aborts them, so close() is prompt (bullmq's waits are up to 5-10 s otherwise).
 *
 * On a Cluster, bullmq's keys share one slot through a hash-tag prefix (`{bull}`), as bullmq
 * asks of ioredis Cluster users; the compat client itself says `isCluster: false` and the
 * cluster routes each command by its key.
 */
import { expect } from 'chai';
import { Queue, QueueEvents, Worker, type Job } from 'bullmq';
import { Cluster, type PoolStats } from '../../lib/index.js';
import { ioredisCompat } from '../../lib/compat/index.js';
import { BACKENDS, sharedBackend, type EcosystemContext } from './support.js';

/** Exclusive leases out (blocking commands), on the pool or summed over the cluster's nodes. */
function exclusive(ctx: EcosystemContext): number {
  const backend = ctx.backend;
  const all: PoolStats[] = backend instanceof Cluster ? backend.stats.nodes : [backend.stats];
  return all.reduce((n, s) => n + s.exclusive, 0);
}

describe('ecosystem: bullmq 6 (ioredisCompat)', function () {
  this.timeout(20_000);
  for (const kind of BACKENDS) {
    describe(kind, () => {
      // Two blocking consumers (the worker's BZPOPMIN, the events' XREAD) and room for the rest.
      const ctx = sharedBackend(kind, { size: 4 });
      let queue: Queue;
      let events: QueueEvents;
      let worker: Worker;
      const handled: { name: string; at: number }[] = [];

      before(async () => {
        const connection = ioredisCompat(ctx.backend) as never;
        const prefix = ctx.tag('bull');
        queue = new Queue('mail', { connection, prefix });
        events = new QueueEvents('mail', { connection, prefix });
        worker = new Worker('mail', async (job: Job<{ n: number }>) => {
          handled.push({ name: job.name, at: Date.now() });
          if (job.name === 'boom') throw new Error(`cannot send ${job.data.n}`);
          return { doubled: job.data.n * 2 };
        }, { connection, prefix, concurrency: 2 });
        await Promise.all([queue.waitUntilReady(), events.waitUntilReady(), worker.waitUntilReady()]);
      });

      after(async () => {
        await worker?.close();
        await events?.close();
        await queue?.close();
      });

      it('runs a job and hands its result to the waiter (QueueEvents + waitUntilFinished)', async () => {
        const job = await queue.add('welcome', { n: 21 });
        expect(await job.waitUntilFinished(events, 10_000)).to.deep.equal({ doubled: 42 });
        const stored = await queue.getJob(job.id!);
        expect(stored?.returnvalue).to.deep.equal({ doubled: 42 });
        expect(await stored?.getState()).to.equal('completed');
      });

      it('runs a delayed job no earlier than its delay', async () => {
        const added = Date.now();
        const job = await queue.add('reminder', { n: 5 }, { delay: 400 });
        expect(await job.getState()).to.equal('delayed');
        expect(await job.waitUntilFinished(events, 10_000)).to.deep.equal({ doubled: 10 });
        const run = handled.find((h) => h.name === 'reminder')!;
        expect(run.at - added).to.be.at.least(400);
      });

      it('reports a failed job to its waiter, after its retries', async () => {
        const job = await queue.add('boom', { n: 7 }, { attempts: 2 });
        const failure: unknown = await job.waitUntilFinished(events, 10_000).then(() => 'completed', (err: unknown) => err);
        expect((failure as Error).message).to.equal('cannot send 7');
        expect(handled.filter((h) => h.name === 'boom')).to.have.length(2);
        expect((await queue.getJob(job.id!))?.attemptsMade).to.equal(2);
      });

      it('runs a batch (addBulk: scripts in MULTI) and counts the jobs', async () => {
        const jobs = await queue.addBulk(Array.from({ length: 10 }, (_, i) => ({ name: 'bulk', data: { n: i } })));
        const results = await Promise.all(jobs.map((job) => job.waitUntilFinished(events, 10_000)));
        expect(results.map((r: { doubled: number }) => r.doubled)).to.deep.equal([0, 2, 4, 6, 8, 10, 12, 14, 16, 18]);
        const counts = await queue.getJobCounts('completed', 'failed', 'delayed', 'waiting', 'active');
        // The server is emptied before each test: these are this test's jobs.
        expect(counts).to.deep.equal({ completed: 10, failed: 0, delayed: 0, waiting: 0, active: 0 });
      });

      it('blocking consumers do not starve the pool: commands flow while BZPOPMIN and XREAD wait', async () => {
        // The worker is idle: its BZPOPMIN and the events' XREAD BLOCK hold leases meanwhile.
        const started = Date.now();
        for (let i = 0; i < 20; i++) expect(await ctx.backend.command(['PING'])).to.equal('PONG');
        expect(Date.now() - started).to.be.below(2_000);
        expect(exclusive(ctx)).to.be.within(1, 3);
      });

      it('close() is prompt and gives every blocking connection back', async () => {
        const started = Date.now();
        await worker.close();
        await events.close();
        expect(Date.now() - started).to.be.below(3_000); // not the 5 s BZPOPMIN / 10 s XREAD waits
        expect(exclusive(ctx)).to.equal(0);
        // No connection is left blocked on the server (flag b).
        const clients = await ctx.cli('CLIENT', 'LIST');
        expect(clients).to.not.match(/flags=\w*b/);
      });
    });
  }
});
