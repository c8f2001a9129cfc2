import type { Lang } from './i18n.ts';

/** The locale a date is written in for each language. */
export const LOCALES: Record<Lang, string> = { en: 'en-GB', zh: 'zh-CN' };

/**
 * The codes the server sends (verdicts, refusal reasons, chart series, breaker states) as a person
 * reads them in Chinese. English shows the codes themselves: they are what the CLI prints and the
 * audit filters take.
 */
const ZH: Record<string, string> = {
  match: '一致',
  mismatch: '不一致',
  not_found: '无记录',
  invalid: '无效',
  unavailable: '不可用',
  billed: '计费',
  unbilled: '未计费',
  refused: '拒绝',
  ok: '正常',
  open: '熔断中',
  disabled: '已停用',
  body_too_large: '请求体过大',
  bad_request: '请求格式错误',
  appid_missing: '缺少 appid',
  signature_missing: '缺少签名',
  signature_malformed: '签名格式错误',
  app_unknown: '应用不存在',
  secret_unknown: '密钥不存在',
  secret_app_mismatch: '密钥与应用不符',
  target_mismatch: '请求目标不符',
  bucket_unknown: 'bucket 不存在',
  signature_invalid: '签名无效',
  signature_expired: '签名已过期',
  timestamp_invalid: '时间戳无效',
  timestamp_expired: '时间戳已过期',
  replayed: '重复请求',
  action_unknown: '未知操作',
  version_unknown: '未知版本',
  parameter_missing: '缺少参数',
  parameter_invalid: '参数无效',
  parameter_unknown: '未知参数',
  parameter_value_invalid: '参数值无效',
  encryption_unsupported: '不支持的加密方式',
  suspended: '应用已暂停',
  not_permitted: '无权进行此核验',
  ip_denied: 'IP 不在白名单',
  rate_limited: '超出 QPS 限制',
  daily_limited: '超出每日限制',
  quota_exhausted: '额度已用完',
  internal: '内部错误',
};

/** A server's code in the language: Chinese where the table has it, the code itself otherwise. */
export const term = (lang: Lang, code: string): string => (lang === 'zh' ? (ZH[code] ?? code) : code);
