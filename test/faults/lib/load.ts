import { randomInt } from 'node:crypto';
import { wire, type WireResponse, type WireResult } from '../../helpers/wire.ts';
import type { Check, DialectUnderTest, Draft, Person } from '../dialects/types.ts';
import { draftBytes } from './encode.ts';
import type { House } from './house.ts';
import type { Ledger } from './ledger.ts';
import { DEADLINES, GRACE_MS } from './mode.ts';

/** A validly signed check for one of the registry's people, as the dialect's clients send it. */
export function validCheck(dialect: DialectUnderTest, house: House, options: { person?: Person; singleUse?: boolean; check?: Check } = {}): Buffer {
  const route = dialect.routes.find((r) => r.check === (options.check ?? 'idcard2'))!;
  const person = options.person ?? house.people[randomInt(house.people.length)]!;
  const draft: Draft = { path: route.path, check: route.check, fields: dialect.fields(route.check, house.tenant, person), headers: {} };
  const signed = dialect.sign(draft, house.tenant, { nowMs: Date.now(), singleUse: options.singleUse ?? false, rand: randomInt(2 ** 31) });
  return draftBytes(signed, dialect.encodings[0]!);
}

/** Sends one request and books what came back; `billable` marks a valid check (cut off if unanswered). */
export async function send(port: number, bytes: Buffer, dialect: DialectUnderTest, ledger: Ledger, options: { billable?: boolean; onResponse?: (r: WireResponse) => void } = {}): Promise<WireResult> {
  const result = await wire(port, bytes, { waitMs: DEADLINES.request * 1000 + GRACE_MS, ...(options.onResponse ? { onResponse: options.onResponse } : {}) });
  ledger.book(dialect, result, options.billable ?? false);
  return result;
}

/**
 * Valid checks from `concurrency` clients, round the dialects, until `stop()`: the load a kill lands in.
 * Resolves, once stopped, with how many were sent.
 */
export function load(ports: () => number[], dialects: readonly DialectUnderTest[], house: House, ledger: Ledger, concurrency: number): { stop(): Promise<number> } {
  let running = true;
  let sent = 0;
  const client = async (i: number) => {
    while (running) {
      const dialect = dialects[(i + sent) % dialects.length]!;
      const port = ports()[sent % ports().length]!;
      sent++;
      await send(port, validCheck(dialect, house, { check: sent % 3 === 0 ? 'bankcard3' : 'idcard2' }), dialect, ledger, { billable: true });
    }
  };
  const clients = Array.from({ length: concurrency }, (_, i) => client(i));
  return {
    async stop() {
      running = false;
      await Promise.all(clients);
      return sent;
    },
  };
}
