/**
 * Pipelines under a command timeout (issue 14, PipelineDeadline): 200 callers each repeating a
 * 1000-command pipeline (half SET, half GET of 64 B), pool of 8, `commandTimeout: 5000`.
 * Variants `new` (this tree's lib/) and `base`, another copy of lib/ inside this repo named by
 * PT_BASE_LIB (as FLOOR_BASE_LIB in bench/floor-cost.ts: `mkdir -p scratch/base && git archive
 * <commit> lib | tar -x -C scratch/base`), each in its own child, alternating round by round.
 * Reports medians of commands/s, pipeline latency p50/p99, CPU ns per command, and the deadline
 * list: entries added per pipeline, entries read per tick (mean, peak), time per tick.
 *
 * `PT_BASE_LIB=scratch/base/lib node --import tsx bench/pipeline-timeout.ts [rounds (5)]`
 * Environment: REDIS_URL (else a redis-server is started), PT_CALLERS (200), PT_WARMUP_MS
 * (1000), PT_MEASURE_MS (3000), PT_BASE_LIB.
 */
import { spawn, execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const SELF = fileURLToPath(import.meta.url);
const CALLERS = Number(process.env.PT_CALLERS ?? 200);
const LENGTH = 1000;
const WARMUP_MS = Number(process.env.PT_WARMUP_MS ?? 1000);
const MEASURE_MS = Number(process.env.PT_MEASURE_MS ?? 3000);
const VALUE = 'v'.repeat(64);

interface Sample {
  variant: string;
  opsPerSec: number;
  p50: number;
  p99: number;
  cpuNsPerCommand: number;
  addsPerPipeline: number;
  meanTickSize: number;
  peakTickSize: number;
  /** Share of the measured wall time spent in Deadlines.tick. */
  tickShare: number;
  meanTickMs: number;
  errors: number;
}

async function child(variant: string, url: string): Promise<void> {
  const libDir = variant === 'base' ? resolve(process.env.PT_BASE_LIB!) : resolve(SELF, '../../lib');
  const { createPool } = (await import(pathToFileURL(resolve(libDir, 'index.ts')).href)) as typeof import('../lib/index.js');
  const { Deadlines } = (await import(pathToFileURL(resolve(libDir, 'connection/deadlines.ts')).href)) as typeof import('../lib/connection/deadlines.js');
  const proto = Deadlines.prototype as unknown as Record<string, ((this: { size: number }, x?: unknown) => void) | undefined>;
  let measuring = false;
  let adds = 0;
  let ticks = 0;
  let tickSizes = 0;
  let peak = 0;
  let tickMs = 0;
  for (const method of ['add', 'addWait', 'addPipeline']) {
    const original = proto[method];
    if (original === undefined) continue;
    proto[method] = function (entry) {
      if (measuring) adds++;
      original.call(this, entry);
    };
  }
  const tick = proto['tick']!;
  proto['tick'] = function () {
    if (measuring) {
      ticks++;
      tickSizes += this.size;
      if (this.size > peak) peak = this.size;
    }
    const t = performance.now();
    tick.call(this);
    if (measuring) tickMs += performance.now() - t;
  };

  const pool = createPool(url, { size: 8, commandTimeout: 5000 });
  await pool.command(['PING']);
  let stop = false;
  let done = 0;
  let errors = 0;
  const latencies: number[] = [];
  const callers = Array.from({ length: CALLERS }, async (_, c) => {
    const key = `pt:${c}`;
    const batch = Array.from({ length: LENGTH }, (_, i) => (i % 2 === 0 ? ['SET', key, VALUE] : ['GET', key]));
    while (!stop) {
      const start = performance.now();
      const replies = await pool.pipeline(batch);
      if (measuring) {
        latencies.push(performance.now() - start);
        done++;
        for (const r of replies) if (r instanceof Error) errors++;
      }
    }
  });
  await new Promise((r) => setTimeout(r, WARMUP_MS));
  measuring = true;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, MEASURE_MS));
  measuring = false;
  const elapsed = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  stop = true;
  await Promise.all(callers);
  await pool.close();
  latencies.sort((a, b) => a - b);
  const commands = done * LENGTH;
  const sample: Sample = {
    variant,
    opsPerSec: commands / (elapsed / 1000),
    p50: latencies[Math.floor(latencies.length * 0.5)]!,
    p99: latencies[Math.floor(latencies.length * 0.99)]!,
    cpuNsPerCommand: ((cpu.user + cpu.system) * 1000) / commands,
    addsPerPipeline: adds / Math.max(done, 1),
    meanTickSize: tickSizes / Math.max(ticks, 1),
    peakTickSize: peak,
    tickShare: tickMs / elapsed,
    meanTickMs: tickMs / Math.max(ticks, 1),
    errors,
  };
  console.log(JSON.stringify(sample));
}

function runChild(variant: string, url: string): Promise<Sample> {
  return new Promise((ok, fail) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', SELF, 'child', variant, url], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    proc.stdout.on('data', (d: Buffer) => (out += d));
    proc.on('exit', (code) => {
      const line = out.trim().split('\n').pop() ?? '';
      if (code !== 0) fail(new Error(`${variant} exited ${code}: ${out}`));
      else ok(JSON.parse(line) as Sample);
    });
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

async function main(): Promise<void> {
  const rounds = Number(process.argv[2] ?? 5);
  let url = process.env.REDIS_URL;
  let server: ReturnType<typeof spawn> | undefined;
  if (url === undefined) {
    const port = 20000 + Math.floor(Math.random() * 20000);
    server = spawn('redis-server', ['--port', String(port), '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    for (let i = 0; i < 50; i++) {
      try {
        execFileSync('redis-cli', ['-p', String(port), 'PING'], { stdio: 'ignore' });
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    url = `redis://127.0.0.1:${port}`;
  }
  const samples: Sample[] = [];
  for (let round = 0; round < rounds; round++) {
    const variants = process.env.PT_BASE_LIB ? ['base', 'new'] : ['new'];
    const order = round % 2 === 0 ? variants : [...variants].reverse();
    for (const variant of order) {
      const s = await runChild(variant, url);
      samples.push(s);
      console.error(JSON.stringify(s));
    }
  }
  server?.kill();
  console.log('| variant | commands/s | p50 ms | p99 ms | CPU ns/command | entries added per pipeline | entries per tick (mean) | peak | ms per tick | share of wall time in ticks | errors |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const variant of ['base', 'new']) {
    const list = samples.filter((s) => s.variant === variant);
    if (list.length === 0) continue;
    const m = (f: (s: Sample) => number) => median(list.map(f));
    console.log(`| ${variant} | ${Math.round(m((s) => s.opsPerSec)).toLocaleString('en')} | ${m((s) => s.p50).toFixed(1)} | ${m((s) => s.p99).toFixed(1)} | ${Math.round(m((s) => s.cpuNsPerCommand))} | ${m((s) => s.addsPerPipeline).toFixed(1)} | ${Math.round(m((s) => s.meanTickSize)).toLocaleString('en')} | ${m((s) => s.peakTickSize).toLocaleString('en')} | ${m((s) => s.meanTickMs).toFixed(3)} | ${(100 * m((s) => s.tickShare)).toFixed(1)} % | ${list.reduce((a, s) => a + s.errors, 0)} |`);
  }
  console.log(`ops/s per round: base ${samples.filter((s) => s.variant === 'base').map((s) => Math.round(s.opsPerSec / 1000)).join(', ')}k; new ${samples.filter((s) => s.variant === 'new').map((s) => Math.round(s.opsPerSec / 1000)).join(', ')}k`);
}

if (process.argv[2] === 'child') await child(process.argv[3]!, process.argv[4]!);
else await main();
