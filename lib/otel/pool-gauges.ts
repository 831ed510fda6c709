import type { BatchObservableResult, Meter, Observable } from '@opentelemetry/api';
import { poolCloseChannel, poolCreateChannel, type PoolLifecycleMessage } from '../diagnostics/channels.js';

/** What the gauges read from a pool (its `stats` getter, built only when collected). */
interface Observed {
  readonly stats: object;
  readonly options: { readonly size: number };
}
interface Stats {
  idle: number;
  borrowed: number;
  waiting: number;
  inFlight: number;
}

/**
 * The pool gauges, read from `pool.stats` when the meter collects (nothing on the hot path):
 *
 * | instrument | unit | attributes |
 * | --- | --- | --- |
 * | `db.client.connection.count` | `{connection}` | pool name, `db.client.connection.state` idle / used |
 * | `db.client.connection.max` | `{connection}` | pool name |
 * | `db.client.connection.pending_requests` | `{request}` | pool name (callers waiting for a connection of their own) |
 * | `respool.pool.in_flight` | `{command}` | pool name (commands written or waiting to be) |
 *
 * Pools are found through the respool:pool:create channel and forgotten on respool:pool:close.
 */
export class PoolGauges {
  readonly #meter: Meter;
  readonly #pools = new Map<Observed, string>();
  readonly #instruments: Observable[];
  readonly #count: Observable;
  readonly #max: Observable;
  readonly #pending: Observable;
  readonly #inFlight: Observable;

  constructor(meter: Meter) {
    this.#meter = meter;
    this.#count = meter.createObservableUpDownCounter('db.client.connection.count', {
      description: 'The number of connections that are currently in the state described by the state attribute.',
      unit: '{connection}',
    });
    this.#max = meter.createObservableUpDownCounter('db.client.connection.max', {
      description: 'The maximum number of open connections allowed.',
      unit: '{connection}',
    });
    this.#pending = meter.createObservableUpDownCounter('db.client.connection.pending_requests', {
      description: 'The number of current pending requests for an open connection.',
      unit: '{request}',
    });
    this.#inFlight = meter.createObservableUpDownCounter('respool.pool.in_flight', {
      description: 'Commands written and awaiting replies, or waiting to be written.',
      unit: '{command}',
    });
    this.#instruments = [this.#count, this.#max, this.#pending, this.#inFlight];
    meter.addBatchObservableCallback(this.#collect, this.#instruments);
    poolCreateChannel.subscribe(this.#onCreate);
    poolCloseChannel.subscribe(this.#onClose);
  }

  add(pool: Observed, name: string): void {
    this.#pools.set(pool, name);
  }

  stop(): void {
    poolCreateChannel.unsubscribe(this.#onCreate);
    poolCloseChannel.unsubscribe(this.#onClose);
    this.#meter.removeBatchObservableCallback(this.#collect, this.#instruments);
    this.#pools.clear();
  }

  readonly #onCreate = (message: unknown): void => {
    const m = message as PoolLifecycleMessage;
    this.#pools.set(m.pool, m['db.client.connection.pool.name']);
  };

  readonly #onClose = (message: unknown): void => {
    this.#pools.delete((message as PoolLifecycleMessage).pool);
  };

  readonly #collect = (result: BatchObservableResult): void => {
    for (const [pool, name] of this.#pools) {
      const stats = pool.stats as Stats;
      const attributes = { 'db.client.connection.pool.name': name };
      result.observe(this.#count, stats.idle, { ...attributes, 'db.client.connection.state': 'idle' });
      result.observe(this.#count, stats.borrowed, { ...attributes, 'db.client.connection.state': 'used' });
      result.observe(this.#max, pool.options.size, attributes);
      result.observe(this.#pending, stats.waiting, attributes);
      result.observe(this.#inFlight, stats.inFlight, attributes);
    }
  };
}
