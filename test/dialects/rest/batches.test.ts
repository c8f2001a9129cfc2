import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRealname, type BatchResult, type Realname as Client } from '@realname/client';
import { startRealname, type Realname } from '../../helpers/realname.ts';

/** Batches through the typed client, against the whole house on SQLite with its batch runner. */

let house: Realname;
let client: Client;

async function clientFor(spec: Parameters<Realname['createApp']>[0] = {}): Promise<{ appid: string; client: Client }> {
  const app = await house.createApp(spec);
  const made = await house.services.apiKeys.create(app.appid);
  return { appid: app.appid, client: createRealname({ baseUrl: house.url, apiKey: made.key }) };
}

async function settled(c: Client, id: string, states = ['done', 'cancelled', 'quota_exhausted']): Promise<string> {
  for (;;) {
    const batch = await c.getBatch(id);
    if (!batch.ok) throw new Error(`status ${batch.status}`);
    if (states.includes(batch.data.state)) return batch.data.state;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function all(rows: AsyncIterable<BatchResult>): Promise<BatchResult[]> {
  const out: BatchResult[] = [];
  for await (const row of rows) out.push(row);
  return out;
}

beforeAll(async () => {
  house = await startRealname({ identities: 10, batches: { maxRows: 2000, maxBytes: 200_000, chunkRows: 50 } });
  house.services.batches!.start();
  client = (await clientFor()).client;
});
afterAll(async () => {
  await house?.close();
});

const jsonl = (rows: object[]) => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';

describe('POST /v1/batches', () => {
  it('runs a JSONL batch: 202, then every row’s result in input order — bad rows are results, invalid factors unbilled', async () => {
    const p = house.people;
    const rows = [...p.map((x) => ({ name: x.name, idNumber: x.idNumber })), { name: p[0]!.name, idNumber: '42' }, { idNumber: p[1]!.idNumber }];
    const body = jsonl(rows) + '{broken\n' + jsonl([{ kind: 'bankcard3', factors: { name: p[2]!.name, idNumber: p[2]!.idNumber, bankCard: p[2]!.bankCard } }]);
    const created = await client.createBatch(body, { format: 'jsonl', kind: 'idcard2' });
    expect(created).toMatchObject({ ok: true, status: 202, data: { kind: 'idcard2', rows: { total: 14 } } });
    if (!created.ok) throw new Error('unreachable');
    expect(await settled(client, created.data.id)).toBe('done');
    const results = await all(client.batchResults(created.data.id));
    expect(results.map((r) => r.line)).toEqual(Array.from({ length: 14 }, (_, i) => i + 1));
    expect(results.slice(0, 10).every((r) => r.verdict === 'match' && r.billed === true)).toBe(true);
    expect(results[10]).toMatchObject({ verdict: 'invalid', billed: false, invalid: { field: 'idNumber' } });
    expect(results[11]).toMatchObject({ error: { reason: 'missing', field: 'name' } });
    expect(results[12]).toMatchObject({ error: { reason: 'broken' } });
    expect(results[13]).toMatchObject({ kind: 'bankcard3', verdict: 'match' });
    expect(JSON.stringify(results)).not.toContain(p[0]!.idNumber);
    const status = await client.getBatch(created.data.id);
    expect(status).toMatchObject({ ok: true, data: { state: 'done', rows: { total: 14, done: 14 }, counts: { match: 11, invalid: 1, error: 2 }, etaSeconds: 0 } });
    // Each checked row is in the audit once, readable as a check.
    const read = await client.getCheck(results[0]!.id!);
    expect(read).toMatchObject({ ok: true, data: { verdict: 'match', billed: true } });
  });

  it('runs a CSV batch whose rows name their kinds, and results as CSV', async () => {
    const p = house.people[3]!;
    const csv = `kind,name,idNumber,bankCard\nidcard2,${p.name},${p.idNumber},\nbankcard3,${p.name},${p.idNumber},${p.bankCard}\nidcard9,${p.name},${p.idNumber},\n`;
    const created = await client.createBatch(csv, { format: 'csv' });
    if (!created.ok) throw new Error(`created ${created.status}`);
    expect(await settled(client, created.data.id)).toBe('done');
    const results = await all(client.batchResults(created.data.id));
    expect(results.map((r) => [r.line, r.verdict ?? r.error?.reason])).toEqual([[2, 'match'], [3, 'match'], [4, 'kind_unknown']]);
    const text = await client.raw.GET('/v1/batches/{id}/results', { params: { path: { id: created.data.id }, query: { format: 'csv' } }, parseAs: 'text' });
    expect((text.data as unknown as string).split('\n')[0]).toBe('line,id,kind,verdict,mismatched,invalidField,invalidReason,refusal,error,source,billed,name,idNumber,bankCard,phone');
  });

  it('takes a multipart file', async () => {
    const p = house.people[4]!;
    const form = new FormData();
    form.append('file', new Blob([`name,idNumber\n${p.name},${p.idNumber}\n`], { type: 'text/csv' }), 'people.csv');
    const created = await client.raw.POST('/v1/batches', { params: { query: { kind: 'idcard2' } }, body: form as never, bodySerializer: (b) => b as never });
    expect(created.response.status).toBe(202);
    expect(await settled(client, created.data!.id)).toBe('done');
    expect(await all(client.batchResults(created.data!.id))).toMatchObject([{ line: 2, verdict: 'match' }]);
  });

  it('pauses in quota_exhausted when the quota runs out, and finishes once quota is added, every row once', async () => {
    const poor = await clientFor({ quota: 3 });
    const p = house.people;
    const created = await poor.client.createBatch(jsonl(Array.from({ length: 120 }, (_, i) => ({ name: p[i % 10]!.name, idNumber: p[i % 10]!.idNumber }))), { format: 'jsonl', kind: 'idcard2' });
    if (!created.ok) throw new Error(`created ${created.status}`);
    expect(await settled(poor.client, created.data.id)).toBe('quota_exhausted');
    await house.services.tenants.update(poor.appid, { quota: 1000 });
    expect(await settled(poor.client, created.data.id, ['done'])).toBe('done');
    const results = await all(poor.client.batchResults(created.data.id));
    expect(results.map((r) => r.line)).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));
    expect(results.every((r) => r.verdict === 'match' && r.billed)).toBe(true);
    await house.store.audit.flush();
    const records = (await house.store.audit.query({ appid: poor.appid, limit: 1000 })).filter((r) => r.billed);
    expect(new Set(records.map((r) => r.checkId)).size).toBe(120);
    expect(records).toHaveLength(120);
  });

  it('answers a truncated multipart upload 400 (malformed), keeps nothing of it, and goes on serving', async () => {
    const made = await house.services.apiKeys.create(house.app.appid);
    const truncated = '--zzz\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\nname,idN';
    const before = await house.store.batches!.active();
    const answer = await fetch(`${house.url}/v1/batches`, { method: 'POST', headers: { authorization: `Bearer ${made.key}`, 'content-type': 'multipart/form-data; boundary=zzz' }, body: truncated });
    expect(answer.status).toBe(400);
    expect(await answer.json()).toMatchObject({ type: 'urn:realname:problem:bad_request' });
    expect(await house.store.batches!.active()).toHaveLength(before.length);
    // The process is still there, and answers.
    const c = createRealname({ baseUrl: house.url, apiKey: made.key });
    const p = house.people[5]!;
    expect(await c.createBatch(jsonl([{ name: p.name, idNumber: p.idNumber }]), { format: 'jsonl', kind: 'idcard2' })).toMatchObject({ ok: true, status: 202 });
  });

  it('answers 413 batch_too_large to a small plain CSV or JSONL body over --batch-max-rows, not an empty reply', async () => {
    // Small enough to arrive whole before the row limit is reached: the refused rest must still be read.
    const small = await startRealname({ identities: 1, batches: { maxRows: 10 } });
    try {
      const made = await small.services.apiKeys.create(small.app.appid);
      const c = createRealname({ baseUrl: small.url, apiKey: made.key });
      const csv = 'name,idNumber\n' + 'a,110101199003077777\n'.repeat(30);
      const lines = '{"name":"a","idNumber":"110101199003077777"}\n'.repeat(30);
      for (const [body, format] of [[csv, 'csv'], [lines, 'jsonl']] as const) {
        expect(await c.createBatch(body, { format, kind: 'idcard2' }), format).toMatchObject({ ok: false, status: 413, problem: { type: 'urn:realname:problem:batch_too_large', detail: 'more than 10 rows' } });
      }
      expect(await small.store.batches!.active()).toEqual([]);
    } finally {
      await small.close();
    }
  });

  it('refuses what is not a batch: 401, 415, 422, 413 (nothing kept), 404 for another app’s batch', async () => {
    const p = house.people[0]!;
    const row = jsonl([{ name: p.name, idNumber: p.idNumber }]);
    expect(await createRealname({ baseUrl: house.url, apiKey: 'nope' }).createBatch(row, { format: 'jsonl' })).toMatchObject({ ok: false, status: 401 });
    const text = await client.raw.POST('/v1/batches', { body: 'x' as never, bodySerializer: (b) => b as never, headers: { 'content-type': 'text/plain' } });
    expect(text.response.status).toBe(415);
    expect(text.error).toMatchObject({ type: 'urn:realname:problem:unsupported_media_type' });
    expect(await client.createBatch(row, { format: 'jsonl', kind: 'idcard9' as never })).toMatchObject({ ok: false, status: 422, problem: { type: 'urn:realname:problem:invalid_request' } });
    const many = jsonl(Array.from({ length: 2001 }, () => ({ name: p.name, idNumber: p.idNumber })));
    expect(await client.createBatch(many, { format: 'jsonl', kind: 'idcard2' })).toMatchObject({ ok: false, status: 413, problem: { type: 'urn:realname:problem:batch_too_large' } });
    const big = jsonl(Array.from({ length: 1500 }, () => ({ name: p.name.repeat(20), idNumber: p.idNumber })));
    expect(await client.createBatch(big, { format: 'jsonl', kind: 'idcard2' })).toMatchObject({ ok: false, status: 413, problem: { type: 'urn:realname:problem:batch_too_large' } });

    const created = await client.createBatch(row, { format: 'jsonl', kind: 'idcard2' });
    if (!created.ok) throw new Error(`created ${created.status}`);
    const other = await clientFor();
    expect(await other.client.getBatch(created.data.id)).toMatchObject({ ok: false, status: 404, problem: { type: 'urn:realname:problem:batch_not_found' } });
    expect(await other.client.cancelBatch(created.data.id)).toMatchObject({ ok: false, status: 404 });
    expect(await client.getBatch('nope')).toMatchObject({ ok: false, status: 404 });
  });
});

describe('DELETE /v1/batches/{id}', () => {
  let slow: Realname;
  beforeAll(async () => {
    slow = await startRealname({ identities: 2, batches: { rate: 20, chunkRows: 10 } });
    slow.services.batches!.start();
  });
  afterAll(async () => {
    await slow?.close();
  });

  it('cancels: no further row is checked', async () => {
    const made = await slow.services.apiKeys.create(slow.app.appid);
    const c = createRealname({ baseUrl: slow.url, apiKey: made.key });
    const p = slow.people[0]!;
    const created = await c.createBatch(jsonl(Array.from({ length: 400 }, () => ({ name: p.name, idNumber: p.idNumber }))), { format: 'jsonl', kind: 'idcard2' });
    if (!created.ok) throw new Error(`created ${created.status}`);
    const cancelled = await c.cancelBatch(created.data.id);
    expect(cancelled).toMatchObject({ ok: true, data: { state: 'cancelled' } });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const after = await c.getBatch(created.data.id);
    expect(after).toMatchObject({ ok: true, data: { state: 'cancelled' } });
    expect(after.ok ? after.data.rows.done : 400).toBeLessThan(400);
    await slow.store.audit.flush();
    expect((await slow.store.audit.query({ appid: slow.app.appid, limit: 1000 })).length).toBeLessThan(400);
  });

  it('cancels a running batch before its next row: no row is checked or billed after the cancel answer', async () => {
    const app = await slow.createApp({});
    const made = await slow.services.apiKeys.create(app.appid);
    const c = createRealname({ baseUrl: slow.url, apiKey: made.key });
    const p = slow.people[0]!;
    const created = await c.createBatch(jsonl(Array.from({ length: 400 }, () => ({ name: p.name, idNumber: p.idNumber }))), { format: 'jsonl', kind: 'idcard2' });
    if (!created.ok) throw new Error(`created ${created.status}`);
    const billed = async () => {
      await slow.store.audit.flush();
      return (await slow.store.audit.query({ appid: app.appid, limit: 1000 })).filter((r) => r.billed).length;
    };
    // Mid-chunk: some rows of the first chunk are billed, the chunk is not finished.
    while ((await billed()) < 3) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await c.cancelBatch(created.data.id)).toMatchObject({ ok: true, data: { state: 'cancelled' } });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const atCancel = await billed();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await billed()).toBe(atCancel);
    expect(await c.getBatch(created.data.id)).toMatchObject({ ok: true, data: { state: 'cancelled', rows: { done: 0 } } });
  });
});
