import { hostname, userInfo } from 'node:os';
import type { AuditTrail } from '../store/types.ts';

/** Who ran a command: the OS user and host (what `who looked at this person?` is answered with). */
export interface Operator {
  user: string;
  host: string;
  pid: number;
}

export function currentOperator(): Operator {
  let user: string;
  try {
    user = userInfo().username;
  } catch {
    // A container's user may have no passwd entry.
    user = process.env.USER ?? `uid ${process.getuid?.() ?? '?'}`;
  }
  return { user, host: hostname(), pid: process.pid };
}

/**
 * Records that an operator read or changed the audit (search, export, verify, purge, subject report or
 * erase, usage): an event in this process's chain naming the command and its filters — a factor only as
 * its keyed hash, never its value.
 */
export async function recordAccess(trail: AuditTrail, command: string, filters: object, by: Operator = currentOperator()): Promise<void> {
  await trail.appendEvent('access', { command, filters, by });
}
