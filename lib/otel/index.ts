/**
 * `respool/otel`: OpenTelemetry spans and metrics for respool, built on its diagnostics
 * channels. Needs `@opentelemetry/api` (an optional peer dependency); the main `respool` entry
 * never loads this file.
 *
 * ```ts
 * import { RespoolInstrumentation } from 'respool/otel';
 * const instrumentation = new RespoolInstrumentation();   // uses the global tracer and meter providers
 * // or: registerInstrumentations({ instrumentations: [new RespoolInstrumentation()] })
 * ```
 *
 * Follows the OpenTelemetry semantic conventions for database client spans and metrics and
 * their Redis page (semconv v1.44 / main as of 2026; stable database attributes).
 */
import {
  context,
  metrics,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Histogram,
  type Meter,
  type MeterProvider,
  type Span,
  type Tracer,
  type TracerProvider,
} from '@opentelemetry/api';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import {
  batchChannel,
  commandChannel,
  connectChannel,
  poolWaitChannel,
  reconnectChannel,
  type BatchContext,
  type CommandContext,
  type ConnectContext,
  type PoolWaitMessage,
} from '../diagnostics/channels.js';
import { PoolGauges } from './pool-gauges.js';
import { queryText, type QueryTextMode } from './query-text.js';

export type { QueryTextMode } from './query-text.js';

const NAME = 'respool';
const VERSION: string = (createRequire(import.meta.url)('../../package.json') as { version: string }).version;

/** Bucket boundaries (s) the semantic conventions advise for db.client.operation.duration. */
const DURATION_BUCKETS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10];

export interface RespoolInstrumentationConfig {
  /** Start enabled (default true). */
  enabled?: boolean;
  /** Defaults to the global tracer provider. */
  tracerProvider?: TracerProvider;
  /** Defaults to the global meter provider. */
  meterProvider?: MeterProvider;
  /**
   * `db.query.text`: `'masked'` (default: the command name and a `?` per argument, `SET ? ?`),
   * `'full'` (arguments as sent, credentials still redacted) or `'none'`.
   */
  queryText?: QueryTextMode;
  /** Only record spans for commands issued while a span is active (default false). */
  requireParentSpan?: boolean;
}

/** What a context carries once this instrumentation has seen its start. */
interface Traced {
  [kSpan]?: Span;
  [kStart]?: number;
}
const kSpan = Symbol('respool.otel.span');
const kStart = Symbol('respool.otel.start');

/**
 * Subscribes to respool's channels and turns them into:
 * - a CLIENT span per command and per pipeline/transaction (named `{db.operation.name}
 *   {server.address}:{server.port}`), parented to the span active where the command was issued;
 * - the `db.client.operation.duration` histogram (s);
 * - pool gauges `db.client.connection.count` (state idle/used), `db.client.connection.max`,
 *   `db.client.connection.pending_requests`, `respool.pool.in_flight`, and the histograms
 *   `db.client.connection.wait_time` and `db.client.connection.create_time`, plus the counter
 *   `respool.connection.reconnects`.
 *
 * It has the methods `registerInstrumentations` from `@opentelemetry/instrumentation` calls
 * (`enable`, `disable`, `setTracerProvider`, `setMeterProvider`, `setConfig`, `getConfig`).
 */
export class RespoolInstrumentation {
  readonly instrumentationName = NAME;
  readonly instrumentationVersion = VERSION;
  #config: RespoolInstrumentationConfig;
  #tracer: Tracer;
  #meter: Meter;
  #duration!: Histogram;
  #waitTime!: Histogram;
  #createTime!: Histogram;
  #reconnects!: ReturnType<Meter['createCounter']>;
  #gauges: PoolGauges | null = null;
  #enabled = false;

  constructor(config: RespoolInstrumentationConfig = {}) {
    this.#config = { ...config };
    this.#tracer = this.#makeTracer();
    this.#meter = this.#makeMeter();
    this.#instruments();
    if (config.enabled !== false) this.enable();
  }

  // ── the Instrumentation interface ─────────────────────────────────────────────────────

  enable(): void {
    if (this.#enabled) return;
    this.#enabled = true;
    commandChannel.subscribe(this.#commandHandlers);
    batchChannel.subscribe(this.#batchHandlers);
    connectChannel.subscribe(this.#connectHandlers);
    poolWaitChannel.subscribe(this.#onPoolWait);
    reconnectChannel.subscribe(this.#onReconnect);
    this.#gauges = new PoolGauges(this.#meter);
  }

  disable(): void {
    if (!this.#enabled) return;
    this.#enabled = false;
    commandChannel.unsubscribe(this.#commandHandlers);
    batchChannel.unsubscribe(this.#batchHandlers);
    connectChannel.unsubscribe(this.#connectHandlers);
    poolWaitChannel.unsubscribe(this.#onPoolWait);
    reconnectChannel.unsubscribe(this.#onReconnect);
    this.#gauges?.stop();
    this.#gauges = null;
  }

  setTracerProvider(provider: TracerProvider): void {
    this.#config.tracerProvider = provider;
    this.#tracer = this.#makeTracer();
  }

  setMeterProvider(provider: MeterProvider): void {
    this.#config.meterProvider = provider;
    this.#meter = this.#makeMeter();
    this.#instruments();
    if (this.#enabled) {
      this.#gauges?.stop();
      this.#gauges = new PoolGauges(this.#meter);
    }
  }

  setConfig(config: RespoolInstrumentationConfig): void {
    this.#config = { ...this.#config, ...config };
  }

  getConfig(): RespoolInstrumentationConfig {
    return { ...this.#config };
  }

  /**
   * Adds a pool created before this instrumentation was enabled to the pool gauges (pools
   * created later are found by themselves, through the respool:pool:create channel).
   */
  observe(pool: { readonly stats: object; readonly options: { readonly size: number; readonly address: string; readonly db: number } }): void {
    this.#gauges?.add(pool, `${pool.options.address}/${pool.options.db}`);
  }

  // ── setup ─────────────────────────────────────────────────────────────────────────────

  #makeTracer(): Tracer {
    return (this.#config.tracerProvider ?? trace.getTracerProvider()).getTracer(NAME, VERSION);
  }

  #makeMeter(): Meter {
    return (this.#config.meterProvider ?? metrics.getMeterProvider()).getMeter(NAME, VERSION);
  }

  #instruments(): void {
    const meter = this.#meter;
    this.#duration = meter.createHistogram('db.client.operation.duration', {
      description: 'Duration of database client operations.',
      unit: 's',
      advice: { explicitBucketBoundaries: DURATION_BUCKETS },
    });
    this.#waitTime = meter.createHistogram('db.client.connection.wait_time', {
      description: 'The time it took to obtain an open connection from the pool.',
      unit: 's',
      advice: { explicitBucketBoundaries: DURATION_BUCKETS },
    });
    this.#createTime = meter.createHistogram('db.client.connection.create_time', {
      description: 'The time it took to create a new connection (socket and handshake).',
      unit: 's',
      advice: { explicitBucketBoundaries: DURATION_BUCKETS },
    });
    this.#reconnects = meter.createCounter('respool.connection.reconnects', {
      description: 'Connections lost or attempts refused, each followed by a reconnect attempt.',
      unit: '{reconnect}',
    });
  }

  // ── spans and the duration histogram ──────────────────────────────────────────────────

  #start(ctx: (CommandContext | BatchContext) & Traced, batch: boolean): void {
    ctx[kStart] = performance.now();
    const parent = context.active();
    if (this.#config.requireParentSpan === true && trace.getSpan(parent) === undefined) return;
    const name = ctx['db.operation.name'];
    const attributes: Attributes = {
      'db.system.name': 'redis',
      'db.operation.name': name,
      'db.namespace': ctx['db.namespace'],
      'server.address': ctx['server.address'],
    };
    const port = ctx['server.port'];
    if (port !== undefined) attributes['server.port'] = port;
    const mode = this.#config.queryText ?? 'masked';
    if (batch) {
      const size = (ctx as BatchContext)['db.operation.batch.size'];
      if (size >= 2 || size === 0) attributes['db.operation.batch.size'] = size;
      if (mode !== 'none') attributes['db.query.text'] = queryText((ctx as BatchContext).commands, mode);
    } else {
      const command = (ctx as CommandContext).command;
      if (mode !== 'none') attributes['db.query.text'] = queryText([command], mode);
      if (PROCEDURES.has(name) && command.length > 1) attributes['db.stored_procedure.name'] = String(command[1]);
    }
    const target = port !== undefined ? `${ctx['server.address']}:${port}` : ctx['server.address'];
    ctx[kSpan] = this.#tracer.startSpan(`${name} ${target}`, { kind: SpanKind.CLIENT, attributes }, parent);
  }

  #finish(ctx: (CommandContext | BatchContext) & Traced): void {
    const span = ctx[kSpan];
    const type = ctx['error.type'];
    if (span !== undefined) {
      if (ctx.connectionId !== 0) {
        const peer = ctx['network.peer.address'];
        if (peer !== undefined) span.setAttribute('network.peer.address', peer);
        const peerPort = ctx['network.peer.port'];
        if (peerPort !== undefined) span.setAttribute('network.peer.port', peerPort);
      }
      if (type !== undefined) {
        span.setAttribute('error.type', type);
        const code = ctx['db.response.status_code'];
        if (code !== undefined) span.setAttribute('db.response.status_code', code);
        const error = ctx.error ?? firstError((ctx as BatchContext).result);
        span.setStatus({ code: SpanStatusCode.ERROR, message: error?.message });
      }
      span.end();
    }
    const started = ctx[kStart];
    if (started === undefined) return;
    const attributes: Attributes = {
      'db.system.name': 'redis',
      'db.operation.name': ctx['db.operation.name'],
      'db.namespace': ctx['db.namespace'],
      'server.address': ctx['server.address'],
    };
    if (ctx['server.port'] !== undefined) attributes['server.port'] = ctx['server.port'];
    if (type !== undefined) {
      attributes['error.type'] = type;
      if (ctx['db.response.status_code'] !== undefined) attributes['db.response.status_code'] = ctx['db.response.status_code'];
    }
    this.#duration.record((performance.now() - started) / 1000, attributes);
  }

  readonly #commandHandlers = {
    start: (message: unknown) => this.#start(message as CommandContext, false),
    end: ignore,
    asyncStart: ignore,
    asyncEnd: (message: unknown) => this.#finish(message as CommandContext),
    error: ignore,
  };

  readonly #batchHandlers = {
    start: (message: unknown) => this.#start(message as BatchContext, true),
    end: ignore,
    asyncStart: ignore,
    asyncEnd: (message: unknown) => this.#finish(message as BatchContext),
    error: ignore,
  };

  // ── connection metrics ────────────────────────────────────────────────────────────────

  readonly #connectHandlers = {
    start: ignore,
    end: ignore,
    asyncStart: ignore,
    asyncEnd: (message: unknown) => {
      const c = message as ConnectContext;
      if (c.error !== undefined || c.duration === undefined) return;
      const attributes: Attributes = { 'db.system.name': 'redis', 'server.address': c['server.address'] };
      if (c['server.port'] !== undefined) attributes['server.port'] = c['server.port'];
      this.#createTime.record(c.duration / 1000, attributes);
    },
    error: ignore,
  };

  readonly #onPoolWait = (message: unknown): void => {
    const m = message as PoolWaitMessage;
    this.#waitTime.record(m.duration / 1000, { 'db.client.connection.pool.name': m['db.client.connection.pool.name'] });
  };

  readonly #onReconnect = (message: unknown): void => {
    const m = message as { 'server.address': string; 'error.type': string };
    this.#reconnects.add(1, { 'server.address': m['server.address'], 'error.type': m['error.type'] });
  };
}

/** Commands whose first argument names a script or function (db.stored_procedure.name). */
const PROCEDURES = new Set(['EVALSHA', 'EVALSHA_RO', 'FCALL', 'FCALL_RO']);

function firstError(results: unknown[] | undefined): Error | undefined {
  if (results === undefined) return undefined;
  for (const value of results) {
    if (value instanceof Error) return value;
    if (Array.isArray(value)) for (const inner of value) if (inner instanceof Error) return inner;
  }
  return undefined;
}

function ignore(): void {}
