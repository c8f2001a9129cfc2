/** Bank card BINs (generated table, loaded once): longest-prefix match → bank, card type, length. */
import table from './tables/bins.json' with { type: 'json' };

/** DC 借记卡, CC 贷记卡, SCC 准贷记卡, PC 预付费卡 */
export type CardType = 'DC' | 'CC' | 'SCC' | 'PC';

export interface Bank {
  code: string;
  name: string;
}

export interface BinEntry {
  bin: string;
  bank: Bank;
  type: CardType;
  length: number;
}

const banks = new Map<string, Bank>();
for (const [code, name] of Object.entries(table.banks)) banks.set(code, Object.freeze({ code, name }));

const entriesByPrefix = new Map<string, readonly BinEntry[]>();
const prefixLengths = new Set<number>();
for (const [bin, rows] of Object.entries(table.bins)) {
  const entries = (rows as [string, CardType, number][]).map(([bank, type, length]) =>
    Object.freeze({ bin, bank: banks.get(bank)!, type, length }),
  );
  entriesByPrefix.set(bin, Object.freeze(entries));
  prefixLengths.add(bin.length);
}
/** Longest first, so the first hit is the longest prefix. */
const LENGTHS = [...prefixLengths].sort((a, b) => b - a);

/** The entry of the longest BIN prefix of `card` listed for the card's length. */
export function findBin(card: string): BinEntry | undefined {
  for (const n of LENGTHS) {
    if (n >= card.length) continue;
    const entries = entriesByPrefix.get(card.slice(0, n));
    if (!entries) continue;
    for (const entry of entries) if (entry.length === card.length) return entry;
  }
  return undefined;
}

/** Card lengths listed for the longest BIN prefix of `card`, or undefined if no BIN matches. */
export function binLengths(card: string): number[] | undefined {
  for (const n of LENGTHS) {
    if (n >= card.length) continue;
    const entries = entriesByPrefix.get(card.slice(0, n));
    if (entries) return entries.map((e) => e.length);
  }
  return undefined;
}

export function bankByCode(code: string): Bank | undefined {
  return banks.get(code);
}

/** Every BIN entry (for generators and tests). */
export function allBins(): BinEntry[] {
  return [...entriesByPrefix.values()].flat();
}
