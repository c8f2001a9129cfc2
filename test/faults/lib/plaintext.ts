import { readFileSync } from 'node:fs';
import type { Person } from '../dialects/types.ts';

/**
 * Every factor of every person the run used, searched for (as UTF-8) in every file: the registry, the
 * audit log, the WAL, dumps and logs must hold masked forms and keyed hashes only. One pass per file:
 * each run of digits, and each run of Han characters, is held against the sets of the people's values.
 */
export function plaintextHits(files: readonly string[], people: readonly Person[]): { hits: number; where: string[] } {
  const numbers = new Set(people.flatMap((p) => [p.idNumber, p.bankCard, p.phone]));
  const names = new Set(people.map((p) => p.name).filter((n) => [...n].length >= 2));
  const lengths = (set: Set<string>) => [...new Set([...set].map((v) => [...v].length))];
  const numberLengths = lengths(numbers);
  const nameLengths = lengths(names);
  const where: string[] = [];
  let hits = 0;
  const found = (file: string, what: string) => {
    hits++;
    if (where.length < 10) where.push(`${file}: a ${what}`);
  };
  for (const file of files) {
    const bytes = readFileSync(file);
    const seen = new Set<string>();
    const scan = (text: string, runs: RegExp, values: Set<string>, sizes: number[], what: string) => {
      for (const [run] of text.matchAll(runs)) {
        const chars = [...run];
        for (const size of sizes) {
          for (let at = 0; at + size <= chars.length; at++) {
            const candidate = chars.slice(at, at + size).join('');
            if (values.has(candidate) && !seen.has(candidate)) {
              seen.add(candidate);
              found(file, what);
            }
          }
        }
      }
    };
    scan(bytes.toString('latin1'), /[0-9X]{11,}/g, numbers, numberLengths, 'number of a registry person');
    scan(bytes.toString('utf8'), /[\p{Script=Han}\u00b7]{2,}/gu, names, nameLengths, 'name of a registry person');
  }
  return { hits, where };
}
