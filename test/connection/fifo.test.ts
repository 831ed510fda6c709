import { expect } from 'chai';
import { Fifo } from '../../lib/connection/fifo.js';

describe('Fifo', function () {
  it('keeps first-in first-out order across growth and wrap-around', function () {
    const fifo = new Fifo<number>(4);
    const seen: number[] = [];
    let next = 0;
    // Interleave pushes and shifts so head wraps many times while the ring grows.
    for (let round = 0; round < 100; round++) {
      for (let i = 0; i < (round % 7) + 3; i++) fifo.push(next++);
      for (let i = 0; i < (round % 5) + 1; i++) {
        const item = fifo.shift();
        if (item !== undefined) seen.push(item);
      }
    }
    seen.push(...fifo.drain());
    expect(seen).to.deep.equal(Array.from({ length: next }, (_, i) => i));
    expect(fifo.length).to.equal(0);
    expect(fifo.shift()).to.equal(undefined);
    expect(fifo.peek()).to.equal(undefined);
  });

  it('peek returns the oldest item without removing it', function () {
    const fifo = new Fifo<string>();
    fifo.push('a');
    fifo.push('b');
    expect(fifo.peek()).to.equal('a');
    expect(fifo.length).to.equal(2);
  });
});
