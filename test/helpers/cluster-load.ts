/**
 * Callers for the cluster fault tests: each caller owns one key and loops on SET, GET and a
 * pipeline of SET + GET on it, so a reply that reached the wrong caller shows up as a value of another caller's key.
 * Errors are kept with the time they came, so a test can say what failed and when.
 *
 * A load must never outlive its test: a test that fails before `stop()` leaves callers running
 * on a cluster that its afterEach closes, where every command fails at once. Such callers once
 * looped on rejected promises alone, never letting a timer run, and kept every error until the
 * process ran out of memory (CI, 2026-12-08). So a caller yields to the event loop after each
 * error, at most MAX_KEPT errors are kept (the rest only counted), and {@link stopLoads} stops
 * whatever is still running (call it in afterEach, before closing the clients).
 */
import type { Cluster } from '../../lib/index.js';

export interface LoadResult {
  /** Every error a caller got, with when (ms since epoch). */
  errors: { at: number; error: Error; key: string }[];
  /** Replies that were not the caller's own. */
  wrong: string[];
  /** Successful round trips. */
  done: number;
  /** Errors in all, including those past the first MAX_KEPT that `errors` keeps. */
  failed: number;
}

/** Errors kept per load; enough for any assertion, bounded so a flood cannot exhaust memory. */
const MAX_KEPT = 10_000;

const running = new Set<Load>();

/** Stops every load still running (a test that failed before its own `stop()`). */
export async function stopLoads(): Promise<void> {
  await Promise.all([...running].map((load) => load.stop()));
}

export interface Load {
  readonly keys: string[];
  readonly result: LoadResult;
  /** Resolves with the time of the first success of a round trip issued at or after `since` on one of `keys`. */
  firstSuccessAfter(since: number, keys: ReadonlySet<string>): Promise<number>;
  /** Resolves once `count` more round trips succeeded. */
  progress(count: number): Promise<void>;
  /** Stops the callers and resolves when each has returned. */
  stop(): Promise<LoadResult>;
}

/** Starts `callers` callers on `cluster`, each with key `${prefix}:${i}`. */
export function startLoad(cluster: Cluster, callers: number, prefix: string): Load {
  const keys = Array.from({ length: callers }, (_, i) => `${prefix}:${i}`);
  const result: LoadResult = { errors: [], wrong: [], done: 0, failed: 0 };
  let going = true;
  const waiters: { since: number; keys: ReadonlySet<string>; resolve: (at: number) => void }[] = [];
  const progress: { target: number; resolve: () => void }[] = [];
  const succeeded = (key: string, issuedAt: number): void => {
    const at = Date.now();
    result.done++;
    for (let w = waiters.length - 1; w >= 0; w--) {
      const waiter = waiters[w]!;
      // Counted only for a round trip *issued* at or after `since`: one already under way may
      // have been answered before the fault.
      if (issuedAt >= waiter.since && waiter.keys.has(key)) {
        waiters.splice(w, 1);
        waiter.resolve(at);
      }
    }
    for (let p = progress.length - 1; p >= 0; p--) {
      if (result.done >= progress[p]!.target) progress.splice(p, 1)[0]!.resolve();
    }
  };
  const loop = async (key: string): Promise<void> => {
    const own = `${key}=`;
    for (let n = 0; going; n++) {
      const issuedAt = Date.now();
      try {
        const value = `${own}${n}`;
        const set = await cluster.command(['SET', key, value]);
        if (set !== 'OK') result.wrong.push(`${key}: SET answered ${String(set)}`);
        const got = await cluster.command(['GET', key]);
        // After a SIGKILL an acknowledged write may be lost (replication is asynchronous), so
        // an older value of this key is possible; another key's value never is.
        if (got !== null && !(typeof got === 'string' && got.startsWith(own))) {
          result.wrong.push(`${key}: GET answered ${String(got)}`);
        }
        // And through a pipeline, whose errors come in place rather than thrown.
        const again = `${value}p`;
        const replies = await cluster.pipeline([['SET', key, again], ['GET', key]]);
        const failed = replies.find((r): r is Error => r instanceof Error);
        if (failed !== undefined) throw failed;
        if (replies[0] !== 'OK' || replies[1] !== again) {
          result.wrong.push(`${key}: pipeline answered ${JSON.stringify(replies)}`);
        }
        succeeded(key, issuedAt);
      } catch (err) {
        if (result.failed++ < MAX_KEPT) result.errors.push({ at: Date.now(), error: err as Error, key });
        // A caller that failed goes on: the next command must work again once the cluster heals.
        // It lets timers and I/O run first: a command that fails at once must not spin here.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
  };
  const loops = keys.map(loop);
  const load: Load = {
    keys,
    result,
    firstSuccessAfter(since, wanted) {
      return new Promise((resolve) => waiters.push({ since, keys: wanted, resolve }));
    },
    progress(count) {
      const target = result.done + count;
      return new Promise((resolve) => progress.push({ target, resolve }));
    },
    async stop() {
      going = false;
      await Promise.all(loops);
      running.delete(load);
      return result;
    },
  };
  running.add(load);
  return load;
}

/** A short summary of errors for assertion messages: "Name code: message" of the first few. */
export function describeErrors(errors: LoadResult['errors'], max = 5): string[] {
  return errors.slice(0, max).map(({ error }) =>
    `${error.name} ${(error as { code?: string }).code ?? ''}: ${error.message}`);
}
