import type Database from 'better-sqlite3';
import { WINDOW_MS } from '../window.ts';

/** A purge looks at this many stale keys at most: no turn pays for a full sweep. */
const PURGE_BATCH = 512;

/**
 * The exact sliding window of window.ts, stored as admissions counted per instant in one row per key,
 * so a turn's commit rewrites one page for it: `last_at`/`last_n` are the newest instant and its count,
 * `hits` the older instants, oldest first (instant-codec below), `first_at` the oldest one's time and
 * `total` the count of them all. Every stored instant lies in (last_at - 1000, last_at]: an admission
 * at t drops the instants at or before t - 1000, which lie outside every later window.
 *
 * A request at t is let in when fewer than `limit` admissions fall in (t - 1000, t]: window.ts's rule,
 * since every time window.ts forgets lies at or before t - 1000. One turn's checks of a key read its
 * row once (decoding only the instants that may leave the window during the turn), are decided in
 * memory in call order, and write it once. Only inside a write transaction (group-commit.ts).
 */
export interface KeyWindow {
  readonly key: string;
  /** Admissions stored for the key, dropped ones excluded. */
  total: number;
  /**
   * Instants and counts, oldest first: the stored older instants that may leave the window this
   * turn (`front` of them), then the stored newest one, then this turn's; the stored older instants
   * that cannot leave it stay encoded (`rest`) and come, in time, between the front and the rest.
   */
  readonly ats: number[];
  readonly ns: number[];
  readonly front: number;
  /** Encoded older instants after the front, the first of them at `restAt`. */
  readonly rest: Buffer | undefined;
  readonly restAt: number;
  /** ats[0..gone) are dropped. */
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

/**
 * Instant codec: each older instant is its count (varint) then where the next instant is: an even
 * varint 2·d when both are whole ms (d ms later; exact), else 1 and the next instant's float64. The
 * last older instant's next is the newest (last_at).
 */
class Writer {
  bytes = new Uint8Array(4096);
  length = 0;
  private room(n: number): void {
    if (this.length + n <= this.bytes.length) return;
    const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.length + n));
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
  }
  varint(v: number): void {
    this.room(8);
    while (v >= 0x80) {
      this.bytes[this.length++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.bytes[this.length++] = v;
  }
  instant(n: number, at: number, nextAt: number): void {
    this.varint(n);
    if (Number.isSafeInteger(at) && Number.isSafeInteger(nextAt)) this.varint(2 * (nextAt - at));
    else {
      this.varint(1);
      this.room(8);
      new DataView(this.bytes.buffer).setFloat64(this.length, nextAt);
      this.length += 8;
    }
  }
  copy(from: Buffer): void {
    this.room(from.length);
    this.bytes.set(from, this.length);
    this.length += from.length;
  }
}

class Reader {
  pos = 0;
  constructor(readonly bytes: Buffer) {}
  varint(): number {
    let v = 0;
    let scale = 1;
    for (;;) {
      const b = this.bytes[this.pos++]!;
      v += (b & 0x7f) * scale;
      if (b < 0x80) return v;
      scale *= 0x80;
    }
  }
  nextAt(at: number): number {
    const v = this.varint();
    if (v !== 1) return at + v / 2;
    const next = this.bytes.readDoubleBE(this.pos);
    this.pos += 8;
    return next;
  }
}

type Row = [total: number, lastAt: number, lastN: number, firstAt: number | null, hits: Buffer];

export function rateWindows(db: Database.Database): RateWindows {
  const read = db.prepare('SELECT total, last_at, last_n, first_at, hits FROM rate WHERE key = ?').raw();
  const write = db.prepare(
    `INSERT INTO rate (key, total, last_at, last_n, first_at, hits) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (key) DO UPDATE SET total = excluded.total, last_at = excluded.last_at, last_n = excluded.last_n,
       first_at = excluded.first_at, hits = excluded.hits`,
  );
  const staleKeys = db.prepare(`SELECT key FROM rate WHERE last_at <= ? LIMIT ${PURGE_BATCH}`).pluck();
  const drop = db.prepare('DELETE FROM rate WHERE key = ?');
  const out = new Writer();

  return {
    load(key, latestMs) {
      const row = read.get(key) as Row | undefined;
      if (row === undefined) return { key, total: 0, ats: [], ns: [], front: 0, rest: undefined, restAt: 0, gone: 0, admitted: 0 };
      const [total, lastAt, lastN, firstAt, hits] = row;
      const ats: number[] = [];
      const ns: number[] = [];
      // Every arrival of the turn is decided at or before max(lastAt, latestMs): only instants at or
      // before that minus 1000 can leave its window; the others count in every one of its windows.
      const threshold = Math.max(lastAt, latestMs) - WINDOW_MS;
      const r = new Reader(hits);
      let at = firstAt ?? lastAt;
      while (r.pos < hits.length && at <= threshold) {
        ats.push(at);
        ns.push(r.varint());
        at = r.nextAt(at);
      }
      const front = ats.length;
      const rest = r.pos < hits.length ? hits.subarray(r.pos) : undefined;
      ats.push(lastAt);
      ns.push(lastN);
      return { key, total, ats, ns, front, rest, restAt: at, gone: 0, admitted: 0 };
    },
    admit(w, limit, nowMs) {
      if (limit <= 0) return false;
      const last = w.ats.length - 1;
      const lastAt = last >= 0 ? w.ats[last]! : -Infinity;
      // An arrival stamped before the newest admission counts as arriving then (clocks of processes differ).
      const t = lastAt > nowMs ? lastAt : nowMs;
      const edge = t - WINDOW_MS;
      // Stored instants between the front and the newest are after the turn's edges: never scanned here.
      let inWindow = w.total;
      for (let i = w.gone; i < w.ats.length && w.ats[i]! <= edge; i++) inWindow -= w.ns[i]!;
      // A refusal changes nothing: a later arrival stamped earlier still sees every admission.
      if (inWindow >= limit) return false;
      if (lastAt === t) w.ns[last]!++;
      else {
        w.ats.push(t);
        w.ns.push(1);
      }
      w.total++;
      w.admitted++;
      while (w.gone < w.ats.length && w.ats[w.gone]! <= edge) w.total -= w.ns[w.gone++]!;
      return true;
    },
    save(w) {
      if (w.admitted === 0) return;
      const { ats, ns } = w;
      const last = ats.length - 1;
      // The older instants, oldest first; the newest goes in last_at/last_n.
      out.length = 0;
      let firstAt: number | null = null;
      if (w.rest === undefined) {
        for (let i = w.gone; i < last; i++) out.instant(ns[i]!, ats[i]!, ats[i + 1]!);
        if (w.gone < last) firstAt = ats[w.gone]!;
      } else {
        // Nothing after the front was dropped: the rest lies after every edge of the turn.
        for (let i = w.gone; i < w.front; i++) out.instant(ns[i]!, ats[i]!, i + 1 < w.front ? ats[i + 1]! : w.restAt);
        // The rest's last instant points at the stored newest, ats[front], which follows it.
        out.copy(w.rest);
        for (let i = w.front; i < last; i++) out.instant(ns[i]!, ats[i]!, ats[i + 1]!);
        firstAt = w.gone < w.front ? ats[w.gone]! : w.restAt;
      }
      write.run(w.key, w.total, ats[last], ns[last], firstAt, out.bytes.subarray(0, out.length));
    },
    purge(before) {
      // A key whose newest admission left the window has nothing left that can refuse anyone.
      for (const key of staleKeys.all(before) as string[]) drop.run(key);
    },
  };
}
