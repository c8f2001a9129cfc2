import { actionFromRow, operatorFromRow, type OperatorActionDbRow, type OperatorDbRow } from '../operator-rows.ts';
import type { OperatorStore } from '../types.ts';
import type { Db } from './db.ts';

export function postgresOperators(db: Db): OperatorStore {
  return {
    async add(o) {
      const { rowCount } = await db.query('INSERT INTO operators (name, role, password_hash, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (name) DO NOTHING', [
        o.name,
        o.role,
        o.passwordHash,
        o.createdAt,
      ]);
      return rowCount === 1;
    },
    async get(name) {
      const { rows } = await db.query<OperatorDbRow>('SELECT * FROM operators WHERE name = $1', [name]);
      return rows[0] && operatorFromRow(rows[0]);
    },
    async list() {
      const { rows } = await db.query<OperatorDbRow>('SELECT * FROM operators ORDER BY name COLLATE "C"');
      return rows.map(operatorFromRow);
    },
    async remove(name) {
      const { rowCount } = await db.query('DELETE FROM operators WHERE name = $1', [name]);
      return rowCount === 1;
    },
    async setPassword(name, hash) {
      const { rowCount } = await db.query('UPDATE operators SET password_hash = $2 WHERE name = $1', [name, hash]);
      return rowCount === 1;
    },
    async record(a) {
      await db.query('INSERT INTO operator_actions (at, operator, action, target, ok, detail, ip) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
        a.at,
        a.operator,
        a.action,
        a.target,
        a.ok,
        JSON.stringify(a.detail),
        a.ip,
      ]);
    },
    async actions({ operator, action, limit }) {
      const { rows } = await db.query<OperatorActionDbRow>(
        `SELECT * FROM operator_actions WHERE ($1::text IS NULL OR operator = $1) AND ($2::text IS NULL OR action = $2) ORDER BY at DESC, seq DESC LIMIT $3`,
        [operator ?? null, action ?? null, limit],
      );
      return rows.map(actionFromRow);
    },
  };
}
