import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { NewApp, Credentials } from '../../src/access/tenants.ts';
import { generateIdentities } from '../../src/core/synthetic.ts';
import type { CheckKind } from '../../src/core/factors.ts';
import { signAuthorization } from '../../src/protocols/tencent-image/signature.ts';
import { createRegistryHasher } from '../../src/registry/hash.ts';
import { importRegistry } from '../../src/registry/import.ts';
import { buildServer } from '../../src/server.ts';
import { assembleServices, type AssembleOptions } from '../../src/service/assemble.ts';
import { openStore } from '../../src/store/index.ts';

export interface Person {
  name: string;
  idNumber: string;
  bankCard: string;
  phone: string;
}

export interface Realname {
  url: string;
  dir: string;
  people: Person[];
  app: Credentials;
  services: ReturnType<typeof assembleServices>;
  store: ReturnType<typeof openStore>;
  /** Freezes the injected clock at `ms` (ms since the epoch); without an argument it follows the wall clock again. */
  setNow(ms?: number): void;
  now(): number;
  createApp(spec?: Partial<NewApp>): Promise<Credentials>;
  /** A reusable signature valid for an hour from the injected clock. */
  authorization(app?: Credentials, overrides?: { expiry?: number; now?: number; rand?: number }): string;
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<{ status: number; json: Record<string, unknown> }>;
  check(kind: CheckKind, person: Partial<Person>, app?: Credentials): Promise<{ code: number; message: string; sessionId: string }>;
  close(): Promise<void>;
}

/**
 * The whole house on loopback: a real SQLite store in a temp dir, a synthetic registry, a tenant,
 * and the HTTP server listening on 127.0.0.1:0. The clock follows the wall clock (as real clients sign) until a test freezes it.
 */
export async function startRealname(options: { identities?: number; app?: Partial<NewApp>; bodyLimit?: number; batches?: AssembleOptions['batches'] } = {}): Promise<Realname> {
  const dir = mkdtempSync(join(tmpdir(), 'realname-e2e-'));
  const store = openStore({ kind: 'sqlite', file: join(dir, 'realname.db') });
  const masterKey = randomBytes(32);
  let frozen: number | undefined;
  const clock = () => frozen ?? Date.now();
  const services = assembleServices({ store, masterKey, clock, ...(options.bodyLimit ? { bodyLimit: options.bodyLimit } : {}), ...(options.batches ? { batches: options.batches } : {}) });
  const people = [...generateIdentities(options.identities ?? 20, 7)];
  const csv = ['name,idNumber,bankCard,phone', ...people.map((p) => `${p.name},${p.idNumber},${p.bankCard},${p.phone}`)].join('\n');
  await importRegistry({ input: Readable.from([csv]), format: 'csv', store: store.registry, hasher: createRegistryHasher(masterKey), now: new Date() });
  // App names are unique in a store: each app of a test gets its own.
  let apps = 0;
  // Names are unique among apps: a test's name for an app gets a number of its own.
  const createApp = (spec: Partial<NewApp> = {}) => services.tenants.create({ ...spec, name: `${spec.name ?? 'test'} ${++apps}` });
  const app = await createApp(options.app);
  const server = buildServer({ services, store });
  const url = await server.listen({ host: '127.0.0.1', port: 0 });

  const authorization: Realname['authorization'] = (who = app, o = {}) => {
    const now = o.now ?? Math.floor(clock() / 1000);
    return signAuthorization({
      appid: who.appid,
      bucket: who.bucket,
      secretId: who.secretId,
      secretKey: who.secretKey,
      expiry: o.expiry ?? now + 3600,
      now,
      rand: o.rand ?? 1,
    });
  };
  const post: Realname['post'] = async (path, body, headers = {}) => {
    const response = await fetch(url + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  };
  return {
    url,
    dir,
    people,
    app,
    services,
    store,
    setNow: (ms) => {
      frozen = ms;
    },
    now: clock,
    createApp,
    authorization,
    post,
    async check(kind, person, who = app) {
      const path = kind === 'idcard2' ? '/auth/idcard' : '/auth/idbankcard';
      const body: Record<string, unknown> = { appid: who.appid, idcard_number: person.idNumber, idcard_name: person.name };
      if (kind === 'bankcard3') body.bankcard_number = person.bankCard;
      const { status, json } = await post(path, body, { authorization: authorization(who) });
      if (status !== 200) throw new Error(`HTTP ${status}`);
      return { code: json.code as number, message: json.message as string, sessionId: (json.data as { session_id: string }).session_id };
    },
    async close() {
      await services.batches?.stop();
      await server.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
