import type { OperatorAction, OperatorRecord, OperatorRole } from './types.ts';

/** An operator row as SQL backends read it. */
export interface OperatorDbRow {
  name: string;
  role: string;
  password_hash: string;
  created_at: number;
}

export interface OperatorActionDbRow {
  at: number;
  operator: string;
  action: string;
  target: string;
  ok: boolean | number;
  detail: string | Record<string, unknown>;
  ip: string;
}

export const operatorFromRow = (r: OperatorDbRow): OperatorRecord => ({ name: r.name, role: r.role as OperatorRole, passwordHash: r.password_hash, createdAt: r.created_at });

export const actionFromRow = (r: OperatorActionDbRow): OperatorAction => ({
  at: r.at,
  operator: r.operator,
  action: r.action,
  target: r.target,
  ok: r.ok === true || r.ok === 1,
  detail: typeof r.detail === 'string' ? (JSON.parse(r.detail) as Record<string, unknown>) : r.detail,
  ip: r.ip,
});
