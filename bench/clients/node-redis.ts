/**
 * node-redis, both ways its docs offer: one client (which pipelines every command issued in the
 * same tick on its single socket) and `createClientPool`, which lends a whole client to each task.
 */
import { createClient, createClientPool, type RedisClientType } from 'redis';
import { throwFirstError, type BenchClient, type BenchCommand } from '../scenarios.js';
import { runChild } from './harness.js';

/** The subset of a node-redis client (or pool) the scenarios call. */
interface Commands {
  get(key: string): Promise<unknown>;
  set(key: string, value: string): Promise<unknown>;
}

function send(target: Commands, c: BenchCommand): Promise<unknown> {
  return c[0] === 'SET' ? target.set(c[1], c[2]) : target.get(c[1]);
}

/**
 * node-redis documents two ways to pipeline: commands issued in one tick (`Promise.all`) and
 * `multi().execAsPipeline()`. With 200 callers of 1000 commands the second was about six times
 * faster (and the first saw errors), so it is the one benchmarked.
 */
async function pipelineOn(client: RedisClientType, commands: readonly BenchCommand[]): Promise<void> {
  const batch = client.multi();
  for (const c of commands) {
    if (c[0] === 'SET') batch.set(c[1], c[2]);
    else batch.get(c[1]);
  }
  throwFirstError(await batch.execAsPipeline());
}

async function single(url: string): Promise<BenchClient> {
  const client = createClient({ url });
  await client.connect();
  const command = (c: BenchCommand) => send(client, c);
  return {
    use1: command,
    command,
    pipeline: (commands) => pipelineOn(client, commands),
    async close() {
      await client.close();
    },
  };
}

async function pool(url: string, size: number): Promise<BenchClient> {
  const clients = createClientPool({ url }, { minimum: size, maximum: size });
  await clients.connect();
  return {
    use1: (c) => clients.execute((client) => send(client, c)),
    command: (c) => send(clients, c),
    pipeline: (commands) => clients.execute((client) => pipelineOn(client, commands)),
    async close() {
      await clients.close();
    },
  };
}

await runChild({ 'node-redis': single, 'node-redis-pool': pool });
