/**
 * A check id is 32 lowercase hex digits (128 random bits). Tencent Cloud's API 3.0 answers carry it as
 * a UUID's 8-4-4-4-12 groups (RequestId); whoever looks a check up may quote either rendering.
 */

const HEX32 = /^[0-9a-f]{32}$/i;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** 0123456789abcdef0123456789abcdef → 01234567-89ab-cdef-0123-456789abcdef */
export function checkIdAsUuid(checkId: string): string {
  return `${checkId.slice(0, 8)}-${checkId.slice(8, 12)}-${checkId.slice(12, 16)}-${checkId.slice(16, 20)}-${checkId.slice(20)}`;
}

/** The check id a text quotes, in either rendering and any case, as stored; any other text as it is. */
export function canonicalCheckId(text: string): string {
  const trimmed = text.trim();
  if (HEX32.test(trimmed)) return trimmed.toLowerCase();
  if (UUID.test(trimmed)) return trimmed.replace(/-/g, '').toLowerCase();
  return text;
}
