import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DialectUnderTest } from '../dialects/types.ts';

const README = join(import.meta.dirname, '..', '..', '..', 'README.md');

/** One row of a README code table: its code and message cells as written. */
export interface ReadmeRow {
  code: string;
  message: string;
}

/** The rows of README's code table `<!-- codes:NAME -->`, read as a user reads them. */
export function readmeRows(table: string): ReadmeRow[] {
  const text = readFileSync(README, 'utf8');
  const start = text.indexOf(`<!-- codes:${table} -->`);
  const end = text.indexOf(`<!-- /codes:${table} -->`);
  if (start < 0 || end < start) throw new Error(`README has no code table for ${table}`);
  const rows: ReadmeRow[] = [];
  for (const line of text.slice(start, end).split('\n')) {
    const cells = /^\|\s*([^|\s][^|]*?)\s*\|\s*([^|]*?)\s*\|/.exec(line);
    if (cells && cells[1] !== 'code' && !/^-+$/.test(cells[1]!)) rows.push({ code: cells[1]!, message: cells[2]! });
  }
  return rows;
}

/**
 * The codes README documents for a dialect: its code table, each per-action Result table (its codes
 * as `ACTION/code`), plus prose answers.
 */
export function documentedCodes(dialect: DialectUnderTest): ReadonlySet<string> {
  const codes = new Set<string>(dialect.untabled);
  for (const row of readmeRows(dialect.readmeTable)) codes.add(row.code);
  for (const action of dialect.resultTables ?? []) for (const row of readmeRows(`${dialect.readmeTable}/${action}`)) codes.add(`${action}/${row.code}`);
  return codes;
}
