import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { allBins, binLengths, findBin, type BinEntry } from '../../src/core/bins.ts';

/** The lookup as first written (a map of prefixes, longest length first), kept as the oracle of the trie. */
const byPrefix = new Map<string, BinEntry[]>();
for (const entry of allBins()) byPrefix.set(entry.bin, [...(byPrefix.get(entry.bin) ?? []), entry]);
const LENGTHS = [...new Set(allBins().map((e) => e.bin.length))].sort((a, b) => b - a);
const oracle = {
  findBin(card: string): BinEntry | undefined {
    for (const n of LENGTHS) {
      if (n >= card.length) continue;
      const entry = byPrefix.get(card.slice(0, n))?.find((e) => e.length === card.length);
      if (entry) return entry;
    }
    return undefined;
  },
  binLengths(card: string): number[] | undefined {
    for (const n of LENGTHS) {
      const entries = n < card.length ? byPrefix.get(card.slice(0, n)) : undefined;
      if (entries) return entries.map((e) => e.length);
    }
    return undefined;
  },
};

const sameAsOracle = (card: string) => {
  expect(findBin(card)).toBe(oracle.findBin(card));
  expect(binLengths(card)).toEqual(oracle.binLengths(card));
};

describe('BIN lookup', () => {
  it('answers as the prefix map does for every BIN at every card length, as short as the BIN itself', () => {
    const differing: string[] = [];
    for (const { bin } of allBins()) {
      for (let length = bin.length; length <= 21; length++) {
        for (const fill of '059') {
          const card = bin + fill.repeat(length - bin.length);
          const lengths = binLengths(card);
          const expected = oracle.binLengths(card);
          const sameLengths = lengths === expected || (lengths !== undefined && expected !== undefined && lengths.join() === expected.join());
          if (findBin(card) !== oracle.findBin(card) || !sameLengths) differing.push(card);
        }
      }
    }
    expect(differing).toEqual([]);
  });

  it('answers as the prefix map does for any string, digits or not', () => {
    const bins = allBins().map((e) => e.bin);
    const digits = fc.string({ unit: fc.constantFrom(...'0123456789'), maxLength: 22 });
    fc.assert(
      fc.property(
        fc.oneof(
          fc.tuple(fc.constantFrom(...bins), digits).map(([bin, rest]) => bin + rest),
          fc.tuple(fc.constantFrom(...bins), fc.string({ unit: fc.constantFrom(...'0189 -a\uff11'), maxLength: 12 })).map(([bin, rest]) => bin + rest),
          digits,
          fc.string(),
        ),
        sameAsOracle,
      ),
      { numRuns: 20_000 },
    );
  });

  it('takes the longest BIN that lists the card length, then the first such entry', () => {
    // 621260 carries a 16-digit (SPABANK) and a 19-digit (CSRCB) entry; 62 alone is shorter.
    expect(findBin(`621260${'1'.repeat(10)}`)).toMatchObject({ bin: '621260', length: 16, bank: { code: 'SPABANK' } });
    expect(findBin(`621260${'1'.repeat(13)}`)).toMatchObject({ bin: '621260', length: 19, bank: { code: 'CSRCB' } });
    expect(binLengths(`622202${'1'.repeat(10)}`)).toEqual([19]);
    expect(findBin('622202')).toBeUndefined();
    // 2 + 30 and 2 + 38 digits: beyond any listed length (and any bit of a 32-bit length mask).
    for (const card of [`62${'1'.repeat(30)}`, `62${'1'.repeat(38)}`, `621260${'1'.repeat(34)}`]) sameAsOracle(card);
    expect(binLengths(`621260${'1'.repeat(34)}`)).toEqual([16, 19]);
  });
});
