import { nearestName } from '../nearest-name.js';

/** Per-command options. */
export interface CommandOptions {
  /** Bulk strings as Buffers instead of UTF-8 strings (overrides the pool's setting). */
  returnBuffers?: boolean;
  /**
   * Milliseconds from the call until the command rejects with TimeoutError (overrides
   * commandTimeout); 0 = no timeout. A number from 0 to 2147483647.
   */
  timeout?: number;
  /** Rejects the command with AbortError when the signal fires. */
  signal?: AbortSignal;
}

/** The largest delay a Node timer takes (2^31 - 1 ms), as for the pool's timeouts. */
const MAX_TIMEOUT = 2_147_483_647;
const NAMES = ['returnBuffers', 'timeout', 'signal'] as const;

/**
 * Checks per-command options the way pool options are checked (lib/options.ts): an unknown key
 * (with the name it probably meant), a wrong type or a value out of bounds throws before
 * anything is sent. `undefined` values count as absent. Called once per call (a pipeline's
 * options once, not per command), and only when options are given.
 *
 * @throws TypeError for an unknown key or a wrong type; RangeError for a timeout out of bounds
 */
export function checkCommandOptions(options: unknown): void {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new TypeError(
      `command options must be an object such as { timeout: 500 } (got ${describe(options)})`,
    );
  }
  for (const key in options) {
    const value = (options as Record<string, unknown>)[key];
    if (value === undefined) continue;
    switch (key) {
      case 'returnBuffers':
        if (typeof value !== 'boolean') throw wrong(key, 'a boolean', value);
        break;
      case 'timeout':
        if (typeof value !== 'number') throw wrong(key, 'a number of milliseconds', value);
        if (!(value >= 0 && value <= MAX_TIMEOUT)) {
          throw new RangeError(
            `command option 'timeout' must be from 0 to ${MAX_TIMEOUT} ms (got ${describe(value)})`,
          );
        }
        break;
      case 'signal':
        if (!(value instanceof AbortSignal)) throw wrong(key, 'an AbortSignal', value);
        break;
      default: {
        const near = nearestName(key, NAMES);
        throw new TypeError(
          `unknown command option '${key}'${near !== undefined ? `; did you mean '${near}'?` : ''}` +
            ` (known: ${NAMES.join(', ')})`,
        );
      }
    }
  }
}

function wrong(key: string, want: string, value: unknown): TypeError {
  return new TypeError(`command option '${key}' must be ${want} (got ${describe(value)})`);
}

/** A value for a message: its type, or short scalars as they are (options hold no secrets). */
function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return String(value);
  return Array.isArray(value) ? 'an array' : typeof value === 'function' ? 'a function' : 'an object';
}
