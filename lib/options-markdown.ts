import { OPTION_TABLE, rangeText, type OptionSpec } from './options.js';

/*
 * The README's option table, rendered from the schema (lib/options.ts) so the docs cannot drift
 * from the defaults and bounds the code enforces.
 */

function typeCell(spec: OptionSpec): string {
  let text: string;
  if (spec.type === 'tls') text = 'boolean | tls.ConnectionOptions';
  else if (spec.type === 'sentinel') text = 'object';
  else if (spec.name === 'role') text = "'primary' | 'replica'";
  else if (spec.type === 'cache') text = 'boolean | object';
  else if (spec.oneOf) text = spec.oneOf.join(' | ');
  else if (spec.type === 'integer' || spec.type === 'number') text = `${spec.type} ${rangeText(spec)}`;
  else text = spec.type;
  return spec.nullable ? `${text} | null` : text;
}

function defaultCell(spec: OptionSpec): string {
  if (spec.default === undefined) return 'unset';
  return `\`${typeof spec.default === 'string' ? `'${spec.default}'` : String(spec.default)}\``;
}

/** Renders {@link OPTION_TABLE} as a Markdown table, for the README. */
export function optionsMarkdown(): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|');
  const rows = OPTION_TABLE.map((spec) =>
    [`\`${spec.name}\``, typeCell(spec), defaultCell(spec), spec.doc].map(cell).join(' | '),
  );
  const lines = ['Option | Type | Default | Description', '---|---|---|---', ...rows];
  return lines.map((line) => `| ${line} |`).join('\n') + '\n';
}
