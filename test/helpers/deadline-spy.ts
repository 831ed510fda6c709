import { Deadlines } from '../../lib/connection/deadlines.js';

/** What {@link spyDeadlines} counted. */
export interface DeadlineSpy {
  /** The Deadlines instance entries went to (a pool has one). */
  list(): Deadlines;
  /** Entries for one command each (`add`). */
  commands: number;
  /** Pipelines waiting whole for a connection (`addWait`, one entry each). */
  waits: number;
  /** Pipelines under one command timeout (`addPipeline`, one entry each). */
  pipelines: number;
  restore(): void;
}

/**
 * Counts what a pool puts in its deadline list (one list per pool, read on every tick): the
 * instance, and entries added, by kind. A method the code under test lacks (an older tree
 * without `addPipeline`) is simply not counted, so a test can show what the old code armed.
 */
export function spyDeadlines(): DeadlineSpy {
  const proto = Deadlines.prototype as unknown as Record<string, ((this: Deadlines, x: unknown) => void) | undefined>;
  const kinds = [['add', 'commands'], ['addWait', 'waits'], ['addPipeline', 'pipelines']] as const;
  const originals = kinds.map(([method]) => proto[method]);
  let list: Deadlines | null = null;
  const spy: DeadlineSpy = {
    list: () => list!,
    commands: 0,
    waits: 0,
    pipelines: 0,
    restore: () => {
      kinds.forEach(([method], i) => {
        if (originals[i] !== undefined) proto[method] = originals[i];
      });
    },
  };
  kinds.forEach(([method, counter], i) => {
    const original = originals[i];
    if (original === undefined) return;
    proto[method] = function (this: Deadlines, entry: unknown) {
      list ??= this;
      spy[counter]++;
      original.call(this, entry);
    };
  });
  return spy;
}
