import type { CheckKind, Factors } from '../../core/index.ts';
import type { VendorVerdict } from '../../protocols/upstream.ts';
import { SourceFailure, type SourceAnswer, type SourceCall } from '../types.ts';
import type { VendorEndpoint, VendorReply } from './http.ts';

/** What an adapter is built with: its endpoint (a keep-alive pool), its credentials (unsealed), a clock. */
export interface AdapterContext {
  name: string;
  endpoint: VendorEndpoint;
  credentials: Readonly<Record<string, string>>;
  clock: () => number;
}

/** One vendor's adapter: the credentials it needs, the kinds it answers, and how one check is asked. */
export interface Adapter {
  /** Fields of the credentials JSON (read from stdin), required and optional. */
  credentials: { required: readonly string[]; optional?: readonly string[] };
  /** Check kinds by name; a kind the house does not know yet is simply never asked. */
  kinds: readonly string[];
  /** Asks the vendor; a SourceFailure when no verdict came (see settle). */
  create(context: AdapterContext): (kind: CheckKind, factors: Factors, call: SourceCall) => Promise<SourceAnswer>;
}

/**
 * A vendor's reply as an answer: its verdict (with the vendor's code and whether it billed us), or a
 * SourceFailure saying whether the next source may be asked. A reply that is not the vendor's (a gateway's
 * error page, garbage) says nothing was decided: HTTP 5xx and garbage hand over to the next source.
 */
export function settle(reply: VendorReply, read: { code: string; verdict: VendorVerdict; error?: string } | undefined): SourceAnswer {
  if (!read) {
    const code = reply.status === 200 ? 'garbage' : `HTTP ${reply.status}`;
    throw new SourceFailure('error', `not an answer of the vendor (${code})`, { code });
  }
  const { code, verdict: v } = read;
  if (v.verdict === 'unavailable') throw new SourceFailure('error', `vendor ${read.error ?? 'error'} ${code}`, { code, next: v.next });
  const answer: SourceAnswer = { verdict: v.verdict, vendor: { code, billed: v.billed } };
  if (v.verdict === 'mismatch') answer.mismatched = [...v.mismatched];
  return answer;
}

/** The factors a route needs, in the vendor's names; a SourceFailure (never sent) when one is missing. */
export function wireFields(fields: ReadonlyArray<readonly [string, keyof Factors]> | undefined, factors: Factors): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [wire, factor] of fields ?? []) {
    const value = factors[factor];
    if (value === undefined) throw new SourceFailure('error', `the check lacks ${factor}`);
    out[wire] = value;
  }
  return out;
}
