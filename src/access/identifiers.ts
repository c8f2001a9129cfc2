/**
 * The shapes of the identifiers a request names, checked at the edge before any store is asked: an
 * identifier of another shape cannot exist, so it is simply unknown — and text no column can hold
 * (a NUL, a lone surrogate) never reaches a backend. README documents these shapes. A bucket is never
 * looked up: it is compared with the app's own list in memory, so one of another shape is unknown (16).
 */

/** 1–20 ASCII digits (ours are 10, as Tencent's are). */
const APPID = /^[0-9]{1,20}$/;
/** 1–64 ASCII letters and digits (ours are AKID + 32). */
const SECRET_ID = /^[A-Za-z0-9]{1,64}$/;

export const isAppid = (value: string): boolean => APPID.test(value);
export const isSecretId = (value: string): boolean => SECRET_ID.test(value);
