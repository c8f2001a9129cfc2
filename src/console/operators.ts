import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import type { OperatorRecord, OperatorRole, OperatorStore } from '../store/types.ts';

/** A problem with an operator the CLI was asked to add or remove: one line, never the password. */
export class OperatorError extends Error {}

export const ROLES: readonly OperatorRole[] = ['viewer', 'admin'];
const NAME = /^[a-z0-9][a-z0-9._-]{0,39}$/;
/** Long enough that the sign-in limiter, not guessing, is what an attacker meets; at most what scrypt is worth. */
export const PASSWORD_MIN = 12;
const PASSWORD_MAX = 1024;

// N = 2^15, r = 8: 32 MiB and ~50-100 ms a hash (OWASP's scrypt floor is N = 2^17 with r = 8, p = 1 at
// ~128 MiB; a sign-in is rare, but several at once on a small box should not exhaust memory).
const COST = { N: 2 ** 15, r: 8, p: 1 };
const KEY_LENGTH = 32;

const derive = (password: string, salt: Buffer, cost: { N: number; r: number; p: number }) =>
  new Promise<Buffer>((resolve, reject) => {
    const options: ScryptOptions = { N: cost.N, r: cost.r, p: cost.p, maxmem: 256 * cost.N * cost.r };
    scrypt(password.normalize('NFC'), salt, KEY_LENGTH, options, (error, key) => (error ? reject(error) : resolve(key)));
  });

/** `scrypt$N$r$p$salt$hash`, base64url: the cost travels with the hash, so it can be raised later. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, COST);
  return ['scrypt', COST.N, COST.r, COST.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** Constant time in the hash's bytes; false for a hash of another shape. */
export async function passwordMatches(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const key = await derive(password, Buffer.from(salt, 'base64url'), { N: Number(n), r: Number(r), p: Number(p) });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

export function checkPassword(password: string): string {
  // One trailing newline is how stdin ends a line; anything else is the password as given.
  const value = password.replace(/\r?\n$/, '');
  // Spaces at either end do not count: sign-in treats a password of spaces as none given.
  if (value.trim() === '') throw new OperatorError(`the password is blank: it must be at least ${PASSWORD_MIN} characters, not only spaces`);
  if ([...value.trim()].length < PASSWORD_MIN) throw new OperatorError(`the password must be at least ${PASSWORD_MIN} characters (spaces at either end not counted)`);
  if (value.length > PASSWORD_MAX) throw new OperatorError(`the password must be at most ${PASSWORD_MAX} characters`);
  if (/[\r\n]/.test(value)) throw new OperatorError('the password must be one line');
  return value;
}

export interface Operator {
  name: string;
  role: OperatorRole;
}

/** Console operators: added from the CLI (never a default password), signed in by the console. */
export class Operators {
  /** Hashed once: an unknown name costs a sign-in as much as a known one. */
  private decoy: Promise<string> | undefined;

  constructor(
    private readonly store: OperatorStore,
    private readonly clock: () => number = Date.now,
  ) {}

  async add(name: string, role: string, password: string): Promise<Operator> {
    if (!NAME.test(name)) throw new OperatorError(`an operator name is 1-40 lowercase letters, digits, '.', '_' or '-', starting with a letter or digit: ${name}`);
    if (!ROLES.includes(role as OperatorRole)) throw new OperatorError(`--role must be ${ROLES.join(' or ')}`);
    const record: OperatorRecord = { name, role: role as OperatorRole, passwordHash: await hashPassword(checkPassword(password)), createdAt: this.clock() };
    if (!(await this.store.add(record))) throw new OperatorError(`an operator named ${name} exists (operators passwd ${name} sets a new password)`);
    return { name, role: record.role };
  }

  async setPassword(name: string, password: string): Promise<void> {
    const hash = await hashPassword(checkPassword(password));
    if (!(await this.store.setPassword(name, hash))) throw new OperatorError(`no operator ${name}`);
  }

  async remove(name: string): Promise<void> {
    if (!(await this.store.remove(name))) throw new OperatorError(`no operator ${name}`);
  }

  async list(): Promise<Array<Operator & { createdAt: number }>> {
    return (await this.store.list()).map((o) => ({ name: o.name, role: o.role, createdAt: o.createdAt }));
  }

  /** The operator when the password is theirs; undefined otherwise, after the same work either way. */
  async verify(name: string, password: string): Promise<Operator | undefined> {
    const record = typeof name === 'string' && NAME.test(name) ? await this.store.get(name) : undefined;
    const stored = record?.passwordHash ?? (await (this.decoy ??= hashPassword(randomBytes(16).toString('hex'))));
    const matches = typeof password === 'string' && password.length <= PASSWORD_MAX && (await passwordMatches(password, stored));
    return record && matches ? { name: record.name, role: record.role } : undefined;
  }

  /** The operator's current role (a removed operator's sessions end at their next request). */
  async current(name: string): Promise<Operator | undefined> {
    const record = await this.store.get(name);
    return record && { name: record.name, role: record.role };
  }
}
