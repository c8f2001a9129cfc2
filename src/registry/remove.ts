import { canonicalIdNumber, validateIdNumber } from '../core/id-number.ts';
import type { InvalidReason } from '../core/outcome.ts';
import { maskIdNumber } from '../audit/redact.ts';
import type { RegistryStore } from '../store/types.ts';
import type { RegistryHasher } from './hash.ts';

/** Removes every registry row of one person (any spelling of the ID number); returns the rows removed. */
export async function removePerson(opts: { store: RegistryStore; hasher: RegistryHasher; idNumber: string }): Promise<number> {
  return opts.store.remove(opts.hasher.idNumber(canonicalIdNumber(opts.idNumber)));
}

/** One line of a removal list: the ID number masked, and what became of it. */
export type Removal = { line: number; idNumber: string } & ({ removed: number } | { invalid: InvalidReason });

/**
 * An ID number as a person may read it in a report: masked (1101**********1234). A line that is not
 * even shaped like one (15 or 18 digits, X last) shows its length only: it may be anything.
 */
function masked(text: string): string {
  const value = text.trim();
  return /^(?:\d{15}|\d{17}[\dXx])$/.test(value) ? maskIdNumber(value) : `${[...value].length} characters`;
}

/**
 * Removes the people whose ID numbers are given one a line (blank lines skipped). A line that is no
 * valid ID number is reported as such and touches nothing: no row can have been imported under it.
 */
export async function removePeople(opts: { store: RegistryStore; hasher: RegistryHasher; lines: string[]; now: Date }): Promise<Removal[]> {
  const results: Removal[] = [];
  for (const [index, text] of opts.lines.entries()) {
    if (text.trim() === '') continue;
    const line = index + 1;
    const checked = validateIdNumber(text, opts.now);
    if (!checked.ok) {
      results.push({ line, idNumber: masked(text), invalid: checked.invalid.reason });
      continue;
    }
    const removed = await opts.store.remove(opts.hasher.idNumber(checked.idNumber));
    results.push({ line, idNumber: masked(checked.idNumber), removed });
  }
  return results;
}
