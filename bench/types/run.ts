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
  checkS: number;
  memoryMB: number;
  rssMB: number;
  /** tsc's own counts: the same on every run and machine, unlike the times. */
  types: number;
  instantiations: number;
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
    checkS: field(/Check time:\s+([\d.]+)s/, stdout),
    types: field(/Types:\s+(\d+)/, stdout),
    instantiations: field(/Instantiations:\s+(\d+)/, stdout),
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
    console.log('| project | tsc total time | extra | check time | extra | tsc memory used | extra | peak RSS | extra | types | instantiations |');
    console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    const extra = (p: string, k: keyof Sample, digits: number) => {
      const d = med(p, k) - med('baseline', k);
      return `${d >= 0 ? '+' : ''}${d.toFixed(digits)}`;
    };
    for (const project of PROJECTS) {
      console.log(`| ${project} | ${med(project, 'totalS').toFixed(2)} s | ${extra(project, 'totalS', 2)} s | ` +
        `${med(project, 'checkS').toFixed(2)} s | ${extra(project, 'checkS', 2)} s | ` +
        `${med(project, 'memoryMB').toFixed(0)} MB | ${extra(project, 'memoryMB', 0)} MB | ` +
        `${med(project, 'rssMB').toFixed(0)} MB | ${extra(project, 'rssMB', 0)} MB | ` +
        `${med(project, 'types')} | ${med(project, 'instantiations')} |`);
    }
  }
}

await main();
