import type { CheckKind, Factor, Factors } from '../core/factors.ts';

/** A source's answer for valid, canonical factors. */
export interface SourceAnswer {
  verdict: 'match' | 'mismatch' | 'not_found';
  mismatched?: Factor[];
}

/** Where truth comes from: the local registry, an upstream vendor, another Realname. */
export interface Source {
  readonly name: string;
  supports(kind: CheckKind): boolean;
  /** Throws SourceFailure when it cannot give a verdict. */
  check(kind: CheckKind, factors: Factors): Promise<SourceAnswer>;
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
