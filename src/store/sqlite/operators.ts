import type Database from 'better-sqlite3';
import { actionFromRow, operatorFromRow, type OperatorActionDbRow, type OperatorDbRow } from '../operator-rows.ts';
import type { OperatorStore } from '../types.ts';

export function sqliteOperators(db: Database.Database): OperatorStore {
  const insert = db.prepare('INSERT INTO operators (name, role, password_hash, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (name) DO NOTHING');
  const select = db.prepare('SELECT * FROM operators WHERE name = ?');
  const selectAll = db.prepare('SELECT * FROM operators ORDER BY name');
  const remove = db.prepare('DELETE FROM operators WHERE name = ?');
  const password = db.prepare('UPDATE operators SET password_hash = ? WHERE name = ?');
  const record = db.prepare('INSERT INTO operator_actions (at, operator, action, target, ok, detail, ip) VALUES (?, ?, ?, ?, ?, ?, ?)');
  const actions = db.prepare(
    `SELECT * FROM operator_actions WHERE (? IS NULL OR operator = ?) AND (? IS NULL OR action = ?) ORDER BY at DESC, seq DESC LIMIT ?`,
  );
  return {
    async add(o) {
      return insert.run(o.name, o.role, o.passwordHash, o.createdAt).changes === 1;
    },
    async get(name) {
      const row = select.get(name) as OperatorDbRow | undefined;
      return row && operatorFromRow(row);
    },
    async list() {
      return (selectAll.all() as OperatorDbRow[]).map(operatorFromRow);
    },
    async remove(name) {
      return remove.run(name).changes === 1;
    },
    async setPassword(name, hash) {
      return password.run(hash, name).changes === 1;
    },
    async record(a) {
      record.run(a.at, a.operator, a.action, a.target, a.ok ? 1 : 0, JSON.stringify(a.detail), a.ip);
    },
    async actions({ operator, action, limit }) {
      const o = operator ?? null;
      const k = action ?? null;
      return (actions.all(o, o, k, k, limit) as OperatorActionDbRow[]).map(actionFromRow);
    },
  };
}
