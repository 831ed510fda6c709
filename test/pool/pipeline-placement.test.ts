import { expect } from 'chai';
import type { Pool as GenericPool } from 'generic-pool';
import type { Connection } from '../../lib/connection/connection.js';
import { Deadlines } from '../../lib/connection/deadlines.js';
import { Batch, Pending } from '../../lib/connection/pending.js';
import { ReplyRates } from '../../lib/pool/reply-rates.js';
import { Router } from '../../lib/pool/router.js';

/**
 * A connection as the router sees it when placing a pipeline: a count in flight and a count of
 * replies delivered, both set by the test.
 */
class FakeConnection {
  state = 'ready';
  boundHandles = 0;
  blockingInFlight = 0;
  inFlight = 0;
  /** Of those, waiting to be written (the outbox). */
  queued = 0;
  answered = 0;
  /** Pipelines sent here, by length. */
  readonly received: number[] = [];
  #current = 0;

  heavy(): boolean {
    return false;
  }
  send(_pending: Pending): void {
    this.inFlight++;
    this.#current++;
  }
  /** Closes the record of the pipeline just sent (the router sends one command at a time). */
  mark(): void {
    if (this.#current > 0) this.received.push(this.#current);
    this.#current = 0;
  }
}

/**
 * A router over two fake connections, both in rotation, whose reply rates read a clock the test
 * steps with `advance(ms)`: a window passes when the test says so, not when a timer of the host's
 * choosing fires (a 40 ms sleep was one window on a fast host, and anything on a busy one).
 */
async function twoConnections(): Promise<{
  router: Router;
  a: FakeConnection;
  b: FakeConnection;
  pipeline(n: number): void;
  advance(ms: number): void;
}> {
  const made = [new FakeConnection(), new FakeConnection()];
  let next = 0;
  const gp = {
    get size() {
      return next;
    },
    max: 2,
    available: 0,
    pending: 0,
    acquire: async () => made[next++]!,
    release: async () => undefined,
    destroy: async () => undefined,
    isBorrowedResource: () => true,
  } as unknown as GenericPool<Connection>;
  let now = 0;
  const rates = new ReplyRates(() => now);
  const advance = (ms: number): void => {
    now += ms;
  };
  const router = new Router(gp, { size: 2, maxPending: 10_000, acquireTimeout: 0 }, new Deadlines(() => undefined), rates);
  const pipeline = (n: number): void => {
    const pendings = Array.from({ length: n }, () => new Pending('*1\r\n$4\r\nPING\r\n', 'PING', false));
    const batch = new Batch(n, () => undefined);
    pendings.forEach((p, i) => p.joinBatch(batch, i));
    router.dispatchAll(pendings);
    for (const c of made) c.mark();
  };
  // Two pipelines of 100 grow the rotation to both connections.
  pipeline(100);
  await new Promise((resolve) => setImmediate(resolve));
  pipeline(100);
  await new Promise((resolve) => setImmediate(resolve));
  for (const c of made) c.mark();
  expect(router.connections).to.have.length(2);
  return { router, a: made[0]!, b: made[1]!, pipeline, advance };
}

describe('pool router: a pipeline goes to the connection with the shortest expected wait', function () {
  it('before any reply rate is known, to the one with the fewest in flight', async function () {
    const { a, b, pipeline } = await twoConnections();
    a.inFlight = 5000;
    b.inFlight = 3000;
    a.received.length = b.received.length = 0;
    pipeline(1000);
    expect(b.received).to.deep.equal([1000]);
    expect(a.received).to.deep.equal([]);
  });

  it('to one that answers fast rather than one with fewer in flight that answers slowly (issue 14)', async function () {
    const { a, b, pipeline, advance } = await twoConnections();
    a.inFlight = 12_000;
    b.inFlight = 8_000;
    pipeline(10); // first estimate: the counts so far
    advance(40);
    // Over those 40 ms a answered 8,000 replies, b 100: a's 12,000 clear in about 60 ms, b's 8,000 in seconds.
    a.answered += 8000;
    b.answered += 100;
    a.received.length = b.received.length = 0;
    pipeline(1000);
    expect(a.received).to.deep.equal([1000]);
    expect(b.received).to.deep.equal([]);
  });

  it('a connection that looked slow gets pipelines again once its queue is short', async function () {
    const { a, b, pipeline, advance } = await twoConnections();
    a.inFlight = 10_000;
    b.inFlight = 10_000;
    pipeline(10);
    advance(40);
    a.answered += 10_000; // about 250 a ms
    b.answered += 400; // about 10 a ms
    a.received.length = b.received.length = 0;
    pipeline(1000);
    expect(a.received).to.deep.equal([1000]);
    // b drained what it held: its wait estimate is its count over its (slow) rate, now the shortest.
    b.inFlight = 50;
    pipeline(1000);
    expect(b.received).to.deep.equal([1000]);
  });

  it('not to one whose outbox cannot take the whole pipeline (maxPending), however fast', async function () {
    const { a, b, pipeline, advance } = await twoConnections();
    a.inFlight = 9_500;
    a.queued = 9_500; // written at the end of this tick; another 1000 would pass maxPending (10,000)
    b.inFlight = 9_000;
    pipeline(10);
    advance(40);
    a.answered += 10_000;
    b.answered += 10;
    a.received.length = b.received.length = 0;
    pipeline(1000);
    expect(b.received).to.deep.equal([1000]);
    expect(a.received).to.deep.equal([]);
  });
});
