import { canonicalBankCard } from '../core/bank-card.ts';
import { canonicalIdNumber } from '../core/id-number.ts';
import type { StoreKeys } from '../keys/ring.ts';
import { registryHasher } from '../registry/hash.ts';
import type { ResultCache } from '../sources/cache.ts';
import type { EraseDetail } from '../store/audit-chain.ts';
import type { AuditSubject, AuditTrail, ChainEntry, RegistryStore, SourceStore } from '../store/types.ts';
import type { FactorHasher } from './lookup.ts';
import type { Operator } from './operator.ts';
import { maskFactors } from './redact.ts';
import { type AuditView, auditView } from './search.ts';

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

/**
 * The person as the operator names them: their ID number and, where known, their bank cards and phones.
 * Those, and the cards and phones found in the person's own records, also find the checks that carry no
 * ID number (a name + bank card check).
 */
export interface Person {
  idNumber: string;
  bankCards?: readonly string[];
  phones?: readonly string[];
}

export interface SubjectReport {
  idNumber: string;
  /** What the person's records were found by, besides their ID number: bank cards and phones, given or seen in their records. */
  foundBy: { bankCards: number; phones: number };
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

/** An event's detail, or nothing when it is not the JSON written (altered: `audit verify` says so). */
function parsedDetail(e: ChainEntry): object {
  try {
    const value: unknown = JSON.parse(e.detail ?? '{}');
    return typeof value === 'object' && value !== null ? value : {};
  } catch {
    return {};
  }
}

/**
 * Erasures of the person, and lookups by any of their hashes (ID number, card, phone — those their
 * erasures found them by too, which their blanked records no longer tell) or by the check id of one of
 * their records, oldest first.
 */
const eventsAbout = (entries: ChainEntry[], subject: AuditSubject, checkIds: ReadonlySet<string>) => {
  const theirs = new Set([subject.idNumber, ...subject.bankCards, ...subject.phones]);
  const ofRecords = new Set(checkIds);
  for (const e of entries) {
    if (e.kind !== 'erase') continue;
    const detail = parsedDetail(e) as Partial<EraseDetail>;
    if (detail.hash !== subject.idNumber) continue;
    for (const h of [...(detail.bankCards ?? []), ...(detail.phones ?? [])]) theirs.add(h);
    for (const id of detail.checkIds ?? []) ofRecords.add(id);
  }
  return entries
    .flatMap((e) => {
      if (e.kind !== 'erase' && e.kind !== 'access') return [];
      const detail = parsedDetail(e) as Partial<EraseDetail> & { command?: string; filters?: { hash?: { value?: string }; checkId?: string }; subject?: string };
      const filters = detail.filters;
      const about =
        e.kind === 'erase'
          ? detail.hash === subject.idNumber
          : theirs.has(filters?.hash?.value ?? '') || ofRecords.has(filters?.checkId ?? '') || detail.subject === subject.idNumber;
      return about ? [{ entry: e, detail }] : [];
    })
    .sort((a, b) => a.entry.at - b.entry.at);
};

/** Who ran a command, as a person reads it: user@host, and the address a console operator came from. */
export function operatorText(by: unknown): string {
  const o = (by ?? {}) as { user?: unknown; host?: unknown; address?: unknown };
  if (typeof o.user !== 'string') return JSON.stringify(by ?? null);
  const at = typeof o.host === 'string' ? `${o.user}@${o.host}` : o.user;
  return typeof o.address === 'string' ? `${at} from ${o.address}` : at;
}

/** A subject request that would reach someone else: nothing is reported or erased. */
export class SubjectError extends Error {}

/**
 * Refuses a card given on stdin that the registry holds for someone else (and not for this person): an
 * erasure by it would blank another person's records for good, a report would show them.
 */
async function refuseForeignCards(deps: SubjectDeps, person: Person): Promise<void> {
  const cards = (person.bankCards ?? []).map(canonicalBankCard);
  if (cards.length === 0) return;
  // `found` alone is read: any name will do.
  const anyName = Buffer.alloc(32);
  for (const keyId of deps.keys.liveIds()) {
    if (!deps.keys.ring.holds(keyId)) continue;
    const hasher = registryHasher(deps.keys, keyId);
    const own = new Set((await deps.registry.lookup(hasher.idNumber(person.idNumber))).map((r) => r.cardHash?.toString('hex')));
    for (const [i, card] of cards.entries()) {
      const cardHash = hasher.bankCard(card);
      if (!own.has(cardHash.toString('hex')) && (await deps.registry.matchCard(cardHash, anyName)).found) {
        throw new SubjectError(`bank card ${i + 1} on stdin is on file in the registry for someone else, not for this person: nothing was reported or erased (leave it out, or correct it)`);
      }
    }
  }
}

/** A request's person: canonical, their cards checked (refusing someone else's), and their audit subject. */
async function resolve(deps: SubjectDeps, person: Person): Promise<{ canonical: string; subject: AuditSubject }> {
  const canonical = canonicalIdNumber(person.idNumber);
  const named = { ...person, idNumber: canonical };
  await refuseForeignCards(deps, named);
  return { canonical, subject: await auditSubject(deps, named) };
}

/**
 * The person's audit subject: hashes of their ID number, of the cards and phones given, and of those
 * their own records matched (a card checked with their ID number and found theirs; a mismatch says the
 * card is someone else's).
 */
async function auditSubject(deps: SubjectDeps, person: Person): Promise<AuditSubject> {
  const idNumber = deps.hasher.hash('idNumber', person.idNumber);
  const bankCards = new Set((person.bankCards ?? []).map((c) => deps.hasher.hash('bankCard', c)));
  const phones = new Set((person.phones ?? []).map((p) => deps.hasher.hash('phone', p)));
  for await (const record of deps.trail.search({ hash: { factor: 'idNumber', value: idNumber }, verdict: 'match' })) {
    if (record.hashes?.bankCard) bankCards.add(record.hashes.bankCard);
    if (record.hashes?.phone) phones.add(record.hashes.phone);
  }
  return { idNumber, bankCards: [...bankCards], phones: [...phones] };
}

export async function subjectReport(deps: SubjectDeps, person: Person): Promise<SubjectReport> {
  const { canonical, subject } = await resolve(deps, person);
  const records: AuditView[] = [];
  for await (const record of deps.trail.search({ subject })) records.push(auditView(record));
  const rows = await registryRows(deps, canonical);
  // A lookup by the check id of one of their records is a lookup of them too.
  const events = eventsAbout(await deps.trail.entries(), subject, new Set(records.map((r) => r.checkId)));
  return {
    idNumber: maskFactors({ idNumber: canonical }).idNumber!,
    foundBy: { bankCards: subject.bankCards.length, phones: subject.phones.length },
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
export async function subjectErase(deps: SubjectDeps, person: Person, by: Operator): Promise<ErasureResult> {
  // Found before anything is blanked: the person's own records say which cards and phones are theirs.
  const { canonical, subject } = await resolve(deps, person);
  let registryRows = 0;
  for (const keyId of deps.keys.liveIds()) {
    if (!deps.keys.ring.holds(keyId)) continue;
    registryRows += await deps.registry.remove(registryHasher(deps.keys, keyId).idNumber(canonical));
  }
  let cachedAnswers: ErasureResult['cachedAnswers'] = 'off';
  if (deps.cache) {
    cachedAnswers = await deps.cache.forgetPerson(canonical, (person.bankCards ?? []).map(canonicalBankCard));
    // An in-memory cache lives in each serving process: only a purge every node hears reaches it.
    if (!deps.sharedCache) {
      await deps.cache.purge();
      cachedAnswers = 'all';
    }
  }
  const { records } = await deps.trail.erase(subject, by);
  return { idNumber: maskFactors({ idNumber: canonical }).idNumber!, registryRows, cachedAnswers, auditRecords: records };
}
