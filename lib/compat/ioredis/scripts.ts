/**
 * ioredis's `defineCommand`: a Lua script called like a command (`client.myScript(k, a)`),
 * run by EVALSHA with an EVAL fallback. Libraries lean on it heavily (bullmq defines ~50 scripts
 * and calls them alone, in pipelines and in MULTI; rate-limiter-flexible defines one).
 */
import { createHash } from 'node:crypto';
import { ReplyError } from '../../errors.js';
import type { Pool } from '../../pool/pool.js';
import type { Arg } from '../../resp/types.js';
import { flattenArgs } from '../args.js';

/** What `defineCommand` takes (ioredis's shape). */
export interface CommandDefinition {
  /** KEYS count; when absent, the caller passes it as the first argument (as EVAL does). */
  numberOfKeys?: number | null;
  lua: string;
  /** Accepted for ioredis parity; a pool always reads from where it writes. */
  readOnly?: boolean;
}

export class DefinedScript {
  readonly name: string;
  readonly lua: string;
  readonly sha1: string;
  readonly numberOfKeys: number | null;

  constructor(name: string, definition: CommandDefinition) {
    if (definition === null || typeof definition !== 'object' || typeof definition.lua !== 'string') {
      throw new TypeError(`defineCommand('${name}'): the definition is { lua: string, numberOfKeys?: number }`);
    }
    const keys = definition.numberOfKeys;
    if (keys !== undefined && keys !== null && !(Number.isInteger(keys) && keys >= 0)) {
      throw new TypeError(`defineCommand('${name}'): numberOfKeys is an integer >= 0, not ${String(keys)}`);
    }
    this.name = name;
    this.lua = definition.lua;
    this.sha1 = createHash('sha1').update(definition.lua).digest('hex');
    this.numberOfKeys = keys ?? null;
  }

  /** `EVALSHA sha numkeys ...args`, the caller's arguments flattened as ioredis does. */
  evalsha(raw: readonly unknown[]): Arg[] {
    const out: Arg[] = ['evalsha', this.sha1];
    if (this.numberOfKeys !== null) out.push(this.numberOfKeys);
    return flattenArgs(this.name, raw, out);
  }

  /** The same call as EVAL: what a NOSCRIPT reply is answered with. */
  asEval(evalsha: readonly Arg[]): Arg[] {
    const out = evalsha.slice();
    out[0] = 'eval';
    out[1] = this.lua;
    return out;
  }
}

export function isNoScript(reply: unknown): boolean {
  return reply instanceof ReplyError && reply.code === 'NOSCRIPT';
}

/**
 * The SHA1s each pool's server is known to hold, shared by every view on the pool. A batch
 * sends SCRIPT LOAD for the scripts not in here ahead of its commands, in the same write on the
 * same connection, so the EVALSHAs inside a MULTI cannot fail with NOSCRIPT (a failure there
 * would break the transaction's all-or-nothing) and a pipeline's commands keep their order
 * (re-sending a NOSCRIPT as EVAL afterwards would run it after the commands behind it). The set
 * empties when the pool (re)connects a socket (the server may have restarted) and when a
 * NOSCRIPT is seen anyway (SCRIPT FLUSH): the batch that sees it reports it in place.
 */
const LOADED = new WeakMap<Pool<boolean>, Set<string>>();

export function loadedScripts(pool: Pool<boolean>): Set<string> {
  let set = LOADED.get(pool);
  if (set === undefined) {
    const created = new Set<string>();
    LOADED.set(pool, (set = created));
    pool.on('ready', () => created.clear());
  }
  return set;
}
