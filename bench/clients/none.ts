/**
 * No client at all: the open loop's baseline (bench/open-loop.ts). A "command" resolves on the
 * next turn of the event loop (setImmediate), as a reply read from a socket would, without any
 * I/O or server. Its latencies are what the open-loop driver, Node's event loop and the
 * machine's scheduling cost by themselves: the floor under every client's figures in the same
 * run. On a shared machine its p99 is milliseconds (the process waiting for a CPU), and a
 * client's p99 near it says the tail is the host's, not the client's.
 */
import type { BenchClient } from '../scenarios.js';
import { runChild } from './harness.js';

function nextTurn(resolve: (value: unknown) => void): void {
  setImmediate(resolve, 'OK');
}

async function connect(): Promise<BenchClient> {
  const command = () => new Promise(nextTurn);
  return {
    use1: command,
    command,
    pipeline: command,
    close: () => Promise.resolve(),
    sendsNothing: true,
  };
}

await runChild({ none: connect });
