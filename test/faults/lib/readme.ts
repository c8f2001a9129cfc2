import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DialectUnderTest } from '../dialects/types.ts';

const README = join(import.meta.dirname, '..', '..', '..', 'README.md');

/** The codes README documents for a dialect: its code table, read as a user reads it, plus prose answers. */
export function documentedCodes(dialect: DialectUnderTest): ReadonlySet<string> {
  const text = readFileSync(README, 'utf8');
  const start = text.indexOf(`<!-- codes:${dialect.readmeTable} -->`);
  const end = text.indexOf(`<!-- /codes:${dialect.readmeTable} -->`);
  if (start < 0 || end < start) throw new Error(`README has no code table for ${dialect.readmeTable}`);
  const codes = new Set<string>(dialect.untabled);
  for (const line of text.slice(start, end).split('\n')) {
    const cell = /^\|\s*(-?\d+)\s*\|/.exec(line);
    if (cell) codes.add(cell[1]!);
  }
  return codes;
}
