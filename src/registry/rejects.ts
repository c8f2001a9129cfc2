import { once } from 'node:events';
import type { Writable } from 'node:stream';

/** A row left out of the registry: where, which field, why — never the value itself. */
export interface Reject {
  line: number;
  /** The factor at fault ('' when the row as a whole is unreadable). */
  field: string;
  reason: string;
}

export const FIRST_REJECTS_KEPT = 20;

/** Conflict reason: the registry knows this ID number under another name. */
export const NAME_CONFLICT = 'name differs from the registry for this ID number';

function csvCell(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * Collects rejects: counts them, keeps the first few for the summary, and streams every one to an
 * optional CSV (`line,field,reason`), waiting on the writer's backpressure. The caller ends the writer.
 */
export class RejectLog {
  count = 0;
  readonly first: Reject[] = [];
  private readonly out: Writable | undefined;
  private started = false;

  constructor(out?: Writable) {
    this.out = out;
  }

  async add(reject: Reject): Promise<void> {
    this.count++;
    if (this.first.length < FIRST_REJECTS_KEPT) this.first.push(reject);
    if (!this.out) return;
    await this.write(`${reject.line},${csvCell(reject.field)},${csvCell(reject.reason)}\n`);
  }

  /** Writes the header, so an import without rejects still leaves a well-formed (empty) rejects file. */
  async start(): Promise<void> {
    if (!this.out || this.started) return;
    this.started = true;
    await this.write('line,field,reason\n');
  }

  private async write(text: string): Promise<void> {
    const out = this.out as Writable;
    if (!out.write(text)) await once(out, 'drain');
  }
}
