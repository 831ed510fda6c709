import { expect } from 'chai';
import { measure, type ChildTask } from '../../bench/clients/harness.js';
import {
  PIPELINE_LENGTH,
  SCENARIO_TABLE,
  settingsFromEnv,
  throwFirstError,
  VALUE,
  type BenchClient,
  type BenchCommand,
} from '../../bench/scenarios.js';

/** A client that answers from a Map after a turn of the event loop, recording what it saw. */
function fakeClient(options: { failEvery?: number; wrongValue?: boolean } = {}) {
  const store = new Map<string, string>();
  const seen: BenchCommand[] = [];
  let calls = 0;
  const answer = (c: BenchCommand) =>
    new Promise<unknown>((resolve, reject) => {
      setImmediate(() => {
        seen.push(c);
        calls++;
        if (options.failEvery && calls % options.failEvery === 0) return reject(new Error('boom'));
        if (c[0] === 'SET') store.set(c[1], c[2]);
        resolve(c[0] === 'SET' ? 'OK' : options.wrongValue ? 'nope' : (store.get(c[1]) ?? null));
      });
    });
  const client: BenchClient = {
    use1: answer,
    command: answer,
    // A pipeline's replies come back together, as from one read of a real connection. Awaited
    // one by one, 1000 commands took 1000 event-loop turns: 50-260 ms on a loaded machine,
    // longer than the 100 ms window, which then saw no pipeline finish (opsPerSec 0).
    pipeline: async (commands) => {
      await Promise.all(commands.map(answer));
    },
    close: async () => undefined,
  };
  return { client, seen };
}

const task = (scenario: ChildTask['scenario']): ChildTask => ({
  client: 'fake',
  scenario,
  url: 'redis://unused',
  warmupMs: 20,
  measureMs: 100,
  concurrency: 4,
  poolSize: 1,
});

describe('bench/scenarios and the child harness', () => {
  it('alternates SET and GET of a 64-byte value on the caller\'s own key', async () => {
    const calls: BenchCommand[] = [];
    const recorder = { command: async (c: BenchCommand) => calls.push(c) } as unknown as BenchClient;
    const op = SCENARIO_TABLE.command.operation(recorder, 7);
    await op(0);
    await op(1);
    expect(calls).to.deep.equal([['SET', 'bench:7', VALUE], ['GET', 'bench:7']]);
    expect(Buffer.byteLength(VALUE)).to.equal(64);
  });

  it('sends pipelines of 1000 commands, half of them SET', async () => {
    let batch: readonly BenchCommand[] = [];
    const recorder = { pipeline: async (c: readonly BenchCommand[]) => (batch = c) } as unknown as BenchClient;
    await SCENARIO_TABLE.pipeline1000.operation(recorder, 0)(0);
    expect(batch).to.have.length(PIPELINE_LENGTH);
    expect(batch.filter((c) => c[0] === 'SET')).to.have.length(PIPELINE_LENGTH / 2);
    expect(SCENARIO_TABLE.pipeline1000.commandsPerOp).to.equal(PIPELINE_LENGTH);
  });

  it('throwFirstError throws the first in-place error and passes clean replies', () => {
    const first = new Error('first');
    expect(() => throwFirstError(['OK', null, first, new Error('second')])).to.throw(first);
    expect(() => throwFirstError(['OK', 'v', 3])).not.to.throw();
  });

  describe('settingsFromEnv', () => {
    it('defaults to 3 rounds of 3 s after 1 s, 200 callers, pool of 8', () => {
      expect(settingsFromEnv({})).to.deep.equal({
        quick: false, rounds: 3, measureMs: 3000, warmupMs: 1000, concurrency: 200, poolSize: 8,
      });
    });

    it('BENCH_QUICK makes one short round; explicit settings still win', () => {
      const quick = settingsFromEnv({ BENCH_QUICK: '1', BENCH_CONCURRENCY: '50' });
      expect(quick).to.include({ quick: true, rounds: 1, measureMs: 1000, concurrency: 50 });
    });

    it('rejects nonsense rather than running a zero-length bench', () => {
      expect(() => settingsFromEnv({ BENCH_ROUNDS: '0' })).to.throw(/BENCH_ROUNDS/);
      expect(() => settingsFromEnv({ BENCH_SECONDS: 'abc' })).to.throw(/BENCH_SECONDS/);
    });
  });

  describe('measure', () => {
    it('counts commands per second and latencies over the measured window only', async () => {
      const { client, seen } = fakeClient();
      const { result, commandsCompleted } = await measure(client, task('command'));
      expect(result.errors).to.equal(0);
      expect(result.opsPerSec).to.be.greaterThan(0);
      expect(result.p50).to.be.at.most(result.p99);
      // Warm-up commands and the read-back are sent but not counted in the window.
      expect(commandsCompleted).to.be.at.least((result.opsPerSec * 100) / 1000);
      expect(seen.length).to.be.greaterThan(commandsCompleted);
    });

    it('counts a whole pipeline as its commands', async () => {
      const { client } = fakeClient();
      const { result, commandsCompleted } = await measure(client, task('pipeline1000'));
      expect(commandsCompleted % PIPELINE_LENGTH).to.equal(0);
      expect(result.opsPerSec).to.be.greaterThan(0);
    });

    it('counts failures as errors, not throughput', async () => {
      const { client: failing } = fakeClient({ failEvery: 3 });
      // The read-back after the run goes through `command`: retried once, so it is not itself
      // the third call that fails (it was, about one run in six).
      const client = { ...failing, command: (c: BenchCommand) => failing.command(c).catch(() => failing.command(c)) };
      const { result } = await measure(client, task('use1'));
      expect(result.errors).to.be.greaterThan(0);
    });

    it('rejects a client that answers the read-back wrongly', async () => {
      const { client } = fakeClient({ wrongValue: true });
      let error: unknown;
      await measure(client, task('command')).catch((err: unknown) => (error = err));
      expect(String(error)).to.match(/returned "nope"/);
    });
  });
});
