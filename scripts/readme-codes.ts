// Regenerates the dialects' code tables in README.md from the code table each dialect in
// src/dialects/index.ts declares, so the documented codes can never drift from the served ones.
// `npm run gen:readme`; a test checks it.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DIALECTS } from '../src/dialects/index.ts';
import type { CodeRow } from '../src/dialects/define.ts';

/** Each dialect's code table under its name, and its further tables as `name/table`. */
export const TABLES: Record<string, readonly CodeRow[]> = Object.fromEntries(
  DIALECTS.flatMap((d) => [[d.name, d.codes], ...Object.entries(d.tables ?? {}).map(([table, rows]) => [`${d.name}/${table}`, rows])]),
);

export const README = join(import.meta.dirname, '..', 'README.md');

function render(rows: readonly CodeRow[]): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|');
  return ['| code | message | when |', '| --- | --- | --- |', ...rows.map((r) => `| ${r.code} | ${cell(r.message)} | ${cell(r.meaning)} |`)].join('\n');
}

/** README text with every `<!-- codes:NAME -->…<!-- /codes:NAME -->` block filled from TABLES. */
export function withCodeTables(readme: string): string {
  let text = readme;
  for (const [name, rows] of Object.entries(TABLES)) {
    const open = `<!-- codes:${name} -->`;
    const close = `<!-- /codes:${name} -->`;
    const start = text.indexOf(open);
    const end = text.indexOf(close);
    if (start < 0 || end < start) throw new Error(`README.md lacks the ${open} … ${close} markers`);
    text = `${text.slice(0, start + open.length)}\n${render(rows)}\n${text.slice(end)}`;
  }
  return text;
}

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  writeFileSync(README, withCodeTables(readFileSync(README, 'utf8')));
}
