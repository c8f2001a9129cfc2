import type Database from 'better-sqlite3';

/** An app's quota during one turn: read once, spent in memory in call order, written once. */
export interface Balance {
  readonly appid: string;
  /** Units left; null = unlimited. An unknown app has none. */
  left: number | null;
  taken: number;
}

/** Only inside a write transaction (the turn's, group-commit.ts): the read balance stays true until the commit. */
export interface Balances {
  load(appid: string): Balance;
  take(b: Balance): boolean;
  save(b: Balance): void;
}

export function quotaBalances(db: Database.Database): Balances {
  const read = db.prepare('SELECT quota FROM apps WHERE appid = ?').raw();
  const spend = db.prepare('UPDATE apps SET quota = quota - ? WHERE appid = ?');
  return {
    load(appid) {
      const r = read.get(appid) as [number | null] | undefined;
      return { appid, left: r === undefined ? 0 : r[0], taken: 0 };
    },
    take(b) {
      if (b.left === null) return true;
      if (b.left <= 0) return false;
      b.left--;
      b.taken++;
      return true;
    },
    save(b) {
      if (b.taken > 0) spend.run(b.taken, b.appid);
    },
  };
}
