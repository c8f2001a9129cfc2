import { canonicalIdNumber } from '../core/id-number.ts';
import type { StoreKeys } from '../keys/ring.ts';
import { registryHasher } from '../registry/hash.ts';
import type { ResultCache } from '../sources/cache.ts';
import type { EraseDetail } from '../store/audit-chain.ts';
import type { AuditTrail, ChainEntry, RegistryStore, SourceStore } from '../store/types.ts';
import type { FactorHasher } from './lookup.ts';
import type { Operator } from './operator.ts';
import { maskFactors } from './redact.ts';
import { type AuditView, searchAudit } from './search.ts';

/**
 * A data subject's requests (PIPL arts. 45 and 47): what the service holds about one person, and its
 * erasure. The person is named by ID number; everything is found by keyed hashes, and shown masked.
 */

export interface SubjectDeps {
  trail: AuditTrail;
  registry: RegistryStore;
  sources: SourceStore;
  keys: StoreKeys;
  hasher: FactorHasher;
  cache?: ResultCache | undefined;
  /** Whether the result cache is shared between processes (Redis): otherwise every node forgets its whole cache. */
  sharedCache?: boolean;
}

export interface SubjectReport {
  idNumber: string;
  /** Every audit record about the person, masked. */
  records: AuditView[];
  /** The person's registry rows: keyed hashes only, so what they hold rather than what they say. */
  registry: { rows: number; withCard: number; withPhone: number };
  /** Erasures of this person: when, how many records they anonymised. */
  erasures: { at: string; records: number; by: unknown }[];
  /** Who looked this person up (audit search by factor, subject report or erase): the operators' own record. */
  lookups: { at: string; command: string; by: unknown }[];
}

/** Registry rows of the person under every live key this process holds. */
async function registryRows(deps: SubjectDeps, canonical: string) {
  const rows = [];
  for (const keyId of deps.keys.liveIds()) {
    if (!deps.keys.ring.holds(keyId)) continue;
    rows.push(...(await deps.registry.lookup(registryHasher(deps.keys, keyId).idNumber(canonical))));
  }
  return rows;
}

const eventsAbout = (entries: ChainEntry[], hash: string) =>
  entries.flatMap((e) => {
    if (e.kind !== 'erase' && e.kind !== 'access') return [];
    const detail = JSON.parse(e.detail ?? '{}') as Partial<EraseDetail> & { command?: string; filters?: { hash?: { value?: string } }; subject?: string };
    const about = e.kind === 'erase' ? detail.hash === hash : detail.filters?.hash?.value === hash || detail.subject === hash;
    return about ? [{ entry: e, detail }] : [];
  });

export async function subjectReport(deps: SubjectDeps, idNumber: string): Promise<SubjectReport> {
  const canonical = canonicalIdNumber(idNumber);
  const hash = deps.hasher.hash('idNumber', canonical);
  const records: AuditView[] = [];
  for await (const view of searchAudit(deps.trail, deps.hasher, { factor: { name: 'idNumber', value: canonical } })) records.push(view);
  const rows = await registryRows(deps, canonical);
  const events = eventsAbout(await deps.trail.entries(), hash);
  return {
    idNumber: maskFactors({ idNumber: canonical }).idNumber!,
    records,
    registry: { rows: rows.length, withCard: rows.filter((r) => r.cardHash !== null).length, withPhone: rows.filter((r) => r.phoneHash !== null).length },
    erasures: events.filter((e) => e.entry.kind === 'erase').map((e) => ({ at: new Date(e.entry.at).toISOString(), records: e.entry.records, by: e.detail.by })),
    lookups: events.filter((e) => e.entry.kind === 'access').map((e) => ({ at: new Date(e.entry.at).toISOString(), command: e.detail.command ?? '', by: (e.detail as { by?: unknown }).by })),
  };
}

export interface ErasureResult {
  idNumber: string;
  registryRows: number;
  /** Cached answers forgotten; 'all' when the cache lives in each node's memory (every node drops it whole). */
  cachedAnswers: number | 'all' | 'off';
  auditRecords: number;
}

/**
 * Erases a person: their registry rows, the cached answers about them, and the masks and hashes of their
 * audit records — the records stay, anonymised, so counts, invoices and the chain hold (an erase event
 * in the chain says which rows were blanked).
 */
export async function subjectErase(deps: SubjectDeps, idNumber: string, by: Operator): Promise<ErasureResult> {
  const canonical = canonicalIdNumber(idNumber);
  let registryRows = 0;
  for (const keyId of deps.keys.liveIds()) {
    if (!deps.keys.ring.holds(keyId)) continue;
    registryRows += await deps.registry.remove(registryHasher(deps.keys, keyId).idNumber(canonical));
  }
  let cachedAnswers: ErasureResult['cachedAnswers'] = 'off';
  if (deps.cache) {
    cachedAnswers = await deps.cache.forgetPerson(canonical);
    // An in-memory cache lives in each serving process: only a purge every node hears reaches it.
    if (!deps.sharedCache) {
      await deps.cache.purge();
      cachedAnswers = 'all';
    }
  }
  const { records } = await deps.trail.erase('idNumber', deps.hasher.hash('idNumber', canonical), by);
  return { idNumber: maskFactors({ idNumber: canonical }).idNumber!, registryRows, cachedAnswers, auditRecords: records };
}
