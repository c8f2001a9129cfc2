import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Credentials } from '../../src/access/tenants.ts';
import { signSubmail } from '../../src/protocols/submail/signature.ts';
import { signAuthorization } from '../../src/protocols/tencent-image/signature.ts';
import { buildServer } from '../../src/server.ts';
import { assembleServices } from '../../src/service/assemble.ts';
import { openPostgresStore } from '../../src/store/postgres.ts';
import type { Store } from '../../src/store/types.ts';
import { createSchema, POSTGRES_URL, requireService } from '../helpers/services.ts';

const postgresUp = await requireService('postgres');

/**
 * Issue 17 #1: no answer without its audit record. While the audit log cannot keep records (its table
 * is gone here, as when PostgreSQL refuses writes), checks answer the dialect's source-unavailable
 * code, unbilled, and /readyz fails; once the store takes records again, checks are answered as before.
 */
describe.skipIf(!postgresUp)('checks while the audit log cannot keep records', () => {
  let store: Store;
  let server: FastifyInstance;
  let url: string;
  let app: Credentials;
  let schema: string;
  let drop: () => Promise<void>;
  const sql = async (text: string) => {
    const client = new pg.Client({ connectionString: POSTGRES_URL, options: `-c search_path=${schema}` });
    await client.connect();
    try {
      await client.query(text);
    } finally {
      await client.end();
    }
  };

  beforeAll(async () => {
    ({ schema, drop } = await createSchema());
    store = openPostgresStore({ url: POSTGRES_URL, schema });
    const services = assembleServices({ store, masterKey: randomBytes(32) });
    app = await services.tenants.create({ name: 'gate', quota: 10 });
    server = buildServer({ services, store });
    url = await server.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await server?.close();
    await store?.close().catch(() => undefined);
    await drop?.();
  });

  const stranger = { idcard_number: '11010519491231002X', idcard_name: '张三' };
  const tencent = async () => {
    const now = Math.floor(Date.now() / 1000);
    const authorization = signAuthorization({ appid: app.appid, secretId: app.secretId, secretKey: app.secretKey, expiry: now + 60, now, rand: randomBytes(4).readUInt32BE() });
    const response = await fetch(`${url}/auth/idcard`, { method: 'POST', headers: { 'content-type': 'application/json', authorization }, body: JSON.stringify({ appid: app.appid, ...stranger }) });
    return ((await response.json()) as { code: number }).code;
  };
  const submail = async () => {
    const signed = { idNo: stranger.idcard_number, name: stranger.idcard_name, timestamp: String(Date.now()) };
    const body = { appid: app.appid, ...signed, signature: signSubmail(app.appkey, signed) };
    const response = await fetch(`${url}/factor/idcard`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const json = (await response.json()) as { status: string; code?: string };
    return json.status === 'success' ? 'success' : json.code;
  };
  const quota = async () => (await store.apps.get(app.appid))?.quota;
  const readyz = async () => (await fetch(`${url}/readyz`)).status;

  it('answers 108 / 1223, unbilled, and fails /readyz while the store refuses audit writes; answers again once it is back', async () => {
    // a valid identity not on file: a billed verdict (-5807)
    expect(await tencent()).toBe(-5807);
    expect(await quota()).toBe(9);
    expect(await readyz()).toBe(200);

    await sql('ALTER TABLE audit RENAME TO audit_away');
    const error = console.error;
    console.error = () => undefined;
    try {
      // the next record cannot be written: the sink learns that the store is failing
      await tencent();
      await expect.poll(readyz, { timeout: 5000 }).toBe(503);
      expect(await tencent()).toBe(108);
      expect(await submail()).toBe('1223');
      // The check answered as the outage began is billed once its record lands: until then its unit is
      // still in this node's lease (quota by lease: a unit leaves it in the audit commit of its answer).
      expect(await quota()).toBe(9);

      await sql('ALTER TABLE audit_away RENAME TO audit');
      await expect.poll(readyz, { timeout: 5000 }).toBe(200);
    } finally {
      console.error = error;
    }
    expect(await tencent()).toBe(-5807);
    expect(await submail()).toBe('success');
    expect(await quota()).toBe(6);
    await store.audit.flush();
    // every answer has its record, the unavailable ones included
    expect(await store.audit.query({ appid: app.appid, limit: 100 })).toHaveLength(6);
  });
});
