import type { Factor, Factors } from '../../core/index.ts';
import { MATCH, mismatch, VENDOR_ERROR, type VendorVerdict } from '../upstream.ts';

/** cloudauth (信息核验), RPC style, version 2019-03-07. */
export const CLOUDAUTH_VERSION = '2019-03-07';

export interface AliyunAction {
  action: string;
  /**
   * Where the vendor's own client (`@alicloud/cloudauth20190307` 3.5.0) puts the parameters: BankMetaVerify
   * in the query string, the others in a form body. Sent the same way, so the live gateway sees what it knows.
   */
  paramsIn: 'query' | 'body';
  /** Parameters that are always the same for this check. */
  fixed: Readonly<Record<string, string>>;
  /** Wire name → factor. */
  fields: ReadonlyArray<readonly [wire: string, factor: Factor]>;
}

const bank = (productType: string, fields: AliyunAction['fields']): AliyunAction => ({
  action: 'BankMetaVerify',
  paramsIn: 'query',
  fixed: { ParamType: 'normal', VerifyMode: 'VERIFY_BANK_CARD', ProductType: productType },
  fields,
});

/**
 * The action of each check kind, by kind name: bankcard2, bankcard4 and phone3 answer as soon as those
 * kinds exist in core (a kind the house does not know is never asked).
 */
export const ACTIONS: Readonly<Record<string, AliyunAction>> = {
  idcard2: { action: 'Id2MetaVerify', paramsIn: 'body', fixed: { ParamType: 'normal' }, fields: [['IdentifyNum', 'idNumber'], ['UserName', 'name']] },
  bankcard2: bank('BANK_CARD_2_META', [['BankCard', 'bankCard'], ['UserName', 'name']]),
  bankcard3: bank('BANK_CARD_3_META', [['BankCard', 'bankCard'], ['UserName', 'name'], ['IdentifyNum', 'idNumber']]),
  bankcard4: bank('BANK_CARD_4_META', [['BankCard', 'bankCard'], ['UserName', 'name'], ['IdentifyNum', 'idNumber'], ['Mobile', 'phone']]),
  phone3: { action: 'Mobile3MetaSimpleVerify', paramsIn: 'body', fixed: { ParamType: 'normal' }, fields: [['IdentifyNum', 'idNumber'], ['Mobile', 'phone'], ['UserName', 'name']] },
};

/** The action's parameters for canonical factors; undefined when a factor it needs is missing. */
export function actionParams(action: AliyunAction, factors: Factors): Record<string, string> | undefined {
  const params: Record<string, string> = { ...action.fixed };
  for (const [wire, factor] of action.fields) {
    const value = factors[factor];
    if (value === undefined) return undefined;
    params[wire] = value;
  }
  return params;
}

/**
 * `ResultObject.BizCode` of every action: 1 一致 and 2 不一致 are billed, 3 查无记录 / 无法核验 is not.
 * BankMetaVerify's SubCode 201–216 (which element, or the card's state: lost, expired, restricted …) all
 * sit under BizCode 2, so a card's state is a mismatch, never a no-record that would fall through to a
 * second paid vendor. Which SubCode names which factor is not published in a form we could confirm, so a
 * bank mismatch names no factor; an ID mismatch is the name not being the number's owner's.
 */
export const BIZ_CODES: Readonly<Record<string, (kind: string) => VendorVerdict>> = {
  '1': () => MATCH,
  '2': (kind) => mismatch(kind === 'idcard2' ? ['name'] : []),
  '3': () => ({ verdict: 'not_found', billed: false }),
};

/**
 * The call-level `Code` (`"200"` when the call itself succeeded): every other one is an error the vendor
 * does not bill, after which another source may be asked (DOC-ID2's list).
 */
export const CALL_CODES: Readonly<Record<string, { meaning: string; verdict: VendorVerdict }>> = {
  '400': { meaning: '参数不能为空', verdict: VENDOR_ERROR },
  '401': { meaning: '参数非法', verdict: VENDOR_ERROR },
  '402': { meaning: '权威源服务异常', verdict: VENDOR_ERROR },
  '403': { meaning: '异常重复调用', verdict: VENDOR_ERROR },
  '410': { meaning: '未开通服务', verdict: VENDOR_ERROR },
  '411': { meaning: 'RAM 无权限', verdict: VENDOR_ERROR },
  '412': { meaning: '欠费', verdict: VENDOR_ERROR },
  '500': { meaning: '系统错误', verdict: VENDOR_ERROR },
};

/** An answer body's verdict, or undefined when the body is not one of the vendor's. */
export function readAnswer(kind: string, body: unknown): { code: string; verdict: VendorVerdict } | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const { Code, ResultObject } = body as { Code?: unknown; ResultObject?: { BizCode?: unknown; SubCode?: unknown } };
  if (typeof Code !== 'string') return undefined;
  if (Code !== '200') return { code: Code, verdict: CALL_CODES[Code]?.verdict ?? VENDOR_ERROR };
  const biz = ResultObject?.BizCode;
  const verdict = typeof biz === 'string' ? BIZ_CODES[biz]?.(kind) : undefined;
  if (!verdict) return undefined;
  const sub = ResultObject?.SubCode;
  return { code: typeof sub === 'string' ? `${biz}/${sub}` : String(biz), verdict };
}
