/**
 * SCAN through a compat client on a Cluster. A SCAN cursor belongs to one node, and a view on a
 * cluster has no node of its own, so the cluster's own scan (`cluster.scan`: every primary in
 * turn, each key once, rescanning nodes that gained slots while it ran) does the walking:
 * - ioredis's `scanStream()` reads it in arrays of up to `count` keys;
 * - node-redis's `scan(cursor, { MATCH, COUNT, TYPE })`, which libraries drive cursor by cursor
 *   until `'0'` (@keyv/redis, connect-redis through scanIterator), gets a cursor that names a
 *   walk held by the view: `'0'` starts one, each call returns up to COUNT keys and the walk's
 *   cursor, `'0'` again when it is done. A walk left unfinished is dropped after
 *   {@link IDLE_MS} without a call; a cursor that names no walk is a TypeError.
 */
import { Cluster } from '../cluster/cluster.js';
import type { Link } from './link.js';

/** Keys per page when the caller gives no COUNT (the server's own default). */
const DEFAULT_COUNT = 10;
/** A walk not advanced for this long is dropped (a caller that stopped half-way). */
const IDLE_MS = 60_000;

interface ScanFilter {
  match?: string;
  count?: number;
  type?: string;
}

/** The cluster's keys in pages of up to `count`, as scanStream yields them. */
export async function* clusterScanPages(link: Link, options: ScanFilter): AsyncGenerator<string[]> {
  const cluster = link.backend as Cluster<boolean>;
  const size = pageSize(options.count);
  let page: string[] = [];
  for await (const key of cluster.scan({ match: options.match, count: options.count, type: options.type, returnBuffers: false })) {
    link.checkOpen();
    page.push(key as string);
    if (page.length >= size) {
      yield page;
      page = [];
    }
  }
  if (page.length > 0) yield page;
}

function pageSize(count: unknown): number {
  return typeof count === 'number' && Number.isInteger(count) && count > 0 ? count : DEFAULT_COUNT;
}

interface Walk {
  keys: AsyncGenerator<string[]>;
  timer: NodeJS.Timeout;
}

/** node-redis's cursor-by-cursor SCAN over a cluster, for one view. */
export class ClusterCursors {
  readonly #link: Link;
  readonly #walks = new Map<string, Walk>();
  #next = 0;

  constructor(link: Link) {
    this.#link = link;
  }

  async next(cursor: unknown, options?: { MATCH?: string; COUNT?: number; TYPE?: string }): Promise<{ cursor: string; keys: string[] }> {
    this.#link.checkOpen();
    const id = String(cursor);
    let walk = this.#walks.get(id);
    if (walk === undefined) {
      if (id !== '0') throw new TypeError(`scan: cursor '${id}' names no scan of this client (start with '0')`);
      const keys = clusterScanPages(this.#link, { match: options?.MATCH, count: options?.COUNT, type: options?.TYPE });
      walk = { keys, timer: this.#idle('') };
    }
    this.#walks.delete(id);
    clearTimeout(walk.timer);
    const page = await walk.keys.next();
    if (page.done === true) return { cursor: '0', keys: [] };
    const token = String(++this.#next);
    walk.timer = this.#idle(token);
    this.#walks.set(token, walk);
    return { cursor: token, keys: page.value };
  }

  #idle(token: string): NodeJS.Timeout {
    const timer = setTimeout(() => {
      const walk = this.#walks.get(token);
      this.#walks.delete(token);
      void walk?.keys.return(undefined);
    }, IDLE_MS);
    timer.unref();
    return timer;
  }
}
