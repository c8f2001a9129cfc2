import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Credentials } from '../../src/access/tenants.ts';
import type { CheckKind } from '../../src/core/factors.ts';
import { StoreKeys } from '../../src/keys/ring.ts';
import { createLogger } from '../../src/log.ts';
import { signAuthorization } from '../../src/protocols/tencent-image/signature.ts';
import { buildServer } from '../../src/server.ts';
import { assembleServices, type AssembleOptions } from '../../src/service/assemble.ts';
import { SourceAdmin } from '../../src/sources/upstream/admin.ts';
import { openStore } from '../../src/store/index.ts';

export interface Gateway {
  url: string;
  dir: string;
  admin: SourceAdmin;
  services: ReturnType<typeof assembleServices>;
  store: ReturnType<typeof openStore>;
  app: Credentials;
  /** Every log line the gateway wrote (debug and up). */
  logs: string[];
  /** A check through the gateway's image dialect. */
  check(kind: CheckKind, person: { name: string; idNumber: string; bankCard?: string }, app?: Credentials): Promise<{ code: number; sessionId: string }>;
  /** The audit record of a check. */
  audit(sessionId: string): Promise<Record<string, unknown> | undefined>;
  /** The bytes of its database files. */
  files(): Buffer[];
  close(): Promise<void>;
}

/** One check through a Realname's image dialect, signed as the vendor's clients sign. */
export async function imageCheck(
  url: string,
  who: Pick<Credentials, 'appid' | 'bucket' | 'secretId' | 'secretKey'>,
  kind: CheckKind,
  person: { name: string; idNumber: string; bankCard?: string },
): Promise<{ code: number; sessionId: string }> {
  const now = Math.floor(Date.now() / 1000);
  const authorization = signAuthorization({ appid: who.appid, bucket: who.bucket, secretId: who.secretId, secretKey: who.secretKey, expiry: now + 600, now, rand: 5 });
  const body: Record<string, string> = { appid: who.appid, idcard_number: person.idNumber, idcard_name: person.name };
  if (kind === 'bankcard3') body.bankcard_number = person.bankCard ?? '';
  const response = await fetch(`${url}${kind === 'idcard2' ? '/auth/idcard' : '/auth/idbankcard'}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization },
    body: JSON.stringify(body),
  });
  const json = (await response.json()) as { code: number; data: { session_id: string } };
  return { code: json.code, sessionId: json.data.session_id };
}

/**
 * Realname as a gateway: its own (empty) registry in a temp SQLite store, sources configured through the
 * admin as `realname sources` does, listening on loopback, logging every line into `logs`.
 */
export async function startGateway(options: Pick<AssembleOptions, 'cache' | 'sourcesTtlMs'> = {}): Promise<Gateway> {
  const dir = mkdtempSync(join(tmpdir(), 'realname-gateway-'));
  const logs: string[] = [];
  const logger = createLogger({ level: 'debug', destination: { write: (line: string) => void logs.push(line) } as never });
  const store = openStore({ kind: 'sqlite', file: join(dir, 'realname.db'), logger });
  const masterKey = randomBytes(32);
  const services = assembleServices({ store, masterKey, logger, sourceTimeoutMs: 3000, ...options });
  const admin = new SourceAdmin(store.sources, StoreKeys.single(masterKey).sealer);
  const app = await services.tenants.create({ name: 'client', quota: 1_000_000 });
  const server = buildServer({ services, store, logger });
  const url = await server.listen({ host: '127.0.0.1', port: 0 });
  return {
    url,
    dir,
    admin,
    services,
    store,
    app,
    logs,
    check: (kind, person, who = app) => imageCheck(url, who, kind, person),
    async audit(sessionId) {
      await store.audit.flush();
      return (await store.audit.query({ limit: 10_000 })).find((r) => r.checkId === sessionId) as Record<string, unknown> | undefined;
    },
    files: () =>
      ['realname.db', 'realname.db-wal'].map((f) => {
        try {
          return readFileSync(join(dir, f));
        } catch {
          return Buffer.alloc(0);
        }
      }),
    async close() {
      await server.close();
      await services.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
