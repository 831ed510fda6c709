import type { Arg } from '../resp/types.js';

/** What a credential is replaced with in published commands. */
export const REDACTED = '[redacted]';

/** CONFIG SET / SENTINEL SET parameters whose value is a secret (requirepass, masterauth, auth-pass...). */
const SECRET_PARAMETER = /pass|auth/i;

/**
 * The command with every credential replaced by {@link REDACTED}; the same array when it holds
 * none (so tracing an ordinary command copies nothing).
 *
 * Covers: `AUTH [user] pass`, `HELLO ver AUTH user pass`, `ACL SETUSER name ... >pass <pass
 * #hash !hash`, `CONFIG SET requirepass|masterauth|... value`, `MIGRATE ... AUTH pass` /
 * `AUTH2 user pass`, `SENTINEL SET master auth-pass value` and `SENTINEL CONFIG SET sentinel-pass value`.
 */
export function redact(command: readonly Arg[]): readonly Arg[] {
  const name = upper(command[0]);
  switch (name) {
    case 'AUTH':
      return replaceFrom(command, 1, command.length);
    case 'HELLO': {
      const at = indexOfWord(command, 'AUTH', 1);
      return at < 0 ? command : replaceFrom(command, at + 1, at + 3);
    }
    case 'MIGRATE': {
      const auth = indexOfWord(command, 'AUTH', 6);
      if (auth >= 0) return replaceFrom(command, auth + 1, auth + 2);
      const auth2 = indexOfWord(command, 'AUTH2', 6);
      return auth2 < 0 ? command : replaceFrom(command, auth2 + 1, auth2 + 3);
    }
    case 'ACL':
      return upper(command[1]) === 'SETUSER' ? redactAclRules(command) : command;
    case 'CONFIG':
      return upper(command[1]) === 'SET' ? redactPairs(command, 2) : command;
    case 'SENTINEL': {
      const sub = upper(command[1]);
      if (sub === 'SET') return redactPairs(command, 3);
      if (sub === 'CONFIG' && upper(command[2]) === 'SET') return redactPairs(command, 3);
      return command;
    }
    default:
      return command;
  }
}

function upper(arg: Arg | undefined): string {
  if (arg === undefined) return '';
  return (typeof arg === 'string' ? arg : String(arg)).toUpperCase();
}

function indexOfWord(command: readonly Arg[], word: string, from: number): number {
  for (let i = from; i < command.length; i++) if (upper(command[i]) === word) return i;
  return -1;
}

function replaceFrom(command: readonly Arg[], from: number, to: number): readonly Arg[] {
  const copy = command.slice();
  for (let i = from; i < to && i < copy.length; i++) copy[i] = REDACTED;
  return copy;
}

/** `name value name value ...` from `from` on: secret parameters' values are replaced. */
function redactPairs(command: readonly Arg[], from: number): readonly Arg[] {
  let copy: Arg[] | null = null;
  for (let i = from; i + 1 < command.length; i += 2) {
    if (SECRET_PARAMETER.test(String(command[i]))) {
      copy ??= command.slice();
      copy[i + 1] = REDACTED;
    }
  }
  return copy ?? command;
}

/** ACL rules that carry a password or its hash: `>pass`, `<pass`, `#hash`, `!hash`. */
function redactAclRules(command: readonly Arg[]): readonly Arg[] {
  let copy: Arg[] | null = null;
  for (let i = 3; i < command.length; i++) {
    const rule = command[i]!;
    const first = typeof rule === 'string' ? rule.charCodeAt(0) : Buffer.isBuffer(rule) ? rule[0] : 0;
    // > < # !
    if (first === 0x3e || first === 0x3c || first === 0x23 || first === 0x21) {
      copy ??= command.slice();
      copy[i] = REDACTED;
    }
  }
  return copy ?? command;
}
