import type { Factors } from '../../core/factors.ts';
import type { Outcome } from '../../core/outcome.ts';
import { validateIdNumber } from '../../core/id-number.ts';
import { CARD_CATEGORIES, CARD_REMARKS, ID_STATUS } from './codes.ts';

type Verdict = keyof typeof ID_STATUS;

/** The ID number as the vendor echoes it: first 4 and last 4 kept, an `x` for each digit between. */
export function maskIdNumber(idNumber: string): string {
  const chars = [...idNumber.trim()];
  if (chars.length <= 8) return 'x'.repeat(chars.length);
  return chars.slice(0, 4).join('') + 'x'.repeat(chars.length - 8) + chars.slice(-4).join('');
}

/** The name as the vendor echoes it: the first character and `xx`, whatever the length. */
export function maskName(name: string): string {
  const [first] = name.trim().normalize('NFC');
  return first === undefined ? '' : `${first}xx`;
}

/** YYYY-MM-DD → YYYY年MM月DD日 */
function chineseDate(ymd: string): string {
  const [y, m, d] = ymd.split('-');
  return `${y}年${m}月${d}日`;
}

/**
 * The `result` of /factor/idcard for a verdict. Sex, birthday and area are read from the ID number
 * by the core (every valid kind of number, the 15-digit form and residence permits included).
 */
export function idcardResult(verdict: Verdict, factors: Factors, now: Date): Record<string, string> {
  const idNumber = factors.idNumber ?? '';
  const id = validateIdNumber(idNumber, now);
  const facts = id.ok ? id.facts : undefined;
  return {
    bank_msg: ID_STATUS[verdict].bank_msg,
    bank_idCard: maskIdNumber(idNumber),
    bank_name: maskName(factors.name ?? ''),
    bank_sex: facts?.sex === 'M' ? '男' : facts?.sex === 'F' ? '女' : '',
    bank_area: facts?.region.name ?? '',
    bank_birthday: facts ? chineseDate(facts.birthDate) : '',
    bank_status: ID_STATUS[verdict].bank_status,
  };
}

/** The `result` of /factor/card_three_auth: whether the three belong together, and the card's BIN facts. */
export function cardResult(verdict: Verdict, outcome: Outcome): Record<string, string> {
  const type = outcome.card?.type;
  return {
    identical: verdict === 'match' ? 'true' : 'false',
    bankName: outcome.card?.bank?.name ?? '',
    cardCategory: type ? CARD_CATEGORIES[type] : '',
    remark: CARD_REMARKS[verdict],
  };
}
