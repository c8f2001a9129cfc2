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
for (const [bin, rows] of Object.entries(table.bins)) {
  if (!/^\d+$/.test(bin)) throw new Error(`bins.json: BIN ${bin} is not all digits`);
  const entries = (rows as [string, CardType, number][]).map(([bank, type, length]) =>
    Object.freeze({ bin, bank: banks.get(bank)!, type, length }),
  );
  entriesByPrefix.set(bin, Object.freeze(entries));
}

/**
 * The BINs as a digit trie in flat arrays, so a lookup walks the card's digits once instead of slicing
 * and hashing a prefix per BIN length: node n's child for digit d is children[n * 10 + d] (0: none;
 * node 0 is the root), and entriesAt[n] holds the entries of the BIN spelled by the path to n.
 */
const trie = (() => {
  const children: number[] = new Array<number>(10).fill(0);
  const entriesAt: (readonly BinEntry[] | undefined)[] = [undefined];
  for (const [bin, entries] of entriesByPrefix) {
    let node = 0;
    for (let i = 0; i < bin.length; i++) {
      const slot = node * 10 + bin.charCodeAt(i) - 48;
      if (children[slot] === 0) {
        children[slot] = entriesAt.length;
        entriesAt.push(undefined);
        for (let d = 0; d < 10; d++) children.push(0);
      }
      node = children[slot]!;
    }
    entriesAt[node] = entries;
  }
  return { children: Int32Array.from(children), entriesAt };
})();

function entryOfLength(entries: readonly BinEntry[], length: number): BinEntry | undefined {
  for (let i = 0; i < entries.length; i++) if (entries[i]!.length === length) return entries[i];
  return undefined;
}

/**
 * The entries of the longest BIN that is a proper prefix of `card` and lists a card of `length`
 * (any length when 0): down the trie along the card's digits, a deeper fit replacing a shallower one.
 */
function longestBin(card: string, length: number): readonly BinEntry[] | undefined {
  const { children, entriesAt } = trie;
  let found: readonly BinEntry[] | undefined;
  let node = 0;
  for (let i = 0; i < card.length - 1; i++) {
    const digit = card.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) break;
    node = children[node * 10 + digit]!;
    if (node === 0) break;
    const entries = entriesAt[node];
    if (entries !== undefined && (length === 0 || entryOfLength(entries, length) !== undefined)) found = entries;
  }
  return found;
}

/** The entry of the longest BIN prefix of `card` listed for the card's length. */
export function findBin(card: string): BinEntry | undefined {
  const entries = longestBin(card, card.length);
  return entries && entryOfLength(entries, card.length);
}

/** Card lengths listed for the longest BIN prefix of `card`, or undefined if no BIN matches. */
export function binLengths(card: string): number[] | undefined {
  return longestBin(card, 0)?.map((e) => e.length);
}

export function bankByCode(code: string): Bank | undefined {
  return banks.get(code);
}

/** Every BIN entry (for generators and tests). */
export function allBins(): BinEntry[] {
  return [...entriesByPrefix.values()].flat();
}
