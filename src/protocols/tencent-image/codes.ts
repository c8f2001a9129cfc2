/**
 * The image service's code table: every code the legacy API answers (and Realname's dialect of it) is a row here. Messages are the vendor's
 * (Chinese, as documented); -5808 and -5809 are ours for the bank-card verdicts the vendor folds elsewhere.
 * `meaning` is the English gloss the README table is generated from.
 */
export const CODE_TABLE = [
  { code: 0, message: 'OK', meaning: 'the factors belong together' },
  { code: 3, message: 'account abnormal,errorno is:2', meaning: 'the app is suspended (arrears)' },
  { code: 4, message: '签名为空', meaning: 'no Authorization header' },
  { code: 5, message: '签名串错误', meaning: 'malformed signature, `t` more than 5 minutes ahead, or `e` more than 90 days after `t`' },
  { code: 6, message: '签名中的 appid/bucket 与操作目标不匹配', meaning: "the signature's appid/bucket differs from the request's" },
  { code: 9, message: '签名过期', meaning: 'signature expired (or a single-use `e=0` signature with `t` outside ±5 minutes)' },
  { code: 10, message: 'appid 不存在', meaning: 'unknown appid' },
  { code: 11, message: 'secretid 不存在', meaning: 'unknown or revoked SecretId' },
  { code: 12, message: 'appid 和 secretid 不匹配', meaning: 'the SecretId belongs to another app' },
  { code: 13, message: '重放攻击', meaning: "a single-use (`e=0`) signature used again, while the app's replay guard is on (the default)" },
  { code: 14, message: '签名校验失败', meaning: 'HMAC does not match' },
  { code: 15, message: '操作太频繁，触发频控', meaning: "over the app's QPS" },
  { code: 16, message: 'bucket 不存在', meaning: 'unknown bucket' },
  { code: 21, message: '无效参数', meaning: 'missing or ill-typed field, unsupported content type, broken JSON' },
  { code: 23, message: '请求包体过大', meaning: 'body over the limit (default 16 KiB)' },
  { code: 24, message: '没有权限', meaning: "check not permitted for the app, or client IP outside its allow-list" },
  { code: 25, message: '您购买的资源已用完', meaning: 'quota used up' },
  { code: 107, message: '鉴权服务不可用', meaning: 'a source answered with an error' },
  { code: 108, message: '鉴权服务不可用', meaning: 'a source was unreachable or timed out' },
  { code: 213, message: '内部错误', meaning: 'unexpected fault (logged with the session id)' },
  { code: -5803, message: '身份证号码与姓名不匹配', meaning: 'ID number and name do not match' },
  { code: -5804, message: '身份证号码无效', meaning: 'invalid ID number (checksum, region, birth date)' },
  { code: -5806, message: '身份证号码或者姓名格式错误', meaning: 'bad format (length, characters) of ID number or name' },
  { code: -5807, message: '查询身份证信息失败', meaning: 'no record for this ID number (or no bank card on file for the person)' },
  { code: -5808, message: '银行卡号无效', meaning: 'invalid bank card number (ours)' },
  { code: -5809, message: '银行卡号与身份信息不匹配', meaning: "the bank card is not this person's (ours)" },
] as const;

export type TencentImageCode = (typeof CODE_TABLE)[number]['code'];

const MESSAGES = new Map<number, string>(CODE_TABLE.map((row) => [row.code, row.message]));

/** The message the vendor sends with a code. */
export function messageOf(code: TencentImageCode): string {
  return MESSAGES.get(code) as string;
}

/** The wire body of every answer: HTTP 200 whatever the code. */
export interface TencentImageAnswer {
  code: number;
  message: string;
  data: { session_id: string };
}
