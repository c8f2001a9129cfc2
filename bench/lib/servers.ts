/** The servers the bench measures, started as bench children, and the requests both receive. */
import { signAuthorization } from '../../src/protocols/tencent-image/signature.ts';
import { keyFile, servingDir, type Person } from './dataset.ts';
import { sequential, type WireRequest } from './load.ts';
import { startChild, type Child } from './proc.ts';

export const CONNECTIONS = 10;
/** The load generator and the servers get a core each: neither starves the other. */
export const LOAD_CPU = 0;
export const SERVER_CPU = 1;
/** A production-like tenant: a QPS limit above what one node answers, and a quota; both counted per check. */
export const TENANT = { qps: 100_000, quota: 1_000_000_000_000 };

export interface Credentials {
  appid: string;
  secretId: string;
  secretKey: string;
}

/** Realname as `serve` runs it, on the cached registry of `rows` rows, with the bench tenant created. */
export async function startRealname(rows: number, nodeArgs: string[] = []): Promise<{ child: Child; url: string; credentials: Credentials; apiKey: string }> {
  const serving = servingDir(rows);
  if (!serving.ready) throw new Error(`no cached registry of ${rows} rows`);
  const child = startChild('realname.js', { data: serving.dir, keyFile: keyFile(), ...TENANT }, { cpu: SERVER_CPU, nodeArgs });
  const ready = await child.next<{ address: string; credentials: Credentials; apiKey: string; rows: number }>();
  if (ready.rows !== rows) throw new Error(`registry at ${serving.dir} holds ${ready.rows} rows, expected ${rows}`);
  return { child, url: ready.address, credentials: ready.credentials, apiKey: ready.apiKey };
}

/** The bare Fastify baseline, answering each route with `answers[route]` (same size as Realname's answer). */
export async function startBaseline(answers: Record<string, { code: number; message: string }>, nodeArgs: string[] = []): Promise<{ child: Child; url: string }> {
  const child = startChild('baseline.ts', { routes: answers }, { cpu: SERVER_CPU, nodeArgs });
  return { child, url: (await child.next<{ address: string }>()).address };
}

/** Byte-identical requests for both servers: bodies and a multi-use signature made before any timed run. */
export function wireRequests(path: string, people: Person[], who: Credentials): WireRequest[] {
  const now = Math.floor(Date.now() / 1000);
  const authorization = signAuthorization({ appid: who.appid, secretId: who.secretId, secretKey: who.secretKey, expiry: now + 86_400, now, rand: 7 });
  return people.map((p) => {
    const body: Record<string, string> = { appid: who.appid, idcard_number: p.idNumber, idcard_name: p.name };
    if (path === '/auth/idbankcard') body.bankcard_number = p.bankCard;
    return { method: 'POST', path, headers: { 'content-type': 'application/json', authorization }, body: JSON.stringify(body) };
  });
}

/** Sends every request once; all must be answered HTTP 200 with code 0 (a registry match). */
export async function precheck(url: string, requests: WireRequest[]): Promise<{ code: number; message: string; bytes: number }> {
  const client = sequential(url);
  try {
    let first: { code: number; message: string; bytes: number } | undefined;
    for (const r of requests) {
      const { body } = await client.next(r);
      const answer = JSON.parse(body) as { code: number; message: string };
      if (answer.code !== 0) throw new Error(`${r.path} answered ${body} for a registry identity`);
      first ??= { code: answer.code, message: answer.message, bytes: Buffer.byteLength(body) };
    }
    return first!;
  } finally {
    client.close();
  }
}
