/**
 * What the demo shows of respool's observability: live figures read from the diagnostics
 * channels (as any operator's subscriber would), and with `--trace` a few OpenTelemetry traces
 * printed as trees.
 */
import dc from 'node:diagnostics_channel';
import { performance } from 'node:perf_hooks';
import { context, trace, type Span, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, SimpleSpanProcessor, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { BatchContext, CommandContext } from '../lib/diagnostics/channels.js';
import { RespoolInstrumentation } from '../lib/otel/index.js';
import { LatencyHistogram } from '../bench/stats.js';

const kStarted = Symbol('demo.started');
type Timed = { [kStarted]?: number };

/** What the channels said over the last interval. */
export interface ChannelFigures {
  /** Commands answered (a pipeline or transaction counts its commands). */
  commands: number;
  /** Latency of each command or batch, µs. */
  latency: LatencyHistogram;
  /** Commands and batches that failed (error replies in place included). */
  errors: number;
  reconnects: number;
}

/**
 * Subscribes to respool:command, respool:batch and respool:reconnect and keeps per-interval
 * figures; `take()` returns them and starts a new interval.
 */
export class ChannelStats {
  #figures = fresh();
  readonly #command = dc.tracingChannel('respool:command');
  readonly #batch = dc.tracingChannel('respool:batch');
  readonly #handlers = {
    start: (message: unknown) => {
      (message as Timed)[kStarted] = performance.now();
    },
    end: ignore,
    asyncStart: ignore,
    error: ignore,
    asyncEnd: (message: unknown) => {
      const ctx = message as (CommandContext | BatchContext) & Timed;
      const figures = this.#figures;
      const size = 'db.operation.batch.size' in ctx ? (ctx as BatchContext).commands.length : 1;
      figures.commands += size;
      if (ctx['error.type'] !== undefined) figures.errors++;
      if (ctx[kStarted] !== undefined) figures.latency.record((performance.now() - ctx[kStarted]) * 1000);
    },
  };
  readonly #onReconnect = () => {
    this.#figures.reconnects++;
  };

  constructor() {
    this.#command.subscribe(this.#handlers);
    this.#batch.subscribe(this.#handlers);
    dc.subscribe('respool:reconnect', this.#onReconnect);
  }

  take(): ChannelFigures {
    const figures = this.#figures;
    this.#figures = fresh();
    return figures;
  }

  stop(): void {
    this.#command.unsubscribe(this.#handlers);
    this.#batch.unsubscribe(this.#handlers);
    dc.unsubscribe('respool:reconnect', this.#onReconnect);
  }
}

function fresh(): ChannelFigures {
  return { commands: 0, latency: new LatencyHistogram(), errors: 0, reconnects: 0 };
}

/**
 * `--trace`: respool/otel with an in-process tracer provider; the first `limit` requests run
 * in a span of their own (`wrap`), and their traces are printed as trees when they end. Only
 * commands inside those spans are traced (`requireParentSpan`), so the load runs on at speed.
 */
export class DemoTracing {
  readonly #tracer: Tracer;
  readonly #instrumentation: RespoolInstrumentation;
  readonly #provider: BasicTracerProvider;
  readonly #contextManager = new AsyncLocalStorageContextManager();
  readonly #limit: number;
  #wrapped = 0;
  #printed = 0;

  constructor(limit: number, print: (text: string) => void) {
    this.#limit = limit;
    const finished = new Map<string, ReadableSpan[]>();
    const exporter: SpanExporter = {
      export: (spans, done) => {
        for (const span of spans) {
          if (this.#printed >= limit) break;
          const id = span.spanContext().traceId;
          const list = finished.get(id) ?? [];
          list.push(span);
          finished.set(id, list);
          if (span.parentSpanContext === undefined) {
            finished.delete(id);
            this.#printed++;
            print(renderTree(list));
          }
        }
        done({ code: 0 });
      },
      shutdown: async () => {},
    };
    context.setGlobalContextManager(this.#contextManager.enable());
    this.#provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    this.#tracer = this.#provider.getTracer('respool-demo');
    this.#instrumentation = new RespoolInstrumentation({ tracerProvider: this.#provider, requireParentSpan: true });
  }

  /** Runs `fn` in a span named `name` for the first `limit` calls (then just runs it). */
  wrap<T>(name: string, fn: () => Promise<T>): Promise<T> {
    if (this.#wrapped >= this.#limit) return fn();
    this.#wrapped++;
    return this.#tracer.startActiveSpan(name, async (span: Span) => {
      try {
        return await fn();
      } finally {
        span.end();
      }
    });
  }

  stop(): void {
    this.#instrumentation.disable();
    void this.#provider.shutdown();
    context.disable();
  }
}

/** A trace as an indented tree: name, duration, and the attributes an operator looks at. */
function renderTree(spans: ReadableSpan[]): string {
  const children = new Map<string | undefined, ReadableSpan[]>();
  for (const span of spans) {
    const parent = span.parentSpanContext?.spanId;
    children.set(parent, [...(children.get(parent) ?? []), span]);
  }
  const lines: string[] = [];
  const walk = (span: ReadableSpan, depth: number) => {
    const ms = span.duration[0] * 1000 + span.duration[1] / 1e6;
    const a = span.attributes;
    const details = depth === 0
      ? `trace ${span.spanContext().traceId.slice(0, 8)}…`
      : [
        a['db.query.text'] !== undefined ? `db.query.text="${a['db.query.text']}"` : '',
        a['db.operation.batch.size'] !== undefined ? `batch.size=${a['db.operation.batch.size']}` : '',
        a['network.peer.port'] !== undefined ? `peer=${a['network.peer.address']}:${a['network.peer.port']}` : '',
        a['error.type'] !== undefined ? `error.type=${a['error.type']}` : '',
      ].filter(Boolean).join(' ');
    lines.push(`${'  '.repeat(depth)}${depth > 0 ? '└ ' : ''}${span.name}  ${ms.toFixed(2)} ms  ${details}`);
    const kids = (children.get(span.spanContext().spanId) ?? []).sort((x, y) => compareTime(x.startTime, y.startTime));
    for (const kid of kids) walk(kid, depth + 1);
  };
  for (const root of children.get(undefined) ?? []) walk(root, 0);
  return lines.join('\n');
}

function compareTime(a: [number, number], b: [number, number]): number {
  return a[0] - b[0] || a[1] - b[1];
}

function ignore(): void {}
