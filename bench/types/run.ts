/**
 * `npm run bench:types`: what type-checking a project that uses 50 commands costs with
 * respool's typed methods, ioredis and node-redis (the same 50 commands, each in the client's
 * own spelling: bench/types/*-50.ts), against the same project without a Redis client
 * (baseline.ts). Run it under `flock /work/bench.lock` like every bench.
 *
 * respool is checked as a user gets it: built to dist/ (`tsc -p tsconfig.build.json`) and
 * imported as `respool` (the package's own exports), never its sources. Each project is a
 * one-file tsconfig (strict, NodeNext) in tmp/types-bench/, checked TYPES_RUNS times (5) with
 * `tsc --extendedDiagnostics` under `/usr/bin/time -v`, alternating projects; medians of tsc's
 * own "Total time" and "Memory used" and of the process's peak RSS. Both skipLibCheck
 * settings are measured (TYPES_SKIPLIBCHECK=true,false).
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { median } from '../stats.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const HERE = fileURLToPath(new URL('./', import.meta.url));
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');
const PROJECTS = ['baseline', 'respool-50', 'ioredis-50', 'node-redis-50'];

interface Sample {
  totalS: number;
  memoryMB: number;
  rssMB: number;
}

function writeProject(name: string, skipLibCheck: boolean): string {
  const dir = join(ROOT, 'tmp/types-bench', `${name}-${skipLibCheck ? 'skip' : 'full'}`);
  mkdirSync(dir, { recursive: true });
  const source = readFileSync(join(HERE, `${name}.ts`), 'utf8').replace("'../../lib/index.js'", "'respool'");
  writeFileSync(join(dir, 'main.ts'), source);
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
    compilerOptions: {
      strict: true, target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', types: ['node'],
      noEmit: true, skipLibCheck,
    },
    files: ['main.ts'],
  }, null, 2));
  return dir;
}

async function measure(dir: string): Promise<Sample> {
  const { stdout, stderr } = await run('/usr/bin/time', ['-v', process.execPath, TSC, '-p', dir, '--extendedDiagnostics'], {
    cwd: ROOT, maxBuffer: 1 << 24,
  }).catch((err: { stdout: string; stderr: string }) => {
    // A type error still yields the diagnostics; say so, the figure is then suspect.
    process.stderr.write(`type errors in ${dir}:\n${err.stdout.split('\n').slice(0, 5).join('\n')}\n`);
    return err;
  });
  const field = (re: RegExp, text: string) => Number(re.exec(text)?.[1] ?? NaN);
  return {
    totalS: field(/Total time:\s+([\d.]+)s/, stdout),
    memoryMB: field(/Memory used:\s+(\d+)K/, stdout) / 1024,
    rssMB: field(/Maximum resident set size \(kbytes\): (\d+)/, stderr) / 1024,
  };
}

async function main(): Promise<void> {
  const runs = Number(process.env.TYPES_RUNS ?? 5);
  const settings = (process.env.TYPES_SKIPLIBCHECK ?? 'true,false').split(',').map((s) => s === 'true');
  await run(process.execPath, [TSC, '-p', join(ROOT, 'tsconfig.build.json')], { cwd: ROOT });
  for (const skip of settings) {
    const dirs = new Map(PROJECTS.map((p) => [p, writeProject(p, skip)]));
    const samples = new Map<string, Sample[]>(PROJECTS.map((p) => [p, []]));
    for (let i = 0; i < runs; i++) {
      for (const project of i % 2 === 0 ? PROJECTS : [...PROJECTS].reverse()) {
        samples.get(project)!.push(await measure(dirs.get(project)!));
      }
    }
    const med = (p: string, k: keyof Sample) => median(samples.get(p)!.map((s) => s[k]));
    console.log(`\nskipLibCheck: ${skip} (medians of ${runs} runs)\n`);
    console.log('| project | tsc total time | extra vs baseline | tsc memory used | extra | peak RSS | extra |');
    console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const project of PROJECTS) {
      const t = med(project, 'totalS');
      const m = med(project, 'memoryMB');
      const r = med(project, 'rssMB');
      console.log(`| ${project} | ${t.toFixed(2)} s | +${(t - med('baseline', 'totalS')).toFixed(2)} s | ` +
        `${m.toFixed(0)} MB | +${(m - med('baseline', 'memoryMB')).toFixed(0)} MB | ${r.toFixed(0)} MB | +${(r - med('baseline', 'rssMB')).toFixed(0)} MB |`);
    }
  }
}

await main();
