import fc from 'fast-check';
import { generateIdentities } from '../../../src/core/synthetic.ts';
import { wire, type WireResult } from '../../helpers/wire.ts';
import type { DialectUnderTest } from '../dialects/types.ts';
import { materialize, plans, type FuzzCase } from './cases.ts';
import type { House } from './house.ts';
import type { Ledger } from './ledger.ts';
import { DEADLINES, GRACE_MS } from './mode.ts';
import { documentedCodes } from './readme.ts';

export interface FuzzCounts {
  fuzzed: number;
  '5xx': number;
  undocumented: number;
  hangs: number;
  second: number;
  forgeries: number;
  /** The first few failing cases, described. */
  failures: string[];
}

/** Plain HTTP answers to requests HTTP itself refuses (framing, deadlines, header size). */
const FRAMING_ANSWERS = new Set([400, 408, 413, 431]);
const WELL_FRAMED = new Set(['length', 'chunked', 'split', 'oversize', 'pipelined']);

/** The answers a client may count on: one per request, up to the first that closes the connection. */
function due(c: FuzzCase, result: WireResult): number {
  const closing = result.responses.findIndex((r) => r.headers.connection?.toLowerCase() === 'close');
  return closing < 0 ? c.requests : Math.min(c.requests, closing + 1);
}

/** Runs `count` fuzzed requests at a live service, `concurrency` at a time, and judges every answer. */
export async function fuzz(dialect: DialectUnderTest, house: House, port: number, ledger: Ledger, count: number, seed: number, concurrency = 8): Promise<FuzzCounts> {
  const documented = documentedCodes(dialect);
  const [stranger] = [...generateIdentities(1, seed ^ 0x5eed)];
  const all = fc.sample(plans(dialect, house.people.length), { numRuns: count, seed });
  const counts: FuzzCounts = { fuzzed: 0, '5xx': 0, undocumented: 0, hangs: 0, second: 0, forgeries: 0, failures: [] };
  const fail = (what: string, c: FuzzCase, result: WireResult) => {
    if (counts.failures.length < 8) {
      const got = result.responses.map((r) => `${r.status} ${r.body.toString('utf8').slice(0, 120)}`).join(' | ');
      counts.failures.push(`${what}: ${c.label} → [${got}] closed=${result.closed}${result.error ? ` error=${result.error}` : ''}`);
    }
  };

  let next = 0;
  const worker = async () => {
    while (next < all.length) {
      const plan = all[next++]!;
      const c = materialize(plan, dialect, house.tenant, house.people, stranger!, Date.now());
      const result = await wire(port, c.chunks, { waitMs: DEADLINES.request * 1000 + GRACE_MS, endAfter: c.endAfter, ...(c.responses ? { responses: c.responses } : {}) });
      counts.fuzzed++;
      const answers = ledger.book(dialect, result);
      const wellFramed = WELL_FRAMED.has(plan.framing) && !c.unreadableHeader;
      if (!result.closed && (c.responses === undefined || result.responses.length < c.responses)) {
        counts.hangs++;
        fail('hang', c, result);
      } else if (wellFramed && answers.length < due(c, result)) {
        counts.hangs++;
        fail('answer lost', c, result);
      }
      if (result.responses.length > c.requests) {
        counts.second += result.responses.length - c.requests;
        fail('second answer', c, result);
      }
      let refused = false;
      for (const response of result.responses) {
        const answer = dialect.answer(response);
        if (refused) {
          counts.second++;
          fail('answer after a refusal', c, result);
        }
        const documentedStatus = answer !== undefined && response.status === dialect.status(answer);
        if ((response.status >= 500 && !documentedStatus) || answer?.code === dialect.codes.internal) {
          counts['5xx']++;
          fail('5xx', c, result);
        } else if (answer ? !documentedStatus || !documented.has(answer.code) : !FRAMING_ANSWERS.has(response.status)) {
          counts.undocumented++;
          fail('undocumented answer', c, result);
        }
        if (!answer) refused = true;
      }
      if (c.forged && answers.some((a) => a && dialect.codes.pastSignature.includes(a.code))) {
        counts.forgeries++;
        fail('forgery accepted', c, result);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return counts;
}
