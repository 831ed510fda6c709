import type { Arg } from '../resp/types.js';

/** How `db.query.text` is written. */
export type QueryTextMode = 'masked' | 'full' | 'none';

/** Longest `db.query.text` (a 1000-command pipeline of different commands would be huge). */
const MAX_TEXT = 4096;
/** Longest argument in `'full'` mode. */
const MAX_ARG = 256;

/**
 * Commands whose first argument is a subcommand, kept in masked text (`CLIENT UNBLOCK ?`):
 * it names the operation, it is not data.
 */
const CONTAINERS = new Set([
  'ACL', 'CLIENT', 'CLUSTER', 'COMMAND', 'CONFIG', 'DEBUG', 'FUNCTION', 'LATENCY', 'MEMORY',
  'MODULE', 'OBJECT', 'PUBSUB', 'SCRIPT', 'SENTINEL', 'SLOWLOG', 'XGROUP', 'XINFO',
]);

/**
 * `db.query.text` in Redis CLI syntax for one command or a batch. Masked by default, as the
 * semantic conventions ask: `SET ? ?`. A batch whose commands all read the same gives that text
 * once; otherwise the texts are joined with `; ` (cut at 4096 characters).
 */
export function queryText(commands: readonly (readonly Arg[])[], mode: 'masked' | 'full'): string {
  let text = '';
  let first: string | null = null;
  let same = true;
  for (let i = 0; i < commands.length; i++) {
    const one = mode === 'masked' ? masked(commands[i]!) : full(commands[i]!);
    if (i === 0) first = one;
    else if (one !== first) same = false;
    if (text.length < MAX_TEXT) text += (i > 0 ? '; ' : '') + one;
  }
  if (same && first !== null) return first;
  return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}...` : text;
}

function masked(command: readonly Arg[]): string {
  const name = String(command[0]).toUpperCase();
  let text = name;
  let i = 1;
  if (CONTAINERS.has(name) && command.length > 1) {
    text += ` ${String(command[1]).toUpperCase()}`;
    i = 2;
  }
  for (; i < command.length; i++) text += ' ?';
  return text;
}

function full(command: readonly Arg[]): string {
  let text = '';
  for (let i = 0; i < command.length; i++) {
    let arg = typeof command[i] === 'string' ? (command[i] as string) : String(command[i]);
    if (arg.length > MAX_ARG) arg = `${arg.slice(0, MAX_ARG)}...`;
    if (arg === '' || /[\s"']/.test(arg)) arg = JSON.stringify(arg);
    text += (i > 0 ? ' ' : '') + arg;
  }
  return text;
}
