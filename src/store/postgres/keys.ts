import { type KeyRow, keyFromRow } from '../rows.ts';
import type { KeyStore, StoredKey } from '../types.ts';
import type { Db, Queryable } from './db.ts';

const INSERT = `INSERT INTO keys (key_id, state, check_mac, wraps, pepper_sealed, created_at, retired_at)
                VALUES ($1, 'current', $2, $3, $4, $5, $6)`;
const insertParams = (k: StoredKey) => [k.keyId, k.check, k.wraps, k.pepperSealed, k.createdAt, k.retiredAt];

const list = async (q: Queryable) => (await q.query<KeyRow>('SELECT * FROM keys ORDER BY created_at, key_id COLLATE "C"')).rows.map(keyFromRow);

export function postgresKeys(db: Db): KeyStore {
  return {
    list: () => list(db),
    claim: (first) =>
      db.tx(async (c) => {
        // Two processes creating one store at once: the second waits, then finds the first's key.
        await c.query('LOCK TABLE keys IN SHARE ROW EXCLUSIVE MODE');
        if ((await list(c)).length === 0) await c.query(INSERT, insertParams(first));
        return list(c);
      }),
    rotate: (next, expectedCurrent) =>
      db.tx(async (c) => {
        await c.query('LOCK TABLE keys IN SHARE ROW EXCLUSIVE MODE');
        const keys = await list(c);
        if (keys.find((k) => k.state === 'current')?.keyId !== expectedCurrent || keys.some((k) => k.keyId === next.keyId)) return false;
        await c.query("UPDATE keys SET state = 'previous' WHERE key_id = $1", [expectedCurrent]);
        await c.query(INSERT, insertParams(next));
        return true;
      }),
    async retire(keyId, at) {
      const { rowCount } = await db.query(
        "UPDATE keys SET state = 'retired', pepper_sealed = NULL, retired_at = $2 WHERE key_id = $1 AND state = 'previous'",
        [keyId, at],
      );
      return rowCount === 1;
    },
  };
}
