import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { generateIdentities } from '../../src/core/synthetic.ts';
import { signAuthorization } from '../../src/protocols/tencent-image/signature.ts';
import { exited, realname, realnameListening } from '../helpers/cli.ts';
import { createRedisPrefix, createSchema, POSTGRES_URL, REDIS_URL, requireService } from '../helpers/services.ts';

/**
 * Quota and QPS by lease, across real `serve` processes sharing one store: the promises README makes,
 * held with many parallel clients, and with a node killed mid-run.
 */

const postgresUp = (await requireService('postgres')) && (await requireService('redis'));
const [person] = generateIdentities(1, 5);
/** The image dialect's billed answers for an empty registry: no record (-5807). */
const BILLED = new Set([0, -5803, -5807]);
const QUOTA_CODE = 25;
const RATE_CODE = 15;
const LEASE_TTL_MS = 3000;

interface Backend {
  name: string;
  env: NodeJS.ProcessEnv;
  extraArgs: string[];
  /** Audit rows of the app: every answer a node committed. */
  audit(appid: string): Promise<{ at: number; code: string; billed: boolean }[]>;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function sqliteBackend(): Promise<Backend> {
  const dir = mkdtempSync(join(tmpdir(), 'realname-cluster-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return {
    name: 'sqlite',
    env: {},
    extraArgs: ['--data', dir],
    async audit(appid) {
      const db = new Database(join(dir, 'realname.db'), { readonly: true });
      try {
        return (db.prepare('SELECT at, code, billed FROM audit WHERE appid = ? ORDER BY at').all(appid) as { at: number; code: string; billed: number }[]).map(
          (r) => ({ ...r, billed: r.billed === 1 }),
        );
      } finally {
        db.close();
      }
    },
  };
}

async function postgresBackend(): Promise<Backend> {
  const { schema, drop } = await createSchema();
  const { prefix, drop: dropKeys } = createRedisPrefix();
  const dir = mkdtempSync(join(tmpdir(), 'realname-cluster-pg-'));
  cleanups.push(drop, dropKeys, () => rmSync(dir, { recursive: true, force: true }));
  return {
    name: 'postgres+redis',
    env: {
      REALNAME_STORE: 'postgres',
      REALNAME_POSTGRES_URL: `${POSTGRES_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}`,
      REALNAME_REDIS_URL: REDIS_URL,
      REALNAME_REDIS_PREFIX: prefix,
    },
    extraArgs: ['--data', dir],
    async audit(appid) {
      const client = new pg.Client({ connectionString: POSTGRES_URL, options: `-c search_path=${schema}` });
      await client.connect();
      try {
        return (await client.query('SELECT at, code, billed FROM audit WHERE appid = $1 ORDER BY at', [appid])).rows;
      } finally {
        await client.end();
      }
    },
  };
}

const backends: [string, () => Promise<Backend>][] = [['sqlite', sqliteBackend]];
if (postgresUp) backends.push(['postgres+redis', postgresBackend]);

async function createApp(b: Backend, flags: string[]): Promise<{ appid: string; bucket: string; secretId: string; secretKey: string }> {
  const created = await realname(['apps', 'create', '--name', 'cluster', ...flags, '--json', ...b.extraArgs], { env: b.env });
  expect(created.code, created.stderr).toBe(0);
  return JSON.parse(created.stdout);
}

async function startNodes(b: Backend, n: number): Promise<{ child: ChildProcess; url: string }[]> {
  const env = { ...b.env, REALNAME_QUOTA_LEASE_TTL_MS: String(LEASE_TTL_MS), REALNAME_LOG_LEVEL: 'warn' };
  const nodes = await Promise.all(Array.from({ length: n }, () => realnameListening(['serve', '--port', '0', ...b.extraArgs], env)));
  for (const node of nodes) cleanups.push(() => void node.child.kill('SIGKILL'));
  return nodes;
}

async function stop(child: ChildProcess): Promise<number | null> {
  child.kill('SIGTERM');
  return exited(child);
}

function checker(app: { appid: string; bucket: string; secretId: string; secretKey: string }) {
  const now = Math.floor(Date.now() / 1000);
  const authorization = signAuthorization({ ...app, now, expiry: now + 3600, rand: 9 });
  const body = JSON.stringify({ appid: app.appid, idcard_number: person!.idNumber, idcard_name: person!.name });
  return async (url: string): Promise<number | undefined> => {
    try {
      const reply = await fetch(`${url}/auth/idcard`, { method: 'POST', headers: { 'content-type': 'application/json', authorization }, body });
      return ((await reply.json()) as { code: number }).code;
    } catch {
      return undefined; // the node is gone
    }
  };
}

async function quotaLeft(b: Backend, appid: string): Promise<number> {
  const shown = await realname(['apps', 'show', appid, '--json', ...b.extraArgs], { env: b.env });
  return (JSON.parse(shown.stdout) as { quota: number }).quota;
}

describe.each(backends)('two nodes on %s', (_name, open) => {
  it('bill exactly the quota to 200 parallel clients, and hand back nothing once it is spent', async () => {
    const b = await open();
    const app = await createApp(b, ['--quota', '500']);
    const nodes = await startNodes(b, 2);
    const check = checker(app);
    const codes: number[] = [];
    // Each client goes on until both nodes answered it the quota code twice in a row.
    await Promise.all(
      Array.from({ length: 200 }, async (_, client) => {
        let refusedInARow = 0;
        for (let k = 0; refusedInARow < 4 && k < 40; k++) {
          const code = (await check(nodes[(client + k) % 2]!.url))!;
          codes.push(code);
          refusedInARow = code === QUOTA_CODE ? refusedInARow + 1 : 0;
        }
      }),
    );
    expect(codes.filter((c) => BILLED.has(c))).toHaveLength(500);
    expect(codes.filter((c) => !BILLED.has(c) && c !== QUOTA_CODE)).toEqual([]);
    for (const node of nodes) expect(await stop(node.child)).toBe(0);
    expect((await b.audit(app.appid)).filter((r) => r.billed)).toHaveLength(500);
    expect(await quotaLeft(b, app.appid)).toBe(0);
  });

  it("give a killed node's unspent units back once its lease lapses, billing none twice", async () => {
    const b = await open();
    const app = await createApp(b, ['--quota', '500']);
    const [a, survivor] = await startNodes(b, 2);
    const check = checker(app);
    let answered = 0;
    // Both nodes serve until about 150 answers, then one is killed without warning.
    await Promise.all(
      Array.from({ length: 40 }, async (_, client) => {
        for (let k = 0; answered < 150; k++) if (BILLED.has((await check([a, survivor][(client + k) % 2]!.url)) ?? NaN)) answered++;
      }),
    );
    a!.child.kill('SIGKILL');
    await exited(a!.child);
    await new Promise((resolve) => setTimeout(resolve, LEASE_TTL_MS + 300));
    // The survivor spends the rest, the dead node's unspent units included.
    let refusedInARow = 0;
    while (refusedInARow < 3) refusedInARow = (await check(survivor!.url)) === QUOTA_CODE ? refusedInARow + 1 : 0;
    expect(await stop(survivor!.child)).toBe(0);
    const billed = (await b.audit(app.appid)).filter((r) => r.billed);
    expect(billed).toHaveLength(500);
    expect(await quotaLeft(b, app.appid)).toBe(0);
  });

  it('admit at most the QPS limit in any 1000 ms across both nodes', async () => {
    const b = await open();
    const app = await createApp(b, ['--qps', '50']);
    const nodes = await startNodes(b, 2);
    const check = checker(app);
    const until = Date.now() + 3000;
    await Promise.all(
      Array.from({ length: 40 }, async (_, client) => {
        while (Date.now() < until) await check(nodes[client % 2]!.url);
      }),
    );
    for (const node of nodes) expect(await stop(node.child)).toBe(0);
    const admitted = (await b.audit(app.appid)).filter((r) => r.code !== String(RATE_CODE)).map((r) => r.at);
    let worst = 0;
    for (let i = 0, j = 0; i < admitted.length; i++) {
      while (admitted[j]! <= admitted[i]! - 1000) j++;
      worst = Math.max(worst, i - j + 1);
    }
    expect(worst).toBeLessThanOrEqual(50);
    // Under-admission: shares move between nodes a poll and a second late (README states the figure).
    expect(admitted.length).toBeGreaterThan(50);
    process.stderr.write(`cluster (${b.name}): ${admitted.length} admitted of ${3 * 50} possible in 3 s, worst window ${worst}\n`);
  });
});
