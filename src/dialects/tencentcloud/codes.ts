import { ACTION_NAMES, ANSWERS, ERRORS, RESULTS, type ActionName, type ResultRow, type SentErrorMeaning } from '../../protocols/tencentcloud/index.ts';
import type { CodeRow } from '../define.ts';
import { MISSING_HEADERS, REFUSAL_ANSWERS } from './present.ts';

/** Every Error the dialect answers with, in the order a request is checked (README's table). */
export const ERROR_TABLE: readonly CodeRow[] = (Object.keys(ERRORS) as SentErrorMeaning[])
  .filter((m) => Object.values(REFUSAL_ANSWERS).includes(m) || Object.values(MISSING_HEADERS).includes(m))
  .map((m) => ({ code: ERRORS[m].code, message: ERRORS[m].message, meaning: ERRORS[m].when }));

const FACTOR_TEXT = { idNumber: 'ID number', name: 'name', bankCard: 'bank card', phone: 'phone' } as const;

/** When Realname answers a Result, or that it never does (the bank's card states, among others). */
function when(action: ActionName, row: ResultRow): string {
  const answers = ANSWERS[action];
  const m = row.meaning;
  const answered = (text: string, ours: boolean) => (ours ? text : `${text} (never answered by Realname)`);
  switch (m.verdict) {
    case 'match':
      return 'the factors belong together';
    case 'mismatch':
      return action === 'PhoneVerification' ? 'a factor is not the record’s (ResultDetail says which, with VerifyMode "1")' : 'a factor is not the record’s';
    case 'not_found':
      return action === 'IdCardVerification' || action === 'PhoneVerification' ? 'no record' : 'no record of the card (or holder)';
    case 'invalid':
      return `invalid ${FACTOR_TEXT[m.field]} (first invalid field in the action's order)`;
    case 'unavailable':
      return answered('no source could answer (error or timeout)', answers.unavailable === row.result);
    case 'daily_limit':
      return "the ID number or name was checked as often today as the app's --daily-per-id / --daily-per-name allow";
    case 'card_state':
      return answered('a state of the card its bank reports', false);
    case 'unsupported':
      return m.what === 'certType' ? 'CertType other than 0 (二代身份证)' : answered('a phone segment the vendor does not cover', false);
  }
}

/** Each action's Result table as the vendor publishes it, with when Realname answers each and whether it is billed. */
export const RESULT_TABLES: Readonly<Record<string, readonly CodeRow[]>> = Object.fromEntries(
  ACTION_NAMES.map((action) => [
    action,
    RESULTS[action].map((row) => ({ code: row.result, message: row.description, meaning: `${when(action, row)}; ${row.billed ? 'billed' : 'not billed'}` })),
  ]),
);
