/**
 * `npm run gen:commands`: regenerates the command table under lib/commands/ from what a real
 * redis-server says about itself (COMMAND INFO for arity, flags, key specs and tips; COMMAND
 * DOCS for groups and argument syntax). The output is sorted and has no timestamps, so running
 * it twice gives no diff; test/commands/table.test.ts checks that against a live server.
 *
 * What the server does not publish (reply types, connection-state effects, blocking commands it
 * does not flag) is curated by hand beside the generated files, never inside them.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPool } from '../lib/index.js';
import type { Reply } from '../lib/resp/types.js';
import { startRedis } from '../test/helpers/redis-server.js';
import { nodeRow, renderMethodFiles, type MethodSource } from './gen-methods.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** One command's row as the generator sees it, before rendering. */
interface Row {
  name: string;
  arity: number;
  flags: string[];
  group: string;
  tips: string[];
  keySpecs: string[];
}

/** Relative path → file content, for every generated file. */
export type GeneratedFiles = Record<string, string>;

/** Reads COMMAND INFO and COMMAND DOCS from the server at `url` and renders the files. */
export async function generateCommandFiles(url: string): Promise<GeneratedFiles> {
  const pool = createPool(url, { protocol: 3, size: 1 });
  try {
    const [info, docs, server] = (await pool.pipeline([
      ['COMMAND', 'INFO'],
      ['COMMAND', 'DOCS'],
      ['INFO', 'server'],
    ])) as [Reply[], Map<string, Map<string, Reply>>, string];
    const version = /redis_version:(\S+)/.exec(server)?.[1] ?? 'unknown';
    const rows: Row[] = [];
    for (const entry of info) collectRows(entry as Reply[], docs, rows);
    rows.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return {
      'lib/commands/table.ts': renderTable(rows, version),
      ...renderMethodFiles(methodSources(rows, docs), version),
    };
  } finally {
    await pool.close();
  }
}

function collectRows(entry: Reply[], docs: Map<string, Reply>, rows: Row[]): void {
  const [name, arity, flags, , , , , tips, keySpecs, subcommands] = entry as [
    string, number, Set<string>, number, number, number, Set<string>, Set<string>, Iterable<Map<string, Reply>>, Iterable<Reply>,
  ];
  const doc = docs.get(name) as Map<string, Reply> | undefined;
  rows.push({
    name: name.toUpperCase(),
    arity,
    flags: [...flags].sort(),
    group: (doc?.get('group') as string | undefined) ?? '',
    tips: [...tips].sort(),
    // RESP3 sends key specs and subcommands as sets or arrays depending on emptiness: iterate.
    keySpecs: [...keySpecs].map(renderKeySpec),
  });
  const subDocs = doc?.get('subcommands') as Map<string, Reply> | undefined;
  for (const sub of subcommands ?? []) collectRows(sub as Reply[], subDocs ?? new Map(), rows);
}

/** Commands (and subcommands) with their COMMAND DOCS arguments; containers left out. */
function methodSources(rows: Row[], docs: Map<string, Reply>): MethodSource[] {
  const containers = new Set(rows.filter((r) => r.name.includes('|')).map((r) => r.name.split('|')[0]!));
  const out: MethodSource[] = [];
  for (const row of rows) {
    if (containers.has(row.name)) continue;
    const [top, sub] = row.name.toLowerCase().split('|') as [string, string | undefined];
    let doc = docs.get(top) as Map<string, Reply> | undefined;
    if (sub !== undefined) doc = (doc?.get('subcommands') as Map<string, Reply> | undefined)?.get(`${top}|${sub}`) as Map<string, Reply> | undefined;
    const args = (doc?.get('arguments') as Iterable<Map<string, Reply>> | undefined) ?? [];
    out.push({
      name: row.name,
      arity: row.arity,
      group: row.group,
      summary: (doc?.get('summary') as string | undefined) ?? '',
      nodes: [...args].map(nodeRow),
    });
  }
  return out;
}

/**
 * A key spec as a short string the runtime parses once:
 * `<begin> <find>` where begin is `i<index>`, `k<KEYWORD>@<startfrom>` or `u` (unknown), and
 * find is `r<lastkey>,<keystep>,<limit>`, `n<keynumidx>,<firstkey>,<keystep>` or `u`;
 * ` incomplete` is appended when the server says the spec may miss keys.
 */
function renderKeySpec(spec: Map<string, Reply>): string {
  const begin = spec.get('begin_search') as Map<string, Reply>;
  const find = spec.get('find_keys') as Map<string, Reply>;
  const b = begin.get('spec') as Map<string, Reply>;
  const f = find.get('spec') as Map<string, Reply>;
  let out: string;
  switch (begin.get('type')) {
    case 'index': out = `i${b.get('index')}`; break;
    case 'keyword': out = `k${b.get('keyword')}@${b.get('startfrom')}`; break;
    default: out = 'u';
  }
  switch (find.get('type')) {
    case 'range': out += ` r${f.get('lastkey')},${f.get('keystep')},${f.get('limit')}`; break;
    case 'keynum': out += ` n${f.get('keynumidx')},${f.get('firstkey')},${f.get('keystep')}`; break;
    default: out += ' u';
  }
  const flags = spec.get('flags') as Set<string> | undefined;
  if (flags?.has('incomplete')) out += ' incomplete';
  return out;
}

function renderTable(rows: Row[], version: string): string {
  const lines = rows.map((r) =>
    `  [${q(r.name)}, ${r.arity}, ${q(r.flags.join(' '))}, ${q(r.group)}, ${q(r.tips.join(' '))}, ${q(r.keySpecs.join('; '))}],`);
  return `/**
 * GENERATED by \`npm run gen:commands\` (scripts/gen-commands.ts) from redis-server ${version}'s
 * COMMAND INFO and COMMAND DOCS. Do not edit: regenerate. Read it through ./info.ts.
 *
 * One row per command, subcommands as \`CONTAINER|SUB\`, sorted by name:
 * [name, arity, flags, group, tips, key specs] (key spec syntax: see scripts/gen-commands.ts).
 */
export type CommandRow = readonly [
  name: string, arity: number, flags: string, group: string, tips: string, keySpecs: string,
];

export const SERVER_VERSION = ${q(version)};

export const COMMAND_ROWS: readonly CommandRow[] = [
${lines.join('\n')}
];

/** Every top-level command, lower-case (respool/compat's ioredis-shaped methods are named so). */
export type TopCommandName =
${wrapUnion(rows.filter((r) => !r.name.includes('|')).map((r) => q(r.name.toLowerCase())))};
`;
}

/** A union of literals, a few to a line. */
function wrapUnion(literals: string[]): string {
  const lines: string[] = [];
  for (let i = 0; i < literals.length; i += 8) lines.push(`  | ${literals.slice(i, i + 8).join(' | ')}`);
  return lines.join('\n');
}

function q(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** `--out DIR` writes the files under DIR instead of the repository (the reproducibility test). */
async function main(): Promise<void> {
  const at = process.argv.indexOf('--out');
  const out = at >= 0 ? process.argv[at + 1]! : ROOT;
  const server = await startRedis();
  try {
    const files = await generateCommandFiles(server.url);
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(dirname(join(out, path)), { recursive: true });
      writeFileSync(join(out, path), content);
      console.log(`wrote ${path} (${content.split('\n').length} lines)`);
    }
  } finally {
    await server.stop();
  }
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
