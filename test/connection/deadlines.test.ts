import { expect } from 'chai';
import { Deadlines, effectiveDeadline, PipelineDeadline, QueueWait } from '../../lib/connection/deadlines.js';
import { Pending } from '../../lib/connection/pending.js';

function pending(): Pending {
  const p = new Pending('*1\r\n$4\r\nPING\r\n', 'PING', false);
  p.promise().catch(() => undefined);
  return p;
}

/** A Deadlines that fails what expires and records it; `finished` once `count` have. */
function expiring(count: number): { deadlines: Deadlines; expired: Pending[]; finished: Promise<void> } {
  const expired: Pending[] = [];
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const deadlines = new Deadlines((p) => {
    expired.push(p);
    p.fail(new Error('timeout'));
    if (expired.length === count) done();
  });
  return { deadlines, expired, finished };
}

describe('Deadlines (one coarse timer for all command timeouts)', function () {
  it('expires only what is past its deadline, once, and skips settled commands', async function () {
    const { deadlines, expired, finished } = expiring(1);
    const soon = pending();
    const later = pending();
    const answered = pending();
    soon.deadline = Date.now() + 20;
    later.deadline = Date.now() + 60_000;
    answered.deadline = Date.now() + 10;
    deadlines.add(soon);
    deadlines.add(later);
    deadlines.add(answered);
    answered.reply('PONG');
    await finished;
    expect(expired).to.deep.equal([soon]);
    expect(deadlines.size).to.equal(1);
    deadlines.stop();
  });

  it('a queued command waits for its queue deadline; once written only its own', function () {
    const p = pending();
    p.deadline = 5000;
    p.queueDeadline = 1000;
    expect(effectiveDeadline(p)).to.equal(1000);
    p.written = true;
    expect(effectiveDeadline(p)).to.equal(5000);
    p.deadline = 0;
    expect(effectiveDeadline(p)).to.equal(Infinity);
  });

  it('a waiting pipeline is one entry; at its deadline only its unwritten, unsettled commands expire', async function () {
    const { deadlines, expired, finished } = expiring(2);
    const [written, answered, waiting1, waiting2] = [pending(), pending(), pending(), pending()];
    const wait = new QueueWait([written, answered, waiting1, waiting2], Date.now() + 20);
    expect(waiting2.queueWatched).to.equal(true);
    deadlines.addWait(wait);
    expect(deadlines.size).to.equal(1);
    written.written = true;
    answered.reply('OK');
    // Another, all written before its deadline: dropped, nothing expires.
    const sent = [pending(), pending()];
    deadlines.addWait(new QueueWait(sent, Date.now() + 20));
    for (const p of sent) p.written = true;
    await finished;
    expect(expired).to.deep.equal([waiting1, waiting2]);
    expect(wait.next).to.equal(2);
    expect(deadlines.size).to.equal(0);
    deadlines.stop();
  });

  it('a pipeline under one timeout is one entry; at its deadline every unsettled command expires, in order, with the timeout set', async function () {
    const { deadlines, expired, finished } = expiring(2);
    const [answered, aborted, written, late, unwritten] = [pending(), pending(), pending(), pending(), pending()];
    const pipeline = new PipelineDeadline([answered, aborted, written, late, unwritten], Date.now() + 20, 20);
    deadlines.addPipeline(pipeline);
    expect(deadlines.size).to.equal(1);
    answered.reply('OK');
    aborted.fail(new Error('aborted'));
    written.written = true;
    late.written = true;
    late.reply('OK'); // settled out of turn: stepped over, not expired
    // Another, answered whole before its deadline: dropped, nothing expires.
    const quick = [pending(), pending()];
    deadlines.addPipeline(new PipelineDeadline(quick, Date.now() + 20, 20));
    for (const p of quick) p.reply('OK');
    expect(deadlines.size).to.equal(2);
    await finished;
    expect(expired).to.deep.equal([written, unwritten]);
    expect(expired.map((p) => p.timeout)).to.deep.equal([20, 20]);
    expect(answered.timeout).to.equal(0); // no record made for a command that did not expire
    expect(pipeline.next).to.equal(2);
    expect(deadlines.size).to.equal(0);
    deadlines.stop();
  });
});
