/**
 * The rules of an app's limits, in one place: the CLI's flags, the tenant API and every message
 * say the same thing. A limit is a whole number in its range, or none at all ("unlimited").
 */

export class LimitError extends Error {}

export interface LimitRule {
  name: 'qps' | 'quota' | 'daily';
  min: number;
  max: number;
  /** How a person reads the rule. */
  text: string;
}

export const QPS: LimitRule = { name: 'qps', min: 1, max: 1_000_000, text: 'a whole number from 1 to 1,000,000, or unlimited' };
export const QUOTA: LimitRule = { name: 'quota', min: 0, max: 1_000_000_000_000, text: 'a whole number from 0 to 10^12, or unlimited' };

/** An identity's checks a day, per app (the FaceID dialect's 超过当日限制). */
export const DAILY: LimitRule = { name: 'daily', min: 1, max: 1_000_000, text: 'a whole number from 1 to 1,000,000, or unlimited' };
export const UNLIMITED = 'unlimited';

/** A limit as typed: digits (thousands separators "," or "_" allowed) or "unlimited" (null). */
export function parseLimit(rule: LimitRule, text: string): number | null {
  const trimmed = text.trim();
  if (trimmed.toLowerCase() === UNLIMITED) return null;
  const digits = trimmed.replace(/[,_](?=\d{3}(?:\D|$))/g, '');
  if (!/^\d+$/.test(digits)) throw new LimitError(`${rule.name} must be ${rule.text}, got ${JSON.stringify(text)}`);
  return checkLimit(rule, Number(digits));
}

/** A limit as stored: null, or an integer in the rule's range. */
export function checkLimit(rule: LimitRule, value: number | null): number | null {
  if (value === null) return null;
  if (!Number.isSafeInteger(value) || value < rule.min || value > rule.max) {
    throw new LimitError(`${rule.name} must be ${rule.text}, got ${value}`);
  }
  return value;
}

/** App names: what `apps list` shows and people tell apps apart by. */
export function checkAppName(name: string): string {
  const trimmed = name.trim();
  if (trimmed.length === 0 || [...trimmed].length > 64 || /\p{Cc}/u.test(trimmed)) {
    throw new LimitError(`an app name must be 1-64 characters without control characters, got ${JSON.stringify(name)}`);
  }
  return trimmed;
}
