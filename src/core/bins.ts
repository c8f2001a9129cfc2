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

/** kindsAt bit 0: the node is a BIN; bit n (1–30): the BIN lists cards of n digits. */
const IS_BIN = 1;
const lengthBit = (length: number): number => (length >= 1 && length <= 30 ? 1 << length : 0);

/**
 * The BINs as a digit trie in flat typed arrays, so a lookup walks the card's digits once instead of
 * slicing and hashing a prefix per BIN length, and touches the entries only of the BIN it settles on:
 * node n's child for digit d is children[n * 10 + d] (0: none; node 0 is the root), kindsAt[n] says
 * which card lengths the BIN spelled by the path to n lists, and entriesAt[n] holds its entries.
 */
const trie = (() => {
  const children: number[] = new Array<number>(10).fill(0);
  const kindsAt: number[] = [0];
  const entriesAt: (readonly BinEntry[] | undefined)[] = [undefined];
  for (const [bin, entries] of entriesByPrefix) {
    let node = 0;
    for (let i = 0; i < bin.length; i++) {
      const slot = node * 10 + bin.charCodeAt(i) - 48;
      if (children[slot] === 0) {
        children[slot] = entriesAt.length;
        entriesAt.push(undefined);
        kindsAt.push(0);
        for (let d = 0; d < 10; d++) children.push(0);
      }
      node = children[slot]!;
    }
    entriesAt[node] = entries;
    kindsAt[node] = IS_BIN;
    for (const { length } of entries) {
      if (lengthBit(length) === 0) throw new Error(`bins.json: BIN ${bin} lists a card length of ${length}`);
      kindsAt[node]! |= lengthBit(length);
    }
  }
  return { children: Int32Array.from(children), kindsAt: Int32Array.from(kindsAt), entriesAt };
})();

function entryOfLength(entries: readonly BinEntry[], length: number): BinEntry | undefined {
  for (let i = 0; i < entries.length; i++) if (entries[i]!.length === length) return entries[i];
  return undefined;
}

/**
 * The entries of the longest BIN that is a proper prefix of `card` and has a `kind` bit (a card
 * length, or IS_BIN for any): down the trie along the card's digits, a deeper fit replacing a shallower one.
 */
function longestBin(card: string, kind: number): readonly BinEntry[] | undefined {
  const { children, kindsAt } = trie;
  let found = 0;
  let node = 0;
  for (let i = 0; i < card.length - 1 && kind !== 0; i++) {
    const digit = card.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) break;
    node = children[node * 10 + digit]!;
    if (node === 0) break;
    if ((kindsAt[node]! & kind) !== 0) found = node;
  }
  return found === 0 ? undefined : trie.entriesAt[found];
}

/** The entry of the longest BIN prefix of `card` listed for the card's length. */
export function findBin(card: string): BinEntry | undefined {
  const entries = longestBin(card, lengthBit(card.length));
  return entries && entryOfLength(entries, card.length);
}

/** Card lengths listed for the longest BIN prefix of `card`, or undefined if no BIN matches. */
export function binLengths(card: string): number[] | undefined {
  return longestBin(card, IS_BIN)?.map((e) => e.length);
}

export function bankByCode(code: string): Bank | undefined {
  return banks.get(code);
}

/** Every BIN entry (for generators and tests). */
export function allBins(): BinEntry[] {
  return [...entriesByPrefix.values()].flat();
}
