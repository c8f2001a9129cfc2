import type { DailyCounter } from '../types.ts';
import type { Db } from './db.ts';

const PURGE_EVERY = 256;
const PURGE_BATCH = 512;

/** Thrown inside the transaction to roll back the keys already counted when a later one is at its limit. */
class AtLimit extends Error {}

/**
 * Each take is one transaction: every key is counted by one conditional upsert (a concurrent one waits
 * for the row lock and re-checks the count on the newest version); a key at its limit rolls back the
 * rest. Keys are taken in byte order, so two takes sharing keys never wait on each other in a cycle.
 */
export function postgresDaily(db: Db): DailyCounter {
  let takes = 0;
  return {
    async take(day, keys) {
      if (++takes % PURGE_EVERY === 0) {
        await db.query(`DELETE FROM daily WHERE (day, key) IN (SELECT day, key FROM daily WHERE day < $1 LIMIT ${PURGE_BATCH} FOR UPDATE SKIP LOCKED)`, [day]);
      }
      const sorted = [...keys].sort((a, b) => Buffer.compare(a.key, b.key));
      try {
        await db.tx(async (c) => {
          for (const { key, limit } of sorted) {
            const { rowCount } = await c.query(
              `INSERT INTO daily (day, key, count) SELECT $1::integer, $2::bytea, 1 WHERE $3::integer > 0
               ON CONFLICT (day, key) DO UPDATE SET count = daily.count + 1 WHERE daily.count < $3`,
              [day, key, limit],
            );
            if (rowCount !== 1) throw new AtLimit();
          }
        });
        return true;
      } catch (err) {
        if (err instanceof AtLimit) return false;
        throw err;
      }
    },
    async release(day, keys) {
      await db.query('UPDATE daily SET count = count - 1 WHERE day = $1 AND key = ANY($2::bytea[]) AND count > 0', [day, keys]);
    },
  };
}
