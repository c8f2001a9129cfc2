import { BILL_EVERY_VERDICT, type BillingTable, type SourceVerdict } from '../../core/index.ts';
import { ACTIONS, ACTION_NAMES, ANSWERS, resultRow } from '../../protocols/tencentcloud/index.ts';

const SOURCE_VERDICTS: readonly SourceVerdict[] = ['match', 'mismatch', 'not_found'];

/**
 * What the app's quota is charged for: the vendor's billed column of the Result each verdict answers,
 * action by action (IdCardVerification's -5 and PhoneVerification's -9 are not billed; the bank-card
 * actions' 持卡人信息有误, our no record, is).
 */
export const BILLING: BillingTable = {
  verdicts: BILL_EVERY_VERDICT.verdicts,
  kinds: Object.fromEntries(
    ACTION_NAMES.map((action) => [ACTIONS[action].kind, Object.fromEntries(SOURCE_VERDICTS.map((v) => [v, resultRow(action, ANSWERS[action][v])!.billed]))]),
  ),
};
