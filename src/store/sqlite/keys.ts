import type Database from 'better-sqlite3';
import { type KeyRow, keyFromRow } from '../rows.ts';
import type { KeyStore, StoredKey } from '../types.ts';

type Row = Omit<KeyRow, 'wraps'> & { wraps: number };

export function sqliteKeys(db: Database.Database): KeyStore {
  const select = db.prepare('SELECT * FROM keys ORDER BY created_at, key_id');
  const insert = db.prepare(
    `INSERT INTO keys (key_id, state, check_mac, wraps, pepper_sealed, created_at, retired_at)
     VALUES (@keyId, @state, @check, @wraps, @pepperSealed, @createdAt, @retiredAt)`,
  );
  const current = db.prepare("SELECT key_id FROM keys WHERE state = 'current'");
  const demote = db.prepare("UPDATE keys SET state = 'previous' WHERE key_id = ?");
  const known = db.prepare('SELECT 1 FROM keys WHERE key_id = ?');
  const retire = db.prepare("UPDATE keys SET state = 'retired', pepper_sealed = NULL, retired_at = ? WHERE key_id = ? AND state = 'previous'");
  const list = () => (select.all() as Row[]).map((r) => keyFromRow({ ...r, wraps: r.wraps === 1 }));
  const params = (k: StoredKey, state: StoredKey['state']) => ({ ...k, state, wraps: k.wraps ? 1 : 0 });

  const claim = db.transaction((first: StoredKey) => {
    if (list().length === 0) insert.run(params(first, 'current'));
    return list();
  });
  const rotate = db.transaction((next: StoredKey, expectedCurrent: string) => {
    const row = current.get() as { key_id: string } | undefined;
    if (row?.key_id !== expectedCurrent || known.get(next.keyId)) return false;
    demote.run(expectedCurrent);
    insert.run(params(next, 'current'));
    return true;
  });
  return {
    async list() {
      return list();
    },
    async claim(first) {
      return claim.immediate(first);
    },
    async rotate(next, expectedCurrent) {
      return rotate.immediate(next, expectedCurrent);
    },
    async retire(keyId, at) {
      return retire.run(at, keyId).changes === 1;
    },
  };
}
