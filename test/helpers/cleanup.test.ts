import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** False once the process is gone or a zombie (killed, waiting for init to reap it). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/**
 * Waits for a process that is not our child to die. There is no event for that (only its parent
 * gets SIGCHLD), and a SIGKILL lands asynchronously, so this one place polls, with a deadline.
 */
/**
 * How long a SIGKILLed server may take to be gone: it is killed at once, so this only bounds how
 * late a loaded host reaps it (the leak this guards against is a server that never dies).
 */
const DIES_WITHIN_MS = 10_000;

async function diesWithin(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (alive(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return true;
}

/** Resolves with the first line the child prints that matches `pattern`. */
async function lineMatching(child: ChildProcess, pattern: RegExp): Promise<RegExpMatchArray> {
  let text = '';
  for (;;) {
    const [chunk] = (await once(child.stdout!, 'data')) as [Buffer];
    text += chunk.toString();
    const match = text.match(pattern);
    if (match) return match;
  }
}

function collect(child: ChildProcess): () => string {
  let text = '';
  child.stdout!.on('data', (d: Buffer) => (text += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (text += d.toString()));
  return () => text;
}

describe('helpers/cleanup', function () {
  this.timeout(30_000); // each case boots a TypeScript child process

  it('SIGKILLs tracked servers when the process exits', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', fixture('leaves-server.ts'), 'exit'], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output = collect(child);
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code, output()).to.equal(0);
    const pid = Number(output().match(/^(\d+)$/m)?.[1]);
    expect(pid).to.be.greaterThan(0);
    expect(await diesWithin(pid, DIES_WITHIN_MS)).to.equal(true);
  });

  it('SIGKILLs tracked servers when the process is terminated by a signal', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', fixture('leaves-server.ts'), 'wait'], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const [, pidText] = await lineMatching(child, /^(\d+)$/m);
    const pid = Number(pidText);
    expect(alive(pid)).to.equal(true);
    child.kill('SIGTERM');
    const [, signal] = (await once(child, 'exit')) as [number | null, string | null];
    expect(signal).to.equal('SIGTERM'); // re-raised, so the child still dies of the signal
    expect(await diesWithin(pid, DIES_WITHIN_MS)).to.equal(true);
  });

  it('closes what a suite left running through the mocha root hook plugin', async () => {
    const mocha = fileURLToPath(new URL('../../node_modules/mocha/bin/mocha.js', import.meta.url));
    // No --exit: if the hook did not stop the server, its pipes would keep mocha alive.
    const child = spawn(process.execPath, [mocha, '--no-config', '--node-option', 'import=tsx',
      '--require', 'test/helpers/cleanup.ts', fixture('leaky.fixture.ts')], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output = collect(child);
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code, output()).to.equal(0);
    expect(output()).to.include('1 passing').and.include('tracked at exit: 0');
    const pid = Number(output().match(/pid: (\d+)/)?.[1]);
    expect(await diesWithin(pid, DIES_WITHIN_MS)).to.equal(true);
  });
});
