import createClient, { type Client } from 'openapi-fetch';
import type { components, paths } from './schema.ts';

export type { components, paths } from './schema.ts';
export type CheckRequest = components['schemas']['CheckRequest'];
export type Check = components['schemas']['Check'];
export type AuditedCheck = components['schemas']['AuditedCheck'];
export type Problem = components['schemas']['Problem'];
export type Batch = components['schemas']['Batch'];
/** One row's result: its line, and the check's Outcome (masked factors), a refusal, or why it is not a check. */
export type BatchResult = { line: number; id?: string; verdict?: string; billed?: boolean; refusal?: string; error?: { reason: string; field?: string } } & Record<string, unknown>;
export type CheckKind = CheckRequest['kind'];
export type Factors = CheckRequest['factors'];

export interface RealnameOptions {
  /** Where Realname serves, e.g. https://realname.internal:8080 */
  baseUrl: string;
  /** rn_live_… (`realname apps keys add APPID`). */
  apiKey: string;
  /** A fetch of your own (a proxy, a test's). */
  fetch?: typeof globalThis.fetch;
}

/** An answer: the body on success, or the problem; `status` and `retryAfter` (seconds) either way. */
export type Answer<T> =
  | { ok: true; status: number; data: T; replayed: boolean }
  | { ok: false; status: number; problem: Problem; retryAfter?: number };

export interface Realname {
  /** The typed openapi-fetch client itself, for anything the helpers do not cover. */
  readonly raw: Client<paths>;
  /** Runs one check. With `idempotencyKey`, a retry gets the first answer, billed once. */
  check(request: CheckRequest, options?: { idempotencyKey?: string }): Promise<Answer<Check>>;
  /** Reads a check back from the audit (masked factors). */
  getCheck(id: string): Promise<Answer<AuditedCheck>>;
  /** Uploads a file of checks: CSV (a header line) or JSONL; `kind` for every row, else each row names its own. */
  createBatch(body: string | Blob | Uint8Array, options: { format: 'csv' | 'jsonl'; kind?: CheckKind }): Promise<Answer<Batch>>;
  getBatch(id: string): Promise<Answer<Batch>>;
  cancelBatch(id: string): Promise<Answer<Batch>>;
  /** The results in input order as they finish (the stream ends with the batch). */
  batchResults(id: string): AsyncGenerator<BatchResult>;
}

function answer<T>(response: Response, data: T | undefined, error: unknown): Answer<T> {
  if (response.ok) return { ok: true, status: response.status, data: data as T, replayed: response.headers.get('idempotent-replayed') === 'true' };
  const retry = response.headers.get('retry-after');
  return { ok: false, status: response.status, problem: error as Problem, ...(retry !== null ? { retryAfter: Number(retry) } : {}) };
}

export function createRealname(options: RealnameOptions): Realname {
  const raw = createClient<paths>({
    baseUrl: options.baseUrl,
    headers: { authorization: `Bearer ${options.apiKey}` },
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  return {
    raw,
    async check(body, { idempotencyKey } = {}) {
      const { data, error, response } = await raw.POST('/v1/checks', {
        body,
        ...(idempotencyKey !== undefined ? { params: { header: { 'Idempotency-Key': idempotencyKey } } } : {}),
      });
      return answer(response, data, error);
    },
    async getCheck(id) {
      const { data, error, response } = await raw.GET('/v1/checks/{id}', { params: { path: { id } } });
      return answer(response, data, error);
    },
    async createBatch(body, { format, kind }) {
      const { data, error, response } = await raw.POST('/v1/batches', {
        params: { query: kind ? { kind } : {} },
        body: body as never,
        bodySerializer: (b) => b as never,
        headers: { 'content-type': format === 'csv' ? 'text/csv' : 'application/x-ndjson' },
      });
      return answer(response, data, error);
    },
    async getBatch(id) {
      const { data, error, response } = await raw.GET('/v1/batches/{id}', { params: { path: { id } } });
      return answer(response, data, error);
    },
    async cancelBatch(id) {
      const { data, error, response } = await raw.DELETE('/v1/batches/{id}', { params: { path: { id } } });
      return answer(response, data, error);
    },
    async *batchResults(id) {
      const { response } = await raw.GET('/v1/batches/{id}/results', { params: { path: { id } }, parseAs: 'stream' });
      if (!response.ok || !response.body) throw new Error(`batch results: HTTP ${response.status}`);
      const decoder = new TextDecoder();
      let pending = '';
      for await (const bytes of response.body as unknown as AsyncIterable<Uint8Array>) {
        pending += decoder.decode(bytes, { stream: true });
        let nl: number;
        while ((nl = pending.indexOf('\n')) >= 0) {
          const line = pending.slice(0, nl);
          pending = pending.slice(nl + 1);
          if (line.trim() !== '') yield JSON.parse(line) as BatchResult;
        }
      }
      if (pending.trim() !== '') yield JSON.parse(pending) as BatchResult;
    },
  };
}
