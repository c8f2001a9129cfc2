import { readFileSync } from 'node:fs';
import type { Person } from '../dialects/types.ts';

/**
 * Every factor of every person the run used, searched for byte for byte (UTF-8) in every file: the
 * registry, the audit log, the WAL, dumps and logs must hold masked forms and keyed hashes only.
 */
export function plaintextHits(files: readonly string[], people: readonly Person[]): { hits: number; where: string[] } {
  const needles = people.flatMap((p) => [p.idNumber, p.bankCard, p.phone, p.name]).filter((n) => n.length >= 2).map((n) => Buffer.from(n, 'utf8'));
  const where: string[] = [];
  let hits = 0;
  for (const file of files) {
    const bytes = readFileSync(file);
    for (const needle of needles) {
      if (bytes.includes(needle)) {
        hits++;
        if (where.length < 10) where.push(`${file}: a factor of ${needle.length} bytes`);
      }
    }
  }
  return { hits, where };
}
