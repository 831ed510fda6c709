/**
 * node-redis (one client) with @opentelemetry/instrumentation-redis, over the same no-op SDK
 * setup as respool-otel. `redis` is loaded with require after the instrumentation is
 * registered, so its require hook can patch @redis/client.
 */
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { RedisInstrumentation } from '@opentelemetry/instrumentation-redis';
import { createRequire } from 'node:module';
import { throwFirstError, type BenchClient, type BenchCommand } from '../scenarios.js';
import { runChild } from './harness.js';
import { setUpOtel } from './otel-setup.js';

async function connect(url: string): Promise<BenchClient> {
  const otel = setUpOtel();
  registerInstrumentations({ ...otel, instrumentations: [new RedisInstrumentation()] });
  const { createClient } = createRequire(import.meta.url)('redis') as typeof import('redis');
  const client = createClient({ url });
  await client.connect();
  const command = (c: BenchCommand) => (c[0] === 'SET' ? client.set(c[1], c[2]) : client.get(c[1]));
  return {
    use1: command,
    command,
    async pipeline(commands) {
      const batch = client.multi();
      for (const c of commands) {
        if (c[0] === 'SET') batch.set(c[1], c[2]);
        else batch.get(c[1]);
      }
      throwFirstError(await batch.execAsPipeline());
    },
    async close() {
      await otel.check();
      await client.close();
    },
  };
}

await runChild({ 'node-redis-otel': connect });
