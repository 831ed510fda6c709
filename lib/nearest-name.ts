/*
 * "Did you mean ...?" for a mistyped option name: the closest of the known names by edit
 * distance, or one the key begins. Pure, so every options table (pool, per-command, sentinel)
 * gives the same hints.
 */

/** Edit distance, to suggest the name a typo meant. Option names are short: O(n·m) is fine. */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitute = previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, substitute);
    }
    previous = current;
  }
  return previous[b.length];
}

/**
 * The name of `names` a mistyped `key` most likely meant, or undefined when none is close.
 * Used for pool options (lib/options.ts), per-command options (lib/pool/command-options.ts)
 * and sentinel options (lib/sentinel/config.ts).
 */
export function nearestName(key: string, names: readonly string[]): string | undefined {
  const lower = key.toLowerCase();
  // Short keys are a few edits from many names: allow fewer edits so the hint is not a guess.
  const limit = lower.length < 3 ? 0 : lower.length < 6 ? 1 : 2;
  let best: { name: string; score: number } | undefined;
  for (const name of names) {
    const target = name.toLowerCase();
    const score = lower.length >= 3 && target.startsWith(lower) ? 0 : distance(lower, target);
    if (score <= limit && (!best || score < best.score)) best = { name, score };
  }
  return best?.name;
}
