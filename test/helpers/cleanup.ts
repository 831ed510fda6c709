/**
 * One registry of everything the helpers start (redis-server processes, proxies, fake servers,
 * temp dirs), so nothing outlives the test run even when a test forgets to stop it or crashes.
 *
 * Two layers, because neither is enough alone:
 * - `mochaHooks.afterAll` (a mocha root hook plugin) closes everything gracefully once the run
 *   ends. Load it with `"require": ["test/helpers/cleanup.ts"]` in .mocharc.json.
 * - a process `exit` / signal handler SIGKILLs leftover processes synchronously, for runs that
 *   end abruptly (mocha `--exit`, an uncaught exception, Ctrl-C, a CI timeout's SIGTERM).
 */

/** Something a helper started and must release. */
export interface Tracked {
  /** Releases it gracefully (kill the process, close the listener, remove the dir). */
  close(): Promise<void>;
  /** Last resort during process exit: synchronous only (no awaiting is possible there). */
  closeSync(): void;
}

interface Registry {
  items: Set<Tracked>;
  exitHooked: boolean;
}

// Kept on globalThis: mocha loads this file through `--require` and tests import it again
// through other helpers; should the loader ever produce two module instances, they must still
// share one registry or the root hook would clean up an empty set.
const KEY = Symbol.for('respool.test.helpers.registry');
const globals = globalThis as unknown as { [KEY]?: Registry };
const registry: Registry = (globals[KEY] ??= { items: new Set(), exitHooked: false });

/** Registers a resource; returns a function that unregisters it (once it is fully released). */
export function track(item: Tracked): () => void {
  hookProcessExit();
  registry.items.add(item);
  return () => {
    registry.items.delete(item);
  };
}

/** Closes every tracked resource; failures are collected so one bad item does not leak the rest. */
export async function cleanupAll(): Promise<void> {
  const items = [...registry.items];
  registry.items.clear();
  const results = await Promise.allSettled(items.map((item) => item.close()));
  const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed.length > 0) {
    throw new AggregateError(
      failed.map((f) => f.reason),
      `test helpers: ${failed.length} resource(s) failed to close`,
    );
  }
}

/** How many resources are currently tracked (for the helpers' own tests). */
export function trackedCount(): number {
  return registry.items.size;
}

function closeAllSync(): void {
  for (const item of registry.items) {
    try {
      item.closeSync();
    } catch {
      // Exiting anyway: one failure must not stop the others from being killed.
    }
  }
  registry.items.clear();
}

const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

function hookProcessExit(): void {
  if (registry.exitHooked) return;
  registry.exitHooked = true;
  process.once('exit', closeAllSync);
  for (const signal of SIGNALS) {
    const onSignal = (): void => {
      closeAllSync();
      // Re-raise so the process still dies of the signal as it would have without us (mocha's
      // parent process turns our death by signal into its own exit code).
      process.removeListener(signal, onSignal);
      process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
}

/** Mocha root hook plugin: releases whatever the tests left running, once, after the run. */
export const mochaHooks = {
  async afterAll(): Promise<void> {
    await cleanupAll();
  },
};
