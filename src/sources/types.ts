import type { CheckKind, Factor, Factors } from '../core/index.ts';

/** A source's answer for valid, canonical factors. */
export interface SourceAnswer {
  verdict: 'match' | 'mismatch' | 'not_found';
  mismatched?: Factor[];
}

/** One call to a source, for one check. */
export interface SourceCall {
  /** The check's id: a source that calls out may pass it on (a request id), never a factor. */
  readonly checkId: string;
  /** Aborted when the router gives up on the call (its time limit passed): stop work, close the request. */
  readonly signal: AbortSignal;
}

/** Where truth comes from: the local registry, an upstream vendor, another Realname. */
export interface Source {
  readonly name: string;
  supports(kind: CheckKind): boolean;
  /** Throws SourceFailure when it cannot give a verdict. */
  check(kind: CheckKind, factors: Factors, call: SourceCall): Promise<SourceAnswer>;
}

/** 'error': the source answered with an error; 'unreachable': no answer (down, timed out). */
export class SourceFailure extends Error {
  constructor(
    readonly failure: 'error' | 'unreachable',
    message: string,
  ) {
    super(message);
  }
}
