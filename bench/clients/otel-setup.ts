/**
 * What an application with OpenTelemetry tracing has running, with nothing exported: the
 * AsyncLocalStorage context manager, an SDK tracer provider whose BatchSpanProcessor hands
 * spans to an exporter that drops them, and an SDK meter provider whose reader exports to
 * nowhere once a minute. The `-otel` bench rows measure instrumentation cost on top of this.
 */
import { context, metrics, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { AggregationTemporality, MeterProvider, PeriodicExportingMetricReader, type PushMetricExporter } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, BatchSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';

/** ExportResultCode.SUCCESS of @opentelemetry/core (not a dependency of ours). */
const SUCCESS = 0;

let exported = 0;

const dropSpans: SpanExporter = {
  export: (spans, done) => {
    exported += spans.length;
    done({ code: SUCCESS });
  },
  shutdown: async () => {},
};

const dropMetrics: PushMetricExporter = {
  export: (_metrics, done) => done({ code: SUCCESS }),
  forceFlush: async () => {},
  shutdown: async () => {},
  selectAggregationTemporality: () => AggregationTemporality.CUMULATIVE,
};

export interface OtelSetup {
  tracerProvider: BasicTracerProvider;
  meterProvider: MeterProvider;
  /** Flushes the spans still queued and throws if none was ever exported: the row traced nothing. */
  check(): Promise<void>;
}

/** Installs the global context manager, tracer provider and meter provider. */
export function setUpOtel(): OtelSetup {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(dropSpans)] });
  const meterProvider = new MeterProvider({
    readers: [new PeriodicExportingMetricReader({ exporter: dropMetrics, exportIntervalMillis: 60_000 })],
  });
  trace.setGlobalTracerProvider(tracerProvider);
  metrics.setGlobalMeterProvider(meterProvider);
  return {
    tracerProvider,
    meterProvider,
    async check() {
      await tracerProvider.forceFlush();
      if (exported === 0) throw new Error('OpenTelemetry is set up but no span was recorded');
    },
  };
}
