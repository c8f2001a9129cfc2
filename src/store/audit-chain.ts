import { createHash, createHmac } from 'node:crypto';
import type { AuditRecord, ChainEntry, ChainEventKind } from './types.ts';

/**
 * The audit's tamper evidence. Every writing process keeps one chain (its id is the store's node id):
 * each batch of records it commits is one entry carrying an HMAC over the batch's rows and the previous
 * entry's MAC. Events — a purge, an erasure, an operator's command — extend one chain the whole store
 * shares (`EVENTS_CHAIN`), whichever process writes them, read and extended in the event's own commit:
 * a command run once is then never a chain of its own, whose deletion nothing would notice.
 * One HMAC per batch, not per row: a row costs one JSON text fed to the batch's SHA-256. An erasure
 * blanks a person's fields and re-seals the batches it touched in its own event.
 */

/** How much newer than its batch's entry a record may be dated (clocks step): a purge looks this far past its cutoff. */
export const SKEW_MS = 86_400_000;

/** The `prev` of a chain's first entry. */
export const GENESIS = '0'.repeat(64);

/** The chain every event of the store extends (batch chains are named by 16 hex digits: no clash). */
export const EVENTS_CHAIN = 'events';

/** The newest entry of a chain, which the next one links to (an events chain's tip with its detail). */
export interface ChainTip {
  n: number;
  mac: string;
  detail?: string | null;
}

/**
 * Records numbered up to this were written before chains existed (audit_legacy): verify counts them as
 * unprovable. Every event carries the mark on from the event before it — read from the table only by a
 * store's first event — so raising it later, to pass rows inserted since as old ones, is a break.
 * The mark an event's detail carries; undefined when it carries none (or is not the JSON written).
 */
export function legacyMarkOf(detail: string | null | undefined): number | undefined {
  if (!detail) return undefined;
  try {
    const carried = (JSON.parse(detail) as { legacyUpto?: unknown }).legacyUpto;
    return typeof carried === 'number' ? carried : undefined;
  } catch {
    // An altered event: verify says so.
    return undefined;
  }
}

/** What the batch MAC covers of one row: every field, in a fixed order (JSON's key order may not survive a store: jsonb). */
export function rowText(r: AuditRecord): string {
  const m = r.masked;
  const h = r.hashes;
  return JSON.stringify([
    r.checkId, r.at, r.appid, r.dialect, r.route ?? null, r.kind, r.verdict, r.refusal, r.code, r.source, r.billed, r.latencyMs, r.clientIp ?? null,
    m.name ?? null, m.idNumber ?? null, m.bankCard ?? null, m.phone ?? null,
    h?.name ?? null, h?.idNumber ?? null, h?.bankCard ?? null, h?.phone ?? null,
  ]);
}

/** The SHA-256 (hex) of a batch's rows, in order. */
export function batchBody(rows: readonly AuditRecord[]): string {
  const hash = createHash('sha256');
  for (const row of rows) hash.update(rowText(row)).update('\n');
  return hash.digest('hex');
}

/** An entry's MAC: over everything the entry says and its body (the rows' digest, or an event's detail). */
export function entryMac(key: Buffer, e: Omit<ChainEntry, 'mac' | 'detail'>, body: string): string {
  return createHmac('sha256', key)
    .update(JSON.stringify(['realname audit v1', e.chain, e.n, e.kind, e.at, e.firstAt, e.records, e.prev, body]))
    .digest('hex');
}

/** One writing process's chain: its head, advanced only once an entry is committed. */
export class AuditChain {
  private key: Buffer | undefined;
  private n = 0;
  private prev = GENESIS;
  private tail: Promise<unknown> = Promise.resolve();

  constructor(readonly id: string) {}

  useKey(key: Buffer): void {
    this.key = key;
  }

  /** The chain's head as `audit verify --expect-head` takes it: chain:n:mac. */
  head(): string | undefined {
    return this.n === 0 ? undefined : `${this.id}:${this.n}:${this.prev}`;
  }

  /** The entry a batch of `records` makes (undefined without a key: the rows are then stored unchained). */
  sealBatch(records: readonly AuditRecord[], at: number): ChainEntry | undefined {
    if (!this.key) return undefined;
    let firstAt = Infinity;
    for (const r of records) if (r.at < firstAt) firstAt = r.at;
    return this.seal('batch', at, firstAt, records.length, batchBody(records), null);
  }

  /**
   * An event entry of the store's events chain, after its newest entry `tip` (read in the commit that
   * stores the event, under that chain's lock): what a purge removed, whom an erasure anonymised, which
   * command an operator ran.
   */
  sealEvent(tip: ChainTip | undefined, kind: ChainEventKind, detail: object, at: number, records = 0, legacyUpto = 0): ChainEntry {
    if (!this.key) throw new Error('the audit chain has no key');
    const text = JSON.stringify({ ...detail, legacyUpto });
    const base = { chain: EVENTS_CHAIN, n: (tip?.n ?? 0) + 1, kind, at, firstAt: at, records, prev: tip?.mac ?? GENESIS };
    return { ...base, mac: entryMac(this.key, base, text), detail: text };
  }

  private seal(kind: ChainEntry['kind'], at: number, firstAt: number, records: number, body: string, detail: string | null): ChainEntry {
    const base = { chain: this.id, n: this.n + 1, kind, at, firstAt, records, prev: this.prev };
    return { ...base, mac: entryMac(this.key!, base, body), detail };
  }

  /** Whether `stored` (an entry of this chain) is the seal of exactly these records: a commit whose answer was lost. */
  sealedThese(stored: ChainEntry, records: readonly AuditRecord[]): boolean {
    if (!this.key || stored.chain !== this.id || stored.kind !== 'batch' || stored.records !== records.length || stored.prev !== this.prev) return false;
    return entryMac(this.key, stored, batchBody(records)) === stored.mac;
  }

  /** The batch's entry is stored: the head moves to it. */
  committed(entry: ChainEntry): void {
    this.n = entry.n;
    this.prev = entry.mac;
  }

  /** Runs `work` after every earlier one: a batch and an event never seal the same head (PostgreSQL writes asynchronously). */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.tail.then(work, work);
    this.tail = run.catch(() => undefined);
    return run;
  }
}

/** Where a chain resumes after a purge: the last entry removed, whose MAC the next entry's `prev` names. */
export type ResumePoints = Record<string, { n: number; mac: string }>;

/** A purge event's detail: what it removed, and the resume points of every chain purged so far (merged, so the newest suffices). */
export interface PurgeDetail {
  before: number;
  records: number;
  batches: number;
  resume: ResumePoints;
  by: object;
}

/**
 * An erasure's detail: whose records (by the factor's hash), and each batch it blanked records of,
 * re-sealed: the body of its rows as they stand now. Verification takes that body for the batch (the
 * event is MAC'd like every entry), so only the erasure's own change verifies.
 */
export interface EraseDetail {
  /** The person: their ID number's hash (`factor` is 'idNumber'), and the card and phone hashes their records were also found by. */
  factor: string;
  hash: string;
  bankCards?: readonly string[];
  phones?: readonly string[];
  /** The records blanked, by check id: a lookup by one stays a lookup of the person. */
  checkIds?: readonly string[];
  records: number;
  batches: [chain: string, n: number, body: string][];
  by: object;
}

/** The resume points of earlier purges (their details) merged with this purge's cuts: the furthest point of each chain. */
export function mergeResume(earlier: readonly (string | null)[], cuts: ResumePoints): ResumePoints {
  const merged: ResumePoints = {};
  const take = (chain: string, point: { n: number; mac: string }) => {
    if ((merged[chain]?.n ?? 0) < point.n) merged[chain] = point;
  };
  for (const detail of earlier) {
    if (!detail) continue;
    const resume = (JSON.parse(detail) as Partial<PurgeDetail>).resume ?? {};
    for (const [chain, point] of Object.entries(resume)) take(chain, point);
  }
  for (const [chain, point] of Object.entries(cuts)) take(chain, point);
  return merged;
}

/** What an erasure leaves of a record's masks: which factors were sent, none of what they were. */
export const ERASED = '<erased>';
export function erasedMasks(masked: AuditRecord['masked']): AuditRecord['masked'] {
  const out: AuditRecord['masked'] = {};
  for (const field of Object.keys(masked) as (keyof AuditRecord['masked'])[]) out[field] = ERASED;
  return out;
}

/** The distinct batches (chain, n) the given stored rows belong to. */
export function touchedBatches(rows: readonly { chain: string | null; batch: number | null }[]): [string, number][] {
  const seen = new Map<string, [string, number]>();
  for (const r of rows) if (r.chain !== null && r.batch !== null) seen.set(`${r.chain}:${r.batch}`, [r.chain, r.batch]);
  return [...seen.values()];
}
