import type { WireResponse } from '../../helpers/wire.ts';

/**
 * What the fault suite knows of a dialect: everything it needs to speak it over HTTP, nothing of how
 * the service implements it (the suite drives real processes only, so it outlives any refactor of
 * src/dialects). A dialect joins the suite with one of these in ./index.ts.
 */

/** An app as `realname apps create --json` prints it. */
export interface Tenant {
  appid: string;
  bucket: string;
  secretId: string;
  secretKey: string;
  appkey: string;
}

/** A synthetic identity (or a mutilated one: the fuzzer puts anything here). */
export interface Person {
  name: string;
  idNumber: string;
  bankCard: string;
  phone: string;
}

export type Check = 'idcard2' | 'bankcard3';
export type Encoding = 'json' | 'form' | 'multipart';

/** A request before it is encoded: body fields (any JSON value, the fuzzer's choice) and headers. */
export interface Draft {
  path: string;
  check: Check;
  fields: Record<string, unknown>;
  headers: Record<string, string>;
}

export interface SignOptions {
  nowMs: number;
  /** A signature the protocol lets through once only (Tencent `e=0`; SUBMAIL's, under its replay guard). */
  singleUse: boolean;
  /** Distinguishes signatures made in the same second. */
  rand: number;
}

/** A dialect's answer read off the wire. */
export interface Answer {
  /**
   * The dialect's code, as a string ('0', '-5803', '1204', 'success', 'AuthFailure.SignatureFailure'); a
   * code of a per-action Result table (see `resultTables`) as `ACTION/code` ('IdCardVerification/-5').
   */
  code: string;
  /** The check id the answer names (Tencent's session_id; SUBMAIL's send_id, success only). */
  checkId?: string;
}

export interface DialectUnderTest {
  name: string;
  /** The README code table that documents every code it answers (`<!-- codes:NAME -->`). */
  readmeTable: string;
  /**
   * Per-action Result tables besides (`<!-- codes:NAME/ACTION -->`), for a protocol whose Result codes
   * mean different things per action: its answers name such a code as `ACTION/code`.
   */
  resultTables?: readonly string[];
  /** Answers documented in prose rather than in the table (SUBMAIL's `"status":"success"`). */
  untabled: readonly string[];
  /** Check routes (every URL form of them) and the check each runs. */
  routes: ReadonlyArray<{ path: string; check: Check }>;
  encodings: readonly Encoding[];
  /** The unsigned fields of a check request, in the vendor's names. */
  fields(check: Check, tenant: Tenant, person: Person): Record<string, string>;
  /** The draft signed as the vendor's clients sign it. */
  sign(draft: Draft, tenant: Tenant, options: SignOptions): Draft;
  /**
   * For a protocol whose signature covers the body's bytes and the content type (TC3): the signed draft
   * signed again over the body and content type as finally sent (broken, truncated, of another type), so
   * that they reach the checks behind the signature instead of all failing it.
   */
  signSent?(draft: Draft, tenant: Tenant, options: SignOptions, sent: { body: Buffer; contentType: string | undefined }): Draft;
  /** Kinds of forged signature `forge` makes. */
  forgeries: readonly string[];
  /** The draft with a forged signature of the given kind: never the vendor's valid one. */
  forge(draft: Draft, tenant: Tenant, options: SignOptions, kind: string): Draft;
  /**
   * Requests for `target`'s app made by a client that holds only `holder`'s secrets: every way the
   * protocol lets one name another app. None may get past the signature check.
   */
  impersonate(draft: Draft, holder: Tenant, target: Tenant, options: SignOptions): Draft[];
  /** The dialect's answer, or undefined when the response is not one (a plain HTTP error, say). */
  answer(response: WireResponse): Answer | undefined;
  /** The HTTP status the dialect documents for an answer (both vendors: 200, whatever the code). */
  status(answer: Answer): number;
  /** The protocol has single-use signatures (so a burst of one must be accepted exactly once). */
  singleUse: boolean;
  codes: {
    /** Codes that bill a unit of quota. */
    billed: readonly string[];
    /** The internal-error code (counted with 5xx). */
    internal: string;
    /** No source (or no audit log) could answer an idcard2 check (what `validCheck` sends by default). */
    unavailable: string;
    tooLarge: string;
    /** A single-use signature used again (single-use dialects only). */
    replayed?: string;
    /** Codes that only come once the signature has verified: a forgery answered with one got through. */
    pastSignature: readonly string[];
  };
}
