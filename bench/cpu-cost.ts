/**
 * CPU time per command, measured the way bench/tracing-cost.ts and bench/typed-cost.ts both
 * measure it: each variant in a child process of its own (this module's callers re-run
 * themselves with the variant as argument), variants taking turns round by round; a child sends
 * its warm-up then its measured commands from many concurrent callers and prints one sample.
 * CPU time (user + system) per command is less disturbed by a busy machine than ops/s.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { redisTarget } from './redis.js';

const run = promisify(execFile);

export interface CpuSample {
  cpuNs: number;
  opsPerSec: number;
}

/**
 * In a child: runs `warmup` then `measured` calls of `one` from `callers` concurrent callers and
 * prints the sample of the measured ones as the child's last line.
 */
export async function printCpuSample(one: () => Promise<unknown>, warmup: number, measured: number, callers: number): Promise<void> {
  const load = async (total: number) => {
    let left = total;
    const caller = async () => {
      while (left-- > 0) await one();
    };
    await Promise.all(Array.from({ length: callers }, caller));
  };
  console.log(JSON.stringify(await measureCpu(load, warmup, measured)));
}

/**
 * Runs `load(warmup)`, then `load(measured)` timed: CPU time (user + system) per call of the
 * measured run, and calls per second of wall time.
 */
export async function measureCpu(load: (total: number) => Promise<void>, warmup: number, measured: number): Promise<CpuSample> {
  await load(warmup);
  const cpu = process.cpuUsage();
  const started = performance.now();
  await load(measured);
  const used = process.cpuUsage(cpu);
  const seconds = (performance.now() - started) / 1000;
  return { cpuNs: ((used.user + used.system) * 1000) / measured, opsPerSec: measured / seconds };
}

/**
 * In the parent: starts a redis-server (or uses REDIS_URL), runs `script <variant> <url>` once per
 * variant and round, and returns each variant's samples. With `reverseEvenRounds`, even rounds
 * run the variants in reverse, so neither side of a pair always runs first.
 */
export async function collectCpuSamples(
  script: string, variants: readonly string[], rounds: number, reverseEvenRounds: boolean,
): Promise<Map<string, CpuSample[]>> {
  const target = await redisTarget();
  const samples = new Map<string, CpuSample[]>(variants.map((v) => [v, []]));
  try {
    for (let round = 1; round <= rounds; round++) {
      const order = reverseEvenRounds && round % 2 === 0 ? [...variants].reverse() : variants;
      for (const variant of order) {
        const { stdout } = await run(process.execPath, ['--import', 'tsx', script, variant, target.url], { cwd: process.cwd() });
        samples.get(variant)!.push(JSON.parse(stdout.trim().split('\n').pop()!) as CpuSample);
      }
      process.stderr.write(`round ${round}/${rounds}\n`);
    }
  } finally {
    await target.stop();
  }
  return samples;
}
