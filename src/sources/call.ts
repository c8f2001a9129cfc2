import type { SourceCall } from './types.ts';

/**
 * A source call whose AbortSignal is made only when the source reads it: the registry never does, so
 * a check answered from it costs no AbortController; an upstream adapter hands it to its HTTP client.
 */
export class Call implements SourceCall {
  private controller: AbortController | undefined;
  private abortedWith: unknown;
  private aborted = false;
  /** The source's request left for its vendor. */
  wasSent = false;

  constructor(readonly checkId: string) {}

  get signal(): AbortSignal {
    if (this.controller === undefined) {
      this.controller = new AbortController();
      if (this.aborted) this.controller.abort(this.abortedWith);
    }
    return this.controller.signal;
  }

  sent(): void {
    this.wasSent = true;
  }

  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.abortedWith = reason;
    this.controller?.abort(reason);
  }
}
