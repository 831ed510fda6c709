/**
 * respool: one pool of 8 pipelined connections. `use1` borrows a handle for one command,
 * `command` lets the pool pick a connection, `pipeline` sends the batch as one write.
 */
import { distUrl } from '../build.js';
import { throwFirstError, type BenchClient } from '../scenarios.js';
import { runChild } from './harness.js';

/**
 * The compiled library (bench/build.ts builds dist/ first): loaded as an application that
 * installed respool loads it, and as the peers are loaded. Typed from the sources.
 */
const { createPool } = (await import(distUrl('index'))) as typeof import('../../lib/index.js');

async function connect(url: string, size: number): Promise<BenchClient> {
  const pool = createPool(url, { size });
  // Fail here, before the clock starts, if the server cannot be reached.
  await pool.command(['PING']);
  return {
    use1: (c) => pool.use((handle) => handle.command(c)),
    command: (c) => pool.command(c),
    async pipeline(commands) {
      throwFirstError(await pool.pipeline(commands));
    },
    close: () => pool.close(),
  };
}

/** As `respool`, with respool/otel on: a span per command or pipeline, the duration histogram, pool gauges. */
async function connectTraced(url: string, size: number): Promise<BenchClient> {
  // Imported here, not at the top: the plain variant must not load the OpenTelemetry SDK.
  const { setUpOtel } = await import('./otel-setup.js');
  const otel = setUpOtel();
  const { RespoolInstrumentation } = (await import(distUrl('otel'))) as typeof import('../../lib/otel/index.js');
  new RespoolInstrumentation({ tracerProvider: otel.tracerProvider, meterProvider: otel.meterProvider });
  const client = await connect(url, size);
  return {
    ...client,
    async close() {
      await otel.check();
      await client.close();
    },
  };
}

await runChild({ respool: connect, 'respool-otel': connectTraced });
