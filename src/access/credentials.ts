import { randomBytes, randomInt } from 'node:crypto';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function alnum(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ALNUM[randomInt(ALNUM.length)];
  return out;
}

/** Tencent appids are 10-digit numbers starting 125…; ours follow the shape so client-side validation passes. */
export function newAppid(): string {
  return `125${String(randomInt(0, 10_000_000)).padStart(7, '0')}`;
}

/** Tencent SecretIds start with AKID and are 36 characters long. */
export function newSecretId(): string {
  return `AKID${alnum(32)}`;
}

export function newSecretKey(): string {
  return alnum(32);
}

/** SUBMAIL appkeys are 32 lowercase hex characters. */
export function newAppkey(): string {
  return randomBytes(16).toString('hex');
}
