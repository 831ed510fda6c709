/**
 * ioredis (auto-pipelining) with @opentelemetry/instrumentation-ioredis, over the same no-op
 * SDK setup as respool-otel. ioredis is loaded with require after the instrumentation is
 * registered, so its require hook can patch it.
 */
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { createRequire } from 'node:module';
import type { BenchClient, BenchCommand } from '../scenarios.js';
import { runChild } from './harness.js';
import { send, sendPipeline } from './ioredis-ops.js';
import { setUpOtel } from './otel-setup.js';

async function connect(url: string): Promise<BenchClient> {
  const otel = setUpOtel();
  registerInstrumentations({ ...otel, instrumentations: [new IORedisInstrumentation({ requireParentSpan: false })] });
  const { Redis } = createRequire(import.meta.url)('ioredis') as typeof import('ioredis');
  const redis = new Redis(url, { enableAutoPipelining: true, lazyConnect: true });
  await redis.connect();
  const command = (c: BenchCommand) => send(redis, c);
  return {
    use1: command,
    command,
    pipeline: (commands) => sendPipeline(redis, commands),
    async close() {
      await otel.check();
      await redis.quit();
    },
  };
}

await runChild({ 'ioredis-otel': connect });
