import type { CheckKind, Factor, Factors } from '../core/index.ts';

/** A source's answer for valid, canonical factors. */
export interface SourceAnswer {
  verdict: 'match' | 'mismatch' | 'not_found';
  mismatched?: Factor[];
  /** An upstream vendor's own code for the answer and whether it charged us for it (absent for the registry). */
  vendor?: { code: string; billed: boolean };
}

/** One call to a source, for one check. */
export interface SourceCall {
  /** The check's id: a source that calls out may pass it on (a request id), never a factor. */
  readonly checkId: string;
  /** Aborted when the router gives up on the call (its time limit passed): stop work, close the request. */
  readonly signal: AbortSignal;
  /**
   * A source that calls out says so once its request has left for the vendor: from then on the vendor has
   * seen the factors (the audit names it) and a time limit passing may have cost money. (Optional for
   * callers that make their own calls: a source that never calls out never needs it.)
   */
  sent?(): void;
}

/** Where truth comes from: the local registry, an upstream vendor, another Realname. */
export interface Source {
  readonly name: string;
  /** True for a source that asks a vendor: its answers may be cached and its calls cost money. */
  readonly upstream?: boolean;
  supports(kind: CheckKind): boolean;
  /** Throws SourceFailure when it cannot give a verdict. */
  check(kind: CheckKind, factors: Factors, call: SourceCall): Promise<SourceAnswer>;
}

export interface FailureDetail {
  /** The vendor's own code, when it answered with one. */
  code?: string;
  /** Whether another source may be asked after this failure (default true: nothing was billed or decided). */
  next?: boolean;
  /**
   * The request was sent and no answer came back (a reset, a time limit): the vendor may have billed it,
   * so the next source is asked only where the route allows retrying on a timeout.
   */
  ambiguous?: boolean;
}

/** 'error': the source answered with an error; 'unreachable': no answer (down, timed out, skipped). */
export class SourceFailure extends Error {
  readonly code: string | undefined;
  readonly next: boolean;
  readonly ambiguous: boolean;

  constructor(
    readonly failure: 'error' | 'unreachable',
    message: string,
    detail: FailureDetail = {},
  ) {
    super(message);
    this.code = detail.code;
    this.next = detail.next ?? true;
    this.ambiguous = detail.ambiguous ?? false;
  }
}
