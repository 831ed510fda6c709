/**
 * Valkey GLIDE: a Rust core (shipped as a native binary in the npm package) multiplexing every
 * command over one connection per node, driven from Node through its FFI layer. No checkout, so
 * `use1` is a plain command; `pipeline1000` is a non-atomic `Batch` sent with `exec`. RESP3, its
 * default.
 */
import { Batch, GlideClient, Logger } from '@valkey/valkey-glide';
import { throwFirstError, type BenchClient, type BenchCommand } from '../scenarios.js';
import { runChild } from './harness.js';

async function connect(url: string): Promise<BenchClient> {
  const { hostname, port } = new URL(url);
  // Its warnings go to stdout, which a child run by hand uses for its result.
  Logger.setLoggerConfig('off');
  const client = await GlideClient.createClient({
    addresses: [{ host: hostname, port: Number(port) }],
    // Defaults that would fail the bench rather than measure it: 250 ms per request (a 1000-command
    // pipeline among 200 waits longer) and 1000 requests in flight (the sweep has 10,000 callers).
    // The other clients have neither limit.
    requestTimeout: 30_000,
    inflightRequestsLimit: 1_000_000,
  });
  const command = (c: BenchCommand) => (c[0] === 'SET' ? client.set(c[1], c[2]) : client.get(c[1]));
  return {
    use1: command,
    command,
    async pipeline(commands) {
      const batch = new Batch(false);
      for (const c of commands) {
        if (c[0] === 'SET') batch.set(c[1], c[2]);
        else batch.get(c[1]);
      }
      // raiseOnError false: errors come back in place, and are thrown here as for the others.
      throwFirstError((await client.exec(batch, false)) ?? []);
    },
    async close() {
      client.close();
    },
  };
}

await runChild({ glide: (url) => connect(url) });
