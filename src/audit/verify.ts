import { createHash, type Hash, timingSafeEqual } from 'node:crypto';
import { entryMac, type EraseDetail, EVENTS_CHAIN, GENESIS, legacyMarkOf, mergeResume, type ResumePoints, rowText } from '../store/audit-chain.ts';
import type { AuditTrail, ChainEntry, StoredAudit } from '../store/types.ts';

/**
 * `realname audit verify`: walks every chain entry and every record once. A batch whose rows do not
 * give its MAC was altered (a row updated, deleted or added); a record that names no batch was
 * inserted; a gap in a chain's numbers, or a link that does not name the entry before, is a missing or
 * inserted entry. A purge's event says where each chain resumes, an erasure's which rows it blanked (and
 * their digests before): those are the only changes that verify. A truncation — the newest entries
 * removed with their rows — is caught against a head recorded elsewhere (`expectHeads`).
 */

export interface Break {
  /** altered: an entry whose contents or rows do not give its MAC; missing: entries or rows gone; inserted: a row or entry no MAC covers. */
  problem: 'altered' | 'missing' | 'inserted';
  chain: string | null;
  /** The entry's number in its chain (null for a row that names none). */
  n: number | null;
  /** The record at fault, where one is known. */
  seq?: number;
  checkId?: string;
  /** When the entry (or record) was written, ms. */
  at: number;
  message: string;
}

export interface ChainHead {
  chain: string;
  n: number;
  mac: string;
  /** chain:n:mac, as --expect-head takes it. */
  head: string;
  entries: number;
  /** Its batches of records (0: a command's chain of events only). */
  batches: number;
}

export interface VerifyReport {
  intact: boolean;
  /** Records covered by the entries verified (those before chains existed included). */
  records: number;
  /** Records written before chains existed: counted, not provable. */
  legacy: number;
  heads: ChainHead[];
  /** Every break found, oldest first (the first is what a person reads). */
  breaks: Break[];
}

export interface VerifyOptions {
  /** Only entries from this time on (ms); the first of each chain is taken as it links. */
  since?: number;
  /** Heads recorded elsewhere (chain:n:mac): each must still be in its chain, or a purge past it. */
  expectHeads?: string[];
}

/** A head as --expect-head takes it; undefined when it is not one. */
export function parseHead(text: string): { chain: string; n: number; mac: string } | undefined {
  const match = /^([0-9a-f]{1,64}|events):([1-9]\d{0,14}):([0-9a-f]{64})$/.exec(text.trim().toLowerCase());
  return match ? { chain: match[1]!, n: Number(match[2]), mac: match[3]! } : undefined;
}

const equalHex = (a: string, b: string): boolean => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
const key = (chain: string, n: number) => `${chain}:${n}`;
const ROWS_PAGE = 2000;

/** A batch being verified: its rows' digest while they come, its body once all its records came (the hash state is then dropped). */
interface Batch {
  entry: ChainEntry;
  hash: Hash | undefined;
  body?: string;
  rows: number;
  first?: StoredAudit;
}

/** The legacy mark the newest authentic event of the events chain carries, if any does. */
function sealedLegacy(entries: readonly ChainEntry[], authentic: ReadonlySet<ChainEntry>): number | undefined {
  let newest: ChainEntry | undefined;
  for (const e of entries) if (e.chain === EVENTS_CHAIN && authentic.has(e) && (!newest || e.n > newest.n)) newest = e;
  return legacyMarkOf(newest?.detail);
}

/**
 * Heads an earlier `audit verify` found intact and recorded in its access event: each must still be in
 * its chain (or purged past), as if given with --expect-head — so the newest entries removed since that
 * run are caught without a head kept elsewhere (unless the events that recorded it went too).
 */
function recordedHeads(entries: readonly ChainEntry[], authentic: ReadonlySet<ChainEntry>): { text: string; by: string }[] {
  const heads: { text: string; by: string }[] = [];
  for (const e of entries) {
    if (e.kind !== 'access' || !authentic.has(e)) continue;
    // As recordAccess writes it: { command, filters, by }, the run's findings among its filters.
    const detail = JSON.parse(e.detail!) as { command?: unknown; filters?: { intact?: unknown; heads?: unknown } };
    const found = detail.filters;
    if (detail.command !== 'audit verify' || found?.intact !== true || !Array.isArray(found.heads)) continue;
    for (const text of found.heads) if (typeof text === 'string' && parseHead(text)) heads.push({ text, by: ` (recorded by audit verify at ${new Date(e.at).toISOString()})` });
  }
  return heads;
}

export async function verifyAudit(trail: AuditTrail, macKey: Buffer, options: VerifyOptions = {}): Promise<VerifyReport> {
  const since = options.since;
  const breaks: Break[] = [];
  const entries = await trail.entries();
  const mac = (e: ChainEntry, body: string) => entryMac(macKey, e, body);

  // Events first: their details say what verifies (resume points, blanked rows), so only authentic ones count.
  const authentic = new Set<ChainEntry>();
  for (const e of entries) {
    if (e.kind === 'batch') continue;
    if (e.detail !== null && equalHex(mac(e, e.detail), e.mac)) authentic.add(e);
  }
  const resume: ResumePoints = mergeResume(
    entries.filter((e) => e.kind === 'purge' && authentic.has(e)).map((e) => e.detail),
    {},
  );
  // Batches an erasure blanked records of, as it re-sealed them (a later erasure's word over an earlier one's).
  const resealed = new Map<string, string>();
  for (const e of [...entries].sort((a, b) => a.at - b.at)) {
    if (e.kind !== 'erase' || !authentic.has(e)) continue;
    for (const [chain, n, body] of (JSON.parse(e.detail!) as EraseDetail).batches) resealed.set(key(chain, n), body);
  }

  const inScope = (e: ChainEntry) => since === undefined || e.firstAt >= since;
  const batches = new Map<string, Batch>();
  for (const e of entries) if (e.kind === 'batch' && inScope(e)) batches.set(key(e.chain, e.n), { entry: e, hash: createHash('sha256'), rows: 0 });
  // Only a batch entry holds records: a row naming an event (or nothing that exists) was inserted.
  const known = new Set(entries.filter((e) => e.kind === 'batch').map((e) => key(e.chain, e.n)));

  // The mark of records from before chains, as the newest authentic event carries it (see legacyMarkOf).
  const markedUpto = await trail.legacyUpto();
  const sealedUpto = sealedLegacy(entries, authentic);
  const legacyUpto = sealedUpto ?? markedUpto;
  if (sealedUpto !== undefined && markedUpto !== sealedUpto) {
    breaks.push({
      problem: 'altered',
      chain: null,
      n: null,
      at: 0,
      message: `the mark of records written before the chain says ${markedUpto}, the chain's events say ${sealedUpto}: it was changed, and rows past ${sealedUpto} with no batch are inserted`,
    });
  }

  // Every record once, by seq: each into its batch's digest, as the writer fed it.
  let legacy = 0;
  // Records naming a batch the snapshot of entries lacks: inserted — unless the batch was committed after
  // the snapshot (a live store keeps writing), which a second look at the entries tells.
  const unknown: StoredAudit[] = [];
  // From the lowest seq a row can be given, not 1: a row inserted by hand may carry 0 or less.
  for (let after = Number.MIN_SAFE_INTEGER; ; ) {
    const rows = await trail.rows(after, ROWS_PAGE, since);
    for (const row of rows) {
      if (row.chain === null || row.batch === null) {
        // Rows before chains were numbered from 1 by the store; none is numbered below.
        if (row.seq >= 1 && row.seq <= legacyUpto) legacy++;
        else breaks.push({ problem: 'inserted', chain: null, n: null, seq: row.seq, checkId: row.checkId, at: row.at, message: `record ${row.seq} (check ${row.checkId}) belongs to no batch: it was inserted` });
        continue;
      }
      const batch = batches.get(key(row.chain, row.batch));
      if (!batch) {
        // A row of an entry before --since is not this run's to check; one whose entry does not exist was inserted.
        if (!known.has(key(row.chain, row.batch))) unknown.push(row);
        continue;
      }
      batch.rows++;
      batch.first ??= row;
      // A record past the batch's count was added: the body stays what its first records made, and the count tells.
      if (!batch.hash) continue;
      batch.hash.update(rowText(row)).update('\n');
      if (batch.rows === batch.entry.records) {
        batch.body = batch.hash.digest('hex');
        batch.hash = undefined;
      }
    }
    if (rows.length < ROWS_PAGE) break;
    after = rows.at(-1)!.seq;
  }

  if (unknown.length > 0) {
    const later = new Set((await trail.entries()).filter((e) => e.kind === 'batch').map((e) => key(e.chain, e.n)));
    for (const row of unknown) {
      if (later.has(key(row.chain!, row.batch!))) continue;
      breaks.push({
        problem: 'inserted',
        chain: row.chain,
        n: row.batch,
        seq: row.seq,
        checkId: row.checkId,
        at: row.at,
        message: `record ${row.seq} (check ${row.checkId}) names batch ${row.batch} of chain ${row.chain}, which is no batch: it was inserted`,
      });
    }
  }

  const byChain = new Map<string, ChainEntry[]>();
  for (const e of entries) {
    const list = byChain.get(e.chain) ?? [];
    list.push(e);
    byChain.set(e.chain, list);
  }
  const heads: ChainHead[] = [];
  let records = legacy;
  for (const [chain, list] of byChain) {
    const start = resume[chain] ?? { n: 0, mac: GENESIS };
    let expected = start.n + 1;
    let prev = start.mac;
    let first = true;
    let last: ChainEntry | undefined;
    for (const e of list) {
      if (!inScope(e)) {
        // Before --since: not checked, but the walk goes on from it.
        expected = e.n + 1;
        prev = e.mac;
        continue;
      }
      const at = e.at;
      const where = `entry ${e.n} of chain ${chain} (${e.kind}, ${new Date(at).toISOString()})`;
      if (e.n <= start.n) {
        breaks.push({ problem: 'inserted', chain, n: e.n, at, message: `${where} lies before the chain's purge point (${start.n}): it was inserted` });
        continue;
      }
      const scoped = since !== undefined && first;
      if (!scoped && e.n !== expected) {
        breaks.push({ problem: 'missing', chain, n: expected, at, message: `entries ${expected}–${e.n - 1} of chain ${chain} are missing (before ${where})` });
      } else if (!scoped && !equalHex(e.prev, prev)) {
        breaks.push({ problem: 'inserted', chain, n: e.n, at, message: `${where} does not link to the entry before it: an entry was replaced or inserted` });
      }
      first = false;
      if (e.kind === 'batch') {
        const batch = batches.get(key(chain, e.n))!;
        const body = batch.body ?? batch.hash!.digest('hex');
        const erasedBody = resealed.get(key(chain, e.n));
        // A batch's entry carries no detail: one given it was written by hand.
        const fits = e.detail === null && batch.rows === e.records && (erasedBody !== undefined ? equalHex(body, erasedBody) : equalHex(mac(e, body), e.mac));
        if (!fits) {
          const problem = batch.rows < e.records ? 'missing' : batch.rows > e.records ? 'inserted' : 'altered';
          const rows = `${batch.rows} of its ${e.records} records present`;
          breaks.push({
            problem,
            chain,
            n: e.n,
            at,
            ...(batch.first ? { seq: batch.first.seq, checkId: batch.first.checkId } : {}),
            message:
              e.detail !== null
                ? `${where} does not verify: the entry was altered (a batch's entry carries no detail)`
                : `${where} does not verify (${rows}): ${problem === 'altered' ? 'a record was altered' : problem === 'missing' ? 'a record was deleted' : 'a record was added'}`,
          });
        }
        records += e.records;
      } else if (!authentic.has(e)) {
        breaks.push({ problem: 'altered', chain, n: e.n, at, message: `${where} does not verify: the event was altered` });
      }
      expected = e.n + 1;
      prev = e.mac;
      last = e;
    }
    if (last) heads.push({ chain, n: last.n, mac: last.mac, head: `${chain}:${last.n}:${last.mac}`, entries: list.length, batches: list.filter((e) => e.kind === 'batch').length });
  }

  const expectations = [...(options.expectHeads ?? []).map((text) => ({ text, by: '' })), ...recordedHeads(entries, authentic)];
  for (const { text: given, by } of expectations) {
    const expected = parseHead(given)!;
    const text = `${expected.chain}:${expected.n}:${expected.mac}`;
    const list = byChain.get(expected.chain) ?? [];
    const found = list.find((e) => e.n === expected.n);
    const purgedTo = resume[expected.chain];
    if (found) {
      if (!equalHex(found.mac, expected.mac)) breaks.push({ problem: 'altered', chain: expected.chain, n: expected.n, at: found.at, message: `entry ${expected.n} of chain ${expected.chain} is not the head recorded (${text})${by}` });
    } else if (purgedTo && purgedTo.n >= expected.n) {
      if (purgedTo.n === expected.n && !equalHex(purgedTo.mac, expected.mac)) {
        breaks.push({ problem: 'altered', chain: expected.chain, n: expected.n, at: 0, message: `the head recorded (${text})${by} is not the entry a purge removed there` });
      }
    } else {
      const end = list.at(-1)?.n ?? purgedTo?.n ?? 0;
      breaks.push({ problem: 'missing', chain: expected.chain, n: end + 1, at: list.at(-1)?.at ?? 0, message: `chain ${expected.chain} ends at entry ${end}, before the head recorded (${text})${by}: its newest entries were removed` });
    }
  }

  breaks.sort((a, b) => a.at - b.at);
  // The writers' chains by id, the events chain last (stores collate ids differently).
  heads.sort((a, b) => Number(a.chain === EVENTS_CHAIN) - Number(b.chain === EVENTS_CHAIN) || (a.chain < b.chain ? -1 : a.chain > b.chain ? 1 : 0));
  return { intact: breaks.length === 0, records, legacy, heads, breaks };
}
