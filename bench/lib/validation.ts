import { createRequire } from 'node:module';
import { validateBankCard } from '../../src/core/bank-card.ts';
import { checkCharacter, to15, validateIdNumber } from '../../src/core/id-number.ts';
import { generateIdentities } from '../../src/core/synthetic.ts';

/**
 * Offline validation side by side with the npm packages `id-validator` (with its GB2260 table, its
 * strictest setting) and `idcard`, on one synthetic corpus. Each corpus entry carries the rule it
 * exercises, so a disagreement comes with the reason Realname's verdict is the right one.
 */

const require = createRequire(import.meta.url);
type IdValidatorCtor = new (gb2260?: unknown) => { isValid(id: string): boolean };
const IDValidator = require('id-validator') as IdValidatorCtor;
const GB2260 = require('id-validator/src/GB2260.js') as unknown;
const idcard = require('idcard') as { verify(id: string): boolean };

interface Entry {
  value: string;
  /** The verdict the rule calls for. */
  valid: boolean;
  /** Which rule the entry exercises (the "why" of a disagreement). */
  why: string;
}

/** Why Realname's verdict holds for each kind of corpus entry. */
const WHY = {
  plain: 'a valid 18-digit resident ID number (real region, real date, MOD 11-2 check digit)',
  abolished:
    'the region code was abolished after the number was issued; GB 11643 numbers keep the code in force at issue, so the ID stays valid',
  lowercaseX: 'check character written as a lowercase x: the same number (GB 11643 uses X; users type x)',
  legacy15: 'a 15-digit legacy number (pre-1999 cards), valid after conversion to 18 digits',
  permit: 'a residence permit for Hong Kong/Macau/Taiwan residents (810000/820000/830000), a valid ID number since 2018',
  badCheck: 'the MOD 11-2 check digit does not match',
  neverRegion: 'the region code never existed in GB/T 2260',
  feb29: '29 February of a non-leap year is not a date',
  future: 'a birth date after today',
  foreign2023: "a foreigner's permanent residence ID card, 2023 format (18 digits, first digit 9)",
} as const;

function withCheck(body: string): string {
  return body + checkCharacter(body);
}

/** `size` entries: mostly plain valid numbers, and every rule above in fixed proportions. */
export function idCorpus(size: number): Entry[] {
  const people = [...generateIdentities(Math.ceil(size * 0.7), 'bench-validation')];
  const out: Entry[] = [];
  const now = new Date();
  for (const [i, p] of people.entries()) {
    const id = p.idNumber;
    const plainValid = validateIdNumber(id, now);
    const region = plainValid.ok ? plainValid.facts.region : undefined;
    out.push({ value: id, valid: true, why: region?.abolished ? WHY.abolished : WHY.plain });
    const body = id.slice(0, 17);
    switch (i % 10) {
      case 0:
        if (id.endsWith('X')) out.push({ value: id.toLowerCase(), valid: true, why: WHY.lowercaseX });
        else out.push({ value: withCheck(`${body.slice(0, 16)}${(Number(body[16]) + 1) % 10}`), valid: true, why: WHY.plain });
        break;
      case 1:
        if (id.slice(6, 8) === '19') out.push({ value: to15(id), valid: true, why: WHY.legacy15 });
        break;
      case 2:
        out.push({ value: withCheck(`${['810000', '820000', '830000'][i % 3]}${body.slice(6)}`), valid: true, why: WHY.permit });
        break;
      case 3:
        out.push({ value: body + (id[17] === '0' ? '1' : '0'), valid: false, why: WHY.badCheck });
        break;
      case 4:
        out.push({ value: withCheck(`119999${body.slice(6)}`), valid: false, why: WHY.neverRegion });
        break;
      case 5:
        out.push({ value: withCheck(`${body.slice(0, 6)}19${String(53 + (i % 40) * 4).slice(-2)}0229${body.slice(14)}`), valid: false, why: WHY.feb29 });
        break;
      case 6:
        out.push({ value: withCheck(`${body.slice(0, 6)}${now.getFullYear() + 1}0101${body.slice(14)}`), valid: false, why: WHY.future });
        break;
      case 7:
        out.push({ value: withCheck(`9${body.slice(0, 2)}840${body.slice(6)}`), valid: true, why: WHY.foreign2023 });
        break;
    }
  }
  return out.slice(0, size);
}

export interface Disagreement {
  value: string;
  ours: string;
  theirs: string;
  why: string;
}

export interface ValidationFigures {
  idsPerSec: number;
  cardsPerSec: number;
  corpus: number;
  peers: Record<string, { idsPerSec: number; disagreements: { count: number; byWhy: Record<string, number>; examples: Disagreement[] } }>;
}

/** Calls per second of `check` over the corpus, best of `repeats` passes (the first pass warms the JIT). */
function throughput<T>(values: T[], check: (v: T) => unknown, repeats: number): number {
  let best = 0;
  for (let r = 0; r < repeats; r++) {
    const started = performance.now();
    for (const v of values) check(v);
    best = Math.max(best, values.length / ((performance.now() - started) / 1000));
  }
  return best;
}

export function compareValidation(size: number): ValidationFigures {
  const now = new Date();
  const corpus = idCorpus(size);
  const ids = corpus.map((e) => e.value);
  const cards = [...generateIdentities(Math.min(size, 50_000), 'bench-cards')].map((p) => p.bankCard);
  const repeats = 4;
  const ours = (id: string) => validateIdNumber(id, now);
  const validator = new IDValidator(GB2260);
  const peerChecks: Record<string, (id: string) => boolean> = {
    'id-validator': (id) => validator.isValid(id),
    idcard: (id) => idcard.verify(id),
  };

  const figures: ValidationFigures = {
    idsPerSec: throughput(ids, ours, repeats),
    cardsPerSec: throughput(cards, validateBankCard, repeats),
    corpus: corpus.length,
    peers: {},
  };
  for (const [name, check] of Object.entries(peerChecks)) {
    const safe = (id: string) => {
      try {
        return check(id);
      } catch {
        return false;
      }
    };
    const byWhy: Record<string, number> = {};
    const examples: Disagreement[] = [];
    let count = 0;
    for (const entry of corpus) {
      const mine = ours(entry.value);
      const theirs = safe(entry.value);
      if (mine.ok === theirs) continue;
      // Honesty check: a disagreement where Realname breaks the rule is reported as ours to fix.
      const why = mine.ok === entry.valid ? entry.why : `REALNAME BUG: expected ${entry.valid ? 'valid' : 'invalid'} (${entry.why})`;
      count++;
      byWhy[why] = (byWhy[why] ?? 0) + 1;
      // One example per rule keeps the list readable.
      if (byWhy[why] === 1) {
        examples.push({
          value: entry.value,
          ours: mine.ok ? `valid (${mine.facts.type})` : `invalid: ${mine.invalid.field} ${mine.invalid.reason}`,
          theirs: theirs ? 'valid' : 'invalid',
          why,
        });
      }
    }
    figures.peers[name] = { idsPerSec: throughput(ids, safe, repeats), disagreements: { count, byWhy, examples } };
  }
  return figures;
}
