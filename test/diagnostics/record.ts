/**
 * Records what respool publishes on its diagnostics channels, for tests.
 *
 * ```ts
 * const rec = recordTracing('respool:command');
 * await pool.command(['GET', 'k']);
 * rec.events;          // [['start', ctx], ['end', ctx], ['asyncStart', ctx], ['asyncEnd', ctx]]
 * rec.stop();
 * ```
 */
import dc from 'node:diagnostics_channel';

export type TracingEvent = 'start' | 'end' | 'asyncStart' | 'asyncEnd' | 'error';

export interface TracingRecord<T> {
  readonly events: [TracingEvent, T][];
  /** Contexts in the order their `start` arrived. */
  starts(): T[];
  /** Resolves with the first context (recorded already, or to come) that reached `event` and matches `filter`. */
  first(event: TracingEvent, filter?: (context: T) => boolean): Promise<T>;
  stop(): void;
}

export function recordTracing<T extends object>(name: string): TracingRecord<T> {
  const events: [TracingEvent, T][] = [];
  const waiters: { event: TracingEvent; filter: (c: T) => boolean; resolve: (c: T) => void }[] = [];
  const on = (event: TracingEvent) => (message: unknown) => {
    const context = message as T;
    events.push([event, context]);
    for (let i = waiters.length - 1; i >= 0; i--) {
      const w = waiters[i]!;
      if (w.event === event && w.filter(context)) {
        waiters.splice(i, 1);
        w.resolve(context);
      }
    }
  };
  const handlers = {
    start: on('start'), end: on('end'), asyncStart: on('asyncStart'), asyncEnd: on('asyncEnd'), error: on('error'),
  };
  const channel = dc.tracingChannel(name);
  channel.subscribe(handlers);
  return {
    events,
    starts: () => events.filter(([e]) => e === 'start').map(([, c]) => c),
    first: (event, filter = () => true) => {
      const seen = events.find(([e, c]) => e === event && filter(c));
      if (seen !== undefined) return Promise.resolve(seen[1]);
      return new Promise((resolve) => waiters.push({ event, filter, resolve }));
    },
    stop: () => channel.unsubscribe(handlers),
  };
}

export interface PointRecord<T> {
  readonly messages: T[];
  /** Resolves with the first message (recorded already, or to come) that matches `filter`. */
  first(filter?: (message: T) => boolean): Promise<T>;
  stop(): void;
}

export function recordChannel<T>(name: string): PointRecord<T> {
  const messages: T[] = [];
  const waiters: { filter: (m: T) => boolean; resolve: (m: T) => void }[] = [];
  const listener = (message: unknown) => {
    messages.push(message as T);
    for (let i = waiters.length - 1; i >= 0; i--) {
      if (waiters[i]!.filter(message as T)) waiters.splice(i, 1)[0]!.resolve(message as T);
    }
  };
  dc.subscribe(name, listener);
  return {
    messages,
    first: (filter = () => true) => {
      const seen = messages.find(filter);
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve) => waiters.push({ filter, resolve }));
    },
    stop: () => dc.unsubscribe(name, listener),
  };
}
