import { expect } from 'chai';
import { Deadlines, effectiveDeadline } from '../../lib/connection/deadlines.js';
import { Pending } from '../../lib/connection/pending.js';

function pending(): Pending {
  const p = new Pending('*1\r\n$4\r\nPING\r\n', 'PING', false);
  p.promise().catch(() => undefined);
  return p;
}

describe('Deadlines (one coarse timer for all command timeouts)', function () {
  it('expires only what is past its deadline, once, and skips settled commands', async function () {
    const expired: Pending[] = [];
    let done!: () => void;
    const finished = new Promise<void>((resolve) => (done = resolve));
    const deadlines = new Deadlines((p) => {
      expired.push(p);
      p.fail(new Error('timeout'));
      if (expired.length === 1) done();
    });
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
});
