import { expect } from 'chai';
import { Progress, renderBar, type ProgressStream } from '../../bench/progress.js';

class FakeStream implements ProgressStream {
  text = '';
  constructor(
    readonly isTTY: boolean,
    readonly columns = 80,
  ) {}
  write(chunk: string): boolean {
    this.text += chunk;
    return true;
  }
}

describe('bench/progress', () => {
  describe('renderBar', () => {
    it('fills the bar in proportion and shows percent, label and time left', () => {
      const line = renderBar(0.5, 'ioredis · command', 40.2, 80);
      expect(line).to.match(/^\[#+-+\]  50%  ioredis · command  ~41s left$/);
      const bar = /\[([#-]+)\]/.exec(line)![1];
      expect(bar.split('#').length - 1).to.equal(bar.length / 2);
    });

    it('clamps the fraction and never exceeds the width', () => {
      expect(renderBar(1.7, 'x', 0)).to.include('100%');
      expect(renderBar(-1, 'x', 0)).to.include('  0%');
      expect(renderBar(0.3, 'a very long label '.repeat(10), 5, 60)).to.have.length(59);
    });
  });

  describe('Progress', () => {
    it('prints one plain line per step when not on a terminal', () => {
      const stream = new FakeStream(false);
      const progress = new Progress(2000, 2, stream);
      progress.start('first', 1000);
      progress.finish();
      progress.start('second', 1000);
      progress.note('failed: second');
      progress.finish();
      progress.close();
      expect(stream.text).to.equal('[1/2] first\n[2/2] second\nfailed: second\n');
    });

    it('advances with time inside a step, up to the step length', () => {
      let now = 0;
      const progress = new Progress(4000, 2, new FakeStream(false), () => now);
      progress.start('a', 2000);
      now = 1000;
      expect(progress.fraction()).to.equal(0.25);
      now = 5000; // the step overran its estimate
      expect(progress.fraction()).to.equal(0.5);
      progress.finish();
      progress.start('b', 2000);
      expect(progress.fraction()).to.equal(0.5);
      progress.close();
    });

    it('redraws in place on a terminal and clears the line on close', () => {
      const stream = new FakeStream(true);
      const progress = new Progress(1000, 1, stream, () => 0);
      progress.start('only', 1000);
      progress.close();
      expect(stream.text.startsWith('\r\x1b[K[')).to.equal(true);
      expect(stream.text).to.include('only');
      expect(stream.text).not.to.include('\n');
      expect(stream.text.endsWith('\r\x1b[K')).to.equal(true);
    });
  });
});
