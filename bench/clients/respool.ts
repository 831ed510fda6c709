/**
 * respool: one pool of 8 pipelined connections. `use1` borrows a handle for one command,
 * `command` lets the pool pick a connection, `pipeline` sends the batch as one write.
 */
import { createPool } from '../../lib/index.js';
import { RespoolInstrumentation } from '../../lib/otel/index.js';
import { throwFirstError, type BenchClient } from '../scenarios.js';
import { runChild } from './harness.js';
import { setUpOtel } from './otel-setup.js';

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
  const otel = setUpOtel();
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
