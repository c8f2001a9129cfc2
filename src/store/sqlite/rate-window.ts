import type Database from 'better-sqlite3';
import { WINDOW_MS } from '../window.ts';

/** A purge looks at this many stale keys at most: no turn pays for a full sweep. */
const PURGE_BATCH = 512;

/**
 * The exact sliding window of window.ts, stored as admissions counted per instant: `rate` holds a
 * key's number of stored admissions (total) and its newest admission time; `rate_hits` how many were
 * admitted at each instant. A request at t is let in when fewer than `limit` admissions fall in
 * (t - 1000, t]: window.ts's rule, since every time window.ts forgets lies at or before t - 1000.
 *
 * One turn's checks of a key read its head and the instants that may leave the window during the
 * turn once, are decided in memory in call order, and are written once: O(1) statements per key and
 * turn instead of per admission. Only inside a write transaction (the turn's, group-commit.ts).
 */
export interface KeyWindow {
  readonly key: string;
  /** Admissions stored for the key (counted in `rate_hits`), dropped ones excluded. */
  total: number;
  /** The newest admission; -Infinity when the key has none. */
  lastAt: number;
  /** Instants and counts, oldest first: the stored ones that may leave the window this turn, then this turn's. */
  readonly ats: number[];
  readonly ns: number[];
  /** How many of ats came from the table. */
  loaded: number;
  /** ats[0..gone) are dropped: at or before lastAt - 1000, so outside every later window. */
  gone: number;
  admitted: number;
}

export interface RateWindows {
  /** Reads a key's state for a turn whose latest arrival is `latestMs`. */
  load(key: string, latestMs: number): KeyWindow;
  /** window.ts's admit on the loaded state. */
  admit(w: KeyWindow, limit: number, nowMs: number): boolean;
  /** Writes what the turn's admissions changed (nothing when none was admitted). */
  save(w: KeyWindow): void;
  /** Forgets a bounded number of keys whose newest admission is at or before `before`. */
  purge(before: number): void;
}

export function rateWindows(db: Database.Database): RateWindows {
  const head = db.prepare('SELECT total, last_at FROM rate WHERE key = ?').raw();
  const leaving = db.prepare('SELECT at, n FROM rate_hits WHERE key = ? AND at <= ? ORDER BY at').raw();
  const drop = db.prepare('DELETE FROM rate_hits WHERE key = ? AND at <= ?');
  const add = db.prepare(
    'INSERT INTO rate_hits (key, at, n) VALUES (?, ?, ?) ON CONFLICT (key, at) DO UPDATE SET n = n + excluded.n',
  );
  const setHead = db.prepare(
    `INSERT INTO rate (key, total, last_at) VALUES (?, ?, ?)
     ON CONFLICT (key) DO UPDATE SET total = excluded.total, last_at = excluded.last_at`,
  );
  const staleKeys = db.prepare(`SELECT key FROM rate WHERE last_at <= ? LIMIT ${PURGE_BATCH}`).pluck();
  const dropHead = db.prepare('DELETE FROM rate WHERE key = ?');
  const dropHits = db.prepare('DELETE FROM rate_hits WHERE key = ?');

  return {
    load(key, latestMs) {
      const h = head.get(key) as [number, number] | undefined;
      const w: KeyWindow = { key, total: 0, lastAt: -Infinity, ats: [], ns: [], loaded: 0, gone: 0, admitted: 0 };
      if (h === undefined) return w;
      w.total = h[0];
      w.lastAt = h[1];
      // Every arrival of the turn is decided at or before max(lastAt, latestMs): only instants at or
      // before that minus 1000 can leave its window; the others count in every one of its windows.
      for (const [at, n] of leaving.all(key, Math.max(w.lastAt, latestMs) - WINDOW_MS) as [number, number][]) {
        w.ats.push(at);
        w.ns.push(n);
      }
      w.loaded = w.ats.length;
      return w;
    },
    admit(w, limit, nowMs) {
      if (limit <= 0) return false;
      // An arrival stamped before the newest admission counts as arriving then (clocks of processes differ).
      const t = w.lastAt > nowMs ? w.lastAt : nowMs;
      const edge = t - WINDOW_MS;
      let inWindow = w.total;
      for (let i = w.gone; i < w.ats.length && w.ats[i]! <= edge; i++) inWindow -= w.ns[i]!;
      // A refusal changes nothing: a later arrival stamped earlier still sees every admission.
      if (inWindow >= limit) return false;
      const last = w.ats.length - 1;
      if (last >= w.loaded && w.ats[last] === t) w.ns[last]!++;
      else {
        w.ats.push(t);
        w.ns.push(1);
      }
      w.total++;
      w.admitted++;
      w.lastAt = t;
      while (w.gone < w.ats.length && w.ats[w.gone]! <= edge) w.total -= w.ns[w.gone++]!;
      return true;
    },
    save(w) {
      if (w.admitted === 0) return;
      // Dropped stored instants are exactly the rows at or before lastAt - 1000 (all were loaded).
      if (w.gone > 0 && w.loaded > 0) drop.run(w.key, w.lastAt - WINDOW_MS);
      for (let i = Math.max(w.gone, w.loaded); i < w.ats.length; i++) add.run(w.key, w.ats[i], w.ns[i]);
      setHead.run(w.key, w.total, w.lastAt);
    },
    purge(before) {
      // A key whose newest admission left the window has nothing left that can refuse anyone.
      for (const key of staleKeys.all(before) as string[]) {
        dropHits.run(key);
        dropHead.run(key);
      }
    },
  };
}
