import { expect } from 'chai';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  AggregationTemporality,
  MeterProvider,
  MetricReader,
  type HistogramMetricData,
  type MetricData,
} from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';
import { inspect } from 'node:util';
import { createPool, type Pool } from '../../lib/index.js';
import { batchChannel, commandChannel } from '../../lib/diagnostics/channels.js';
import { RespoolInstrumentation } from '../../lib/otel/index.js';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';

class TestReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

async function collect(reader: TestReader): Promise<Map<string, MetricData>> {
  const { resourceMetrics } = await reader.collect();
  const out = new Map<string, MetricData>();
  for (const scope of resourceMetrics.scopeMetrics) for (const m of scope.metrics) out.set(m.descriptor.name, m);
  return out;
}

describe('respool/otel', () => {
  let server: RedisServer;
  let pool: Pool;
  let exporter: InMemorySpanExporter;
  let provider: BasicTracerProvider;
  let reader: TestReader;
  let meterProvider: MeterProvider;
  let instrumentation: RespoolInstrumentation;
  const contextManager = new AsyncLocalStorageContextManager();
  const tracer = () => provider.getTracer('test');

  before(async () => {
    server = await startRedis();
    context.setGlobalContextManager(contextManager.enable());
  });
  after(async () => {
    context.disable();
    await server.stop();
  });
  beforeEach(async () => {
    exporter = new InMemorySpanExporter();
    provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    reader = new TestReader();
    meterProvider = new MeterProvider({ readers: [reader] });
    instrumentation = new RespoolInstrumentation({ tracerProvider: provider, meterProvider });
    await server.cli('FLUSHALL');
    pool = createPool(server.url, { size: 4 });
  });
  afterEach(async () => {
    await pool.close();
    instrumentation.disable();
    await provider.shutdown();
    await meterProvider.shutdown();
  });

  const spans = (): ReadableSpan[] => exporter.getFinishedSpans().filter((s) => s.instrumentationScope.name === 'respool');

  it('a span per command, named and attributed by the semantic conventions, child of the caller\'s span', async () => {
    const parent = await tracer().startActiveSpan('request', async (span) => {
      await pool.command(['SET', 'k', 'v']);
      span.end();
      return span;
    });
    const [s] = spans();
    expect(spans()).to.have.length(1);
    expect(s!.name).to.equal(`SET 127.0.0.1:${server.port}`);
    expect(s!.kind).to.equal(SpanKind.CLIENT);
    expect(s!.attributes).to.deep.include({
      'db.system.name': 'redis',
      'db.operation.name': 'SET',
      'db.query.text': 'SET ? ?',
      'db.namespace': '0',
      'server.address': '127.0.0.1',
      'server.port': server.port,
      'network.peer.address': '127.0.0.1',
      'network.peer.port': server.port,
    });
    expect(s!.status.code).to.equal(SpanStatusCode.UNSET);
    expect(s!.parentSpanContext?.spanId).to.equal(parent.spanContext().spanId);
    expect(s!.spanContext().traceId).to.equal(parent.spanContext().traceId);
  });

  it('an error reply sets the error status, error.type and db.response.status_code', async () => {
    await pool.command(['SET', 'str', 'abc']);
    await pool.command(['INCR', 'str']).catch(() => null);
    const s = spans().find((x) => x.attributes['db.operation.name'] === 'INCR')!;
    expect(s.status.code).to.equal(SpanStatusCode.ERROR);
    expect(s.status.message).to.match(/not an integer/);
    expect(s.attributes['error.type']).to.equal('ERR');
    expect(s.attributes['db.response.status_code']).to.equal('ERR');
  });

  it('a timeout sets error.type TimeoutError', async () => {
    // A second of sleep: the 20 ms timeout fires first even on a host that runs timers late.
    await pool.command(['DEBUG', 'SLEEP', '1'], { timeout: 20 }).catch(() => null);
    const s = spans()[0]!;
    expect(s.status.code).to.equal(SpanStatusCode.ERROR);
    expect(s.attributes['error.type']).to.equal('TimeoutError');
    expect(s.attributes['db.response.status_code']).to.equal(undefined);
  });

  it('parentage holds through pool.use: the caller\'s span, and spans started inside fn', async () => {
    const [outer, inner] = await tracer().startActiveSpan('request', async (span) => {
      let innerSpan: ReturnType<ReturnType<typeof tracer>['startSpan']> | undefined;
      await pool.use(async (c) => {
        await c.command(['SET', 'a', '1']);
        await c.command(['WATCH', 'a']);
        await tracer().startActiveSpan('inside', async (s) => {
          innerSpan = s;
          await c.transaction([['INCR', 'a'], ['INCR', 'a']]);
          s.end();
        });
      });
      span.end();
      return [span, innerSpan!];
    });
    const byName = new Map(spans().map((s) => [s.attributes['db.operation.name'], s]));
    expect([...byName.keys()]).to.have.members(['SET', 'WATCH', 'MULTI INCR']);
    expect(byName.get('SET')!.parentSpanContext?.spanId).to.equal(outer.spanContext().spanId);
    expect(byName.get('WATCH')!.parentSpanContext?.spanId).to.equal(outer.spanContext().spanId);
    const multi = byName.get('MULTI INCR')!;
    expect(multi.parentSpanContext?.spanId).to.equal(inner.spanContext().spanId);
    expect(multi.attributes['db.operation.batch.size']).to.equal(2);
    expect(multi.attributes['db.query.text']).to.equal('MULTI; INCR ?; INCR ?; EXEC');
  });

  it('a pipeline is one span with db.operation.batch.size, child of the caller\'s span', async () => {
    const parent = await tracer().startActiveSpan('request', async (span) => {
      await pool.pipeline([['SET', 'a', '1'], ['SET', 'b', '2'], ['SET', 'c', '3']]);
      span.end();
      return span;
    });
    expect(spans()).to.have.length(1);
    const s = spans()[0]!;
    expect(s.name).to.equal(`PIPELINE SET 127.0.0.1:${server.port}`);
    expect(s.attributes['db.operation.batch.size']).to.equal(3);
    expect(s.attributes['db.query.text']).to.equal('SET ? ?');
    expect(s.parentSpanContext?.spanId).to.equal(parent.spanContext().spanId);
    expect(s.status.code).to.equal(SpanStatusCode.UNSET);
  });

  it('a pipeline with an error in place is marked as an error', async () => {
    await pool.command(['SET', 'str', 'abc']);
    await pool.pipeline([['INCR', 'str'], ['GET', 'str']]);
    const s = spans().find((x) => x.attributes['db.operation.name'] === 'PIPELINE')!;
    expect(s.status.code).to.equal(SpanStatusCode.ERROR);
    expect(s.attributes['error.type']).to.equal('ERR');
  });

  it('EVALSHA names the script in db.stored_procedure.name', async () => {
    const script = pool.script('return 1');
    await script.run([], []);
    const s = spans().find((x) => x.attributes['db.operation.name'] === 'EVALSHA')!;
    expect(s.attributes['db.stored_procedure.name']).to.match(/^[0-9a-f]{40}$/);
  });

  it('never records credentials, even with queryText: \'full\'', async () => {
    instrumentation.setConfig({ queryText: 'full' });
    await server.cli('ACL', 'SETUSER', 'dave', 'on', '>s3cretpw', '~*', '+@all');
    const authed = createPool(`redis://dave:s3cretpw@127.0.0.1:${server.port}`);
    try {
      await authed.command(['SET', 'k', 'visible']);
      await authed.use(async (c) => {
        await c.command(['AUTH', 'dave', 's3cretpw']);
        await c.command(['HELLO', '2', 'AUTH', 'dave', 's3cretpw']);
      });
      await authed.command(['ACL', 'SETUSER', 'erin', '>s3cretpw']);
      await authed.command(['CONFIG', 'SET', 'masterauth', 's3cretpw']);
      await authed.command(['CONFIG', 'SET', 'masterauth', '']);
    } finally {
      await authed.close();
      await server.cli('ACL', 'DELUSER', 'dave', 'erin');
    }
    const text = inspect(spans().map((s) => [s.name, s.attributes, s.status, s.events]), { depth: 10 });
    expect(text).to.include('SET k visible');
    expect(text).to.include('AUTH [redacted] [redacted]');
    expect(text).to.not.include('s3cretpw');
  });

  it('requireParentSpan: no span without an active one (the duration is still recorded)', async () => {
    instrumentation.setConfig({ requireParentSpan: true });
    await pool.command(['PING']);
    expect(spans()).to.have.length(0);
    await tracer().startActiveSpan('request', async (span) => {
      await pool.command(['PING']);
      span.end();
    });
    expect(spans()).to.have.length(1);
    const duration = (await collect(reader)).get('db.client.operation.duration') as HistogramMetricData;
    expect(duration.dataPoints[0]!.value.count).to.equal(2);
  });

  it('metrics: db.client.operation.duration and the pool gauges', async () => {
    for (let i = 0; i < 5; i++) await pool.command(['SET', 'k', String(i)]);
    await pool.command(['INCR', 'nope', 'extra']).catch(() => null);
    await pool.use(async (c) => c.command(['WATCH', 'k']));
    const all = await collect(reader);
    const duration = all.get('db.client.operation.duration') as HistogramMetricData;
    expect(duration.descriptor.unit).to.equal('s');
    const set = duration.dataPoints.find((p) => p.attributes['db.operation.name'] === 'SET')!;
    expect(set.value.count).to.equal(5);
    expect(set.attributes).to.deep.include({
      'db.system.name': 'redis', 'server.address': '127.0.0.1', 'server.port': server.port, 'db.namespace': '0',
    });
    const failed = duration.dataPoints.find((p) => p.attributes['db.operation.name'] === 'INCR')!;
    expect(failed.attributes['error.type']).to.equal('ERR');
    const name = `127.0.0.1:${server.port}/0`;
    const count = all.get('db.client.connection.count')!;
    const states = count.dataPoints.filter((p) => p.attributes['db.client.connection.pool.name'] === name);
    expect(states.map((p) => p.attributes['db.client.connection.state'])).to.have.members(['idle', 'used']);
    const total = states.reduce((n, p) => n + (p.value as number), 0);
    expect(total).to.be.within(1, 4);
    const max = all.get('db.client.connection.max')!.dataPoints.find((p) => p.attributes['db.client.connection.pool.name'] === name)!;
    expect(max.value).to.equal(4);
    expect(all.get('db.client.connection.pending_requests')!.dataPoints[0]!.value).to.equal(0);
    expect(all.has('respool.pool.in_flight')).to.equal(true);
    const wait = all.get('db.client.connection.wait_time') as HistogramMetricData;
    expect(wait.dataPoints[0]!.value.count).to.equal(1);
    const create = all.get('db.client.connection.create_time') as HistogramMetricData;
    expect(create.dataPoints[0]!.value.count).to.be.at.least(1);
  });

  it('disable() unsubscribes: no spans, and the channels have no subscribers again', async () => {
    instrumentation.disable();
    expect(commandChannel.hasSubscribers).to.equal(false);
    expect(batchChannel.hasSubscribers).to.equal(false);
    await pool.command(['PING']);
    expect(spans()).to.have.length(0);
    instrumentation.enable();
    await pool.command(['PING']);
    expect(spans()).to.have.length(1);
  });

  it('uses the global providers when given none', async () => {
    instrumentation.disable();
    trace.setGlobalTracerProvider(provider);
    const global = new RespoolInstrumentation();
    try {
      await pool.command(['PING']);
      expect(spans()).to.have.length(1);
    } finally {
      global.disable();
      trace.disable();
    }
  });
});
