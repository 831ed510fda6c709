/**
 * Builds dist/ before the bench: the respool children load the compiled library, as an
 * application that installed respool from npm does, and as every peer is loaded (compiled
 * JavaScript from node_modules). Run from its TypeScript sources through tsx, respool's process
 * held about 23 MiB more at start (99 vs 76 MiB RSS for node + tsx alone), which the
 * 10,000-caller memory figures counted against it.
 */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Compiles lib/ to dist/ with the package's own build settings; throws with tsc's output on failure. */
export function buildLibrary(): void {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
}

/** The compiled entry point a child imports (`dist/index.js`, or `dist/otel/index.js` with `'otel'`). */
export function distUrl(entry: 'index' | 'otel'): string {
  return new URL(entry === 'index' ? '../dist/index.js' : '../dist/otel/index.js', import.meta.url).href;
}
