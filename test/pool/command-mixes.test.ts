import { expect } from 'chai';
import { createPool, RedisError, type Pool } from '../../lib/index.js';
import { commandKind, commandName } from '../../lib/pool/command-kinds.js';
import type { Command } from '../../lib/resp/types.js';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';

/**
 * Every mix of command kinds, in every way a caller can send a sequence: each must run in
 * order or be refused at once with EUSAGE, never hang, and close() must settle afterwards.
 * (Issue 8: a shared command before one needing an exclusive connection used to deadlock.)
 */

type Category = 'shared' | 'session' | 'blocking' | 'poison' | 'refused';
const CATEGORIES: Category[] = ['shared', 'session', 'blocking', 'poison', 'refused'];
const MAX_LENGTH = 3;
/** Far above what one combination takes; a hang shows as this. */
const HANG_MS = 4000;

/** A command of each category; position varies the refused one. */
function sample(category: Category, position: number): Command {
  switch (category) {
    // Its reply is the list's length: it proves how many ran before it, in this db.
    case 'shared': return ['RPUSH', 'log', position];
    case 'session': return ['SELECT', 1];
    // The list is filled in both dbs beforehand: it answers at once, without blocking.
    case 'blocking': return ['BLPOP', 'jobs', 1];
    case 'poison': return ['CLIENT', 'NO-EVICT', 'ON'];
    case 'refused': return [['SUBSCRIBE', 'ch'], ['CLIENT', 'REPLY', 'OFF'], ['MONITOR']][position % 3]!;
  }
}

/** The reply each command gets when all run in order from db 0. */
function expectedReplies(categories: Category[]): unknown[] {
  const lengths = [0, 0];
  let db = 0;
  return categories.map((category) => {
    switch (category) {
      case 'shared': return ++lengths[db]!;
      case 'session': db = 1; return 'OK';
      case 'blocking': return ['jobs', 'job'];
      case 'poison': return 'OK';
      case 'refused': return 'EUSAGE';
    }
  });
}

function combinations(): Category[][] {
  let all: Category[][] = [[]];
  const out: Category[][] = [];
  for (let length = 1; length <= MAX_LENGTH; length++) {
    all = all.flatMap((prefix) => CATEGORIES.map((c) => [...prefix, c]));
    out.push(...all);
  }
  return out;
}

type Way = (pool: Pool, commands: Command[]) => Promise<unknown[]>;

/** A sequence's outcome as comparable values: a reply, or an error's code. */
function outcome(value: unknown): unknown {
  return value instanceof RedisError ? value.code : value;
}

const WAYS: Record<string, Way> = {
  'pool.pipeline': (pool, commands) => pool.pipeline(commands),
  'c.pipeline in use': (pool, commands) => pool.use((c) => c.pipeline(commands)),
  'c.command issued back to back in use': (pool, commands) =>
    pool.use(async (c) => {
      const settled = await Promise.allSettled(commands.map((command) => c.command(command)));
      return settled.map((s) => (s.status === 'fulfilled' ? s.value : s.reason));
    }),
  'c.command awaited one by one in use': (pool, commands) =>
    pool.use(async (c) => {
      const replies: unknown[] = [];
      for (const command of commands) replies.push(await c.command(command).catch((e: unknown) => e));
      return replies;
    }),
};

/** A pipeline is checked whole: one refused command refuses it all, before anything is sent. */
function expectedFor(way: string, categories: Category[]): unknown {
  const refused = categories.includes('refused');
  if (refused && way.includes('pipeline')) return 'EUSAGE';
  return expectedReplies(categories);
}

const FILL = `for db = 0, 1 do
  redis.call('SELECT', db)
  redis.call('RPUSH', 'jobs', 'job', 'job', 'job')
end`;

function withDeadline<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer!: NodeJS.Timeout;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} still pending after ${HANG_MS} ms`)), HANG_MS);
  });
  return Promise.race([promise, hang]).finally(() => clearTimeout(timer));
}

describe('pool: every mix of shared, session, blocking and poison commands', function () {
  let server: RedisServer;

  before(async function () {
    server = await startRedis();
  });
  after(async function () {
    await server?.stop();
  });

  it('the samples are of the kinds they stand for', function () {
    for (const category of CATEGORIES) {
      if (category === 'refused') continue;
      const command = sample(category, 0);
      expect(commandKind(commandName(command), command), String(command)).to.equal(category);
    }
  });

  for (const size of [1, 2]) {
    for (const [way, send] of Object.entries(WAYS)) {
      it(`${way}, pool size ${size}: runs in order or refuses with EUSAGE, and close() settles`, async function () {
        this.timeout(120_000);
        for (const categories of combinations()) {
          const label = `${way} [${categories.join(', ')}] size ${size}`;
          await server.cli('FLUSHALL');
          await server.cli('EVAL', FILL, 0);
          const pool = createPool({ port: server.port, size, minIdle: 0 });
          const commands = categories.map((c, i) => sample(c, i));
          const result = await withDeadline(
            send(pool, commands).then((replies) => replies.map(outcome), outcome),
            label,
          );
          expect(result, label).to.deep.equal(expectedFor(way, categories));
          await withDeadline(pool.close(), `close() after ${label}`);
        }
      });
    }
  }

  it('pool.command alone: shared and blocking run, the rest are refused with EUSAGE', async function () {
    const pool = createPool({ port: server.port, size: 2 });
    await server.cli('FLUSHALL');
    await server.cli('EVAL', FILL, 0);
    try {
      for (const category of CATEGORIES) {
        const reply = await withDeadline(pool.command(sample(category, 0)).then(outcome, outcome), category);
        expect(reply, category).to.deep.equal(
          category === 'shared' ? 1 : category === 'blocking' ? ['jobs', 'job'] : 'EUSAGE',
        );
      }
    } finally {
      await withDeadline(pool.close(), 'close()');
    }
  });

  it('the issue\'s pipelines, with a timeout: BLPOP runs and answers in time', async function () {
    const pool = createPool({ port: server.port });
    await server.cli('DEL', 'q');
    await server.cli('RPUSH', 'q', 'job');
    const started = Date.now();
    const replies = await withDeadline(
      pool.pipeline([['SET', 'w', 1], ['BLPOP', 'q', 5], ['GET', 'k'], ['SELECT', 1], ['GET', 'k']], { timeout: 3000 }),
      'pipeline',
    );
    expect(replies).to.deep.equal(['OK', ['q', 'job'], null, 'OK', null]);
    expect(Date.now() - started).to.be.below(2500);
    await withDeadline(pool.close(), 'close()');
  });
});
