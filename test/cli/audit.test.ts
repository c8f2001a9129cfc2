import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateIdentities } from '../../src/core/synthetic.ts';
import { signAuthorization } from '../../src/protocols/tencent-image/signature.ts';
import { exited, realname, realnameListening, type Run } from '../helpers/cli.ts';
import { createSchema, POSTGRES_URL, requireService } from '../helpers/services.ts';

/**
 * The audit, metering and metrics commands against a real `serve` on each SQL backend: a mixed run of
 * checks and refusals, then search, export, verify (and tampering), usage against the quota, /metrics
 * against what was sent, a subject's report and erasure — and no plaintext factor in any table or log.
 */

const postgresUp = await requireService('postgres');
const people = [...generateIdentities(5, 77)];
const onFile = people.slice(0, 4);
const stranger = people[4]!;
const QUOTA = 10;
/** The image dialect: 0 match, -5803 mismatch, -5807 no record, -5804 impossible ID number, 25 quota spent. */
const CODES = { match: 0, mismatch: -5803, notFound: -5807, impossible: -5804, quota: 25 };

interface Backend {
  name: string;
  env: NodeJS.ProcessEnv;
  args: string[];
  /** Every row of every table, as text. */
  dump(): Promise<string>;
  sql(text: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
  drop(): Promise<void>;
}

async function sqliteBackend(): Promise<Backend> {
  const dir = mkdtempSync(join(tmpdir(), 'realname-audit-cli-'));
  const file = join(dir, 'realname.db');
  const sql = async (text: string, params: unknown[] = []) => {
    const db = new Database(file);
    try {
      const statement = db.prepare(text.replace(/\$\d+/g, '?'));
      return statement.reader ? (statement.all(...params) as Record<string, unknown>[]) : (statement.run(...params), []);
    } finally {
      db.close();
    }
  };
  return {
    name: 'sqlite',
    env: {},
    args: ['--data', dir],
    sql,
    async dump() {
      const tables = (await sql("SELECT name FROM sqlite_master WHERE type = 'table'")).map((r) => String(r.name));
      const out: string[] = [];
      for (const t of tables) out.push(JSON.stringify(await sql(`SELECT * FROM "${t}"`), (_k, v) => (Buffer.isBuffer(v) ? v.toString('hex') : v)));
      return out.join('\n');
    },
    drop: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

async function postgresBackend(): Promise<Backend> {
  const { schema, drop } = await createSchema();
  const dir = mkdtempSync(join(tmpdir(), 'realname-audit-cli-pg-'));
  const sql = async (text: string, params: unknown[] = []) => {
    const client = new pg.Client({ connectionString: POSTGRES_URL, options: `-c search_path=${schema}` });
    await client.connect();
    try {
      return (await client.query(text, params)).rows as Record<string, unknown>[];
    } finally {
      await client.end();
    }
  };
  return {
    name: 'postgres',
    env: { REALNAME_STORE: 'postgres', REALNAME_POSTGRES_URL: `${POSTGRES_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}` },
    args: ['--data', dir],
    sql,
    async dump() {
      const tables = (await sql('SELECT table_name FROM information_schema.tables WHERE table_schema = $1', [schema])).map((r) => String(r.table_name));
      const out: string[] = [];
      for (const t of tables) out.push(JSON.stringify(await sql(`SELECT * FROM "${t}"`), (_k, v) => (v && v.type === 'Buffer' ? Buffer.from(v.data).toString('hex') : v)));
      return out.join('\n');
    },
    async drop() {
      await drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const backends: [string, () => Promise<Backend>][] = [['sqlite', sqliteBackend]];
if (postgresUp) backends.push(['postgres', postgresBackend]);

interface App {
  appid: string;
  bucket: string;
  secretId: string;
  secretKey: string;
}

function sign(app: App, secretKey = app.secretKey): string {
  const now = Math.floor(Date.now() / 1000);
  return signAuthorization({ ...app, secretKey, now, expiry: now + 3600, rand: 7 });
}

async function check(url: string, app: App, person: { idNumber: string; name: string }, authorization = sign(app)): Promise<number> {
  const reply = await fetch(`${url}/auth/idcard`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization },
    body: JSON.stringify({ appid: app.appid, idcard_number: person.idNumber, idcard_name: person.name }),
  });
  return ((await reply.json()) as { code: number }).code;
}

/** The value of a Prometheus sample, summed over the label sets matching `labels`. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    const match = new RegExp(`^${name}(?:\\{([^}]*)\\})? (\\S+)$`).exec(line);
    if (!match) continue;
    const set = Object.fromEntries([...(match[1] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => set[k] === v)) sum += Number(match[2]);
  }
  return sum;
}

describe.each(backends)('audit, usage and metrics on %s', (_name, open) => {
  let b: Backend;
  let app: App;
  let other: App;
  const outputs: string[] = [];
  const run = async (args: string[], stdin?: string): Promise<Run> => {
    const result = await realname([...args, ...b.args], { env: b.env, ...(stdin !== undefined ? { stdin } : {}) });
    outputs.push(result.stdout, result.stderr);
    return result;
  };
  let server: { child: ChildProcess; url: string; output: () => string } | undefined;
  let metricsText = '';
  const sent = { match: 0, mismatch: 0, notFound: 0, impossible: 0, signature: 0, quota: 0 };

  beforeAll(async () => {
    b = await open();
    const csv = ['name,idNumber,bankCard,phone', ...onFile.map((p) => `${p.name},${p.idNumber},${p.bankCard},${p.phone}`)].join('\n');
    const imported = await run(['registry', 'import', '-', '--format', 'csv'], csv);
    expect(imported.code, imported.stderr).toBe(0);
    app = JSON.parse((await run(['apps', 'create', '--name', 'shop', '--quota', String(QUOTA), '--json'])).stdout);
    other = JSON.parse((await run(['apps', 'create', '--name', 'bank', '--json'])).stdout);
    const metricsFlags = b.name === 'postgres' ? ['--metrics-port', '0'] : [];
    server = await realnameListening(['serve', '--port', '0', ...metricsFlags, ...b.args], { ...b.env, REALNAME_LOG_LEVEL: 'info' });

    // A mixed run: matches, a mismatch, a no-record, an impossible ID number, bad signatures, then the quota spent.
    const url = server.url;
    const send = async (kind: keyof typeof sent, expected: number | undefined, person: { idNumber: string; name: string }, authorization?: string) => {
      const code = await check(url, app, person, authorization);
      if (expected === undefined) expect(code).not.toBe(CODES.match);
      else expect(code).toBe(expected);
      sent[kind]++;
      return code;
    };
    for (const p of onFile.slice(0, 3)) await send('match', CODES.match, p);
    await send('mismatch', CODES.mismatch, { idNumber: onFile[3]!.idNumber, name: stranger.name });
    await send('notFound', CODES.notFound, stranger);
    const impossible = onFile[0]!.idNumber.slice(0, 17) + (onFile[0]!.idNumber[17] === '0' ? '1' : '0');
    await send('impossible', CODES.impossible, { idNumber: impossible, name: onFile[0]!.name });
    for (let i = 0; i < 2; i++) await send('signature', undefined, onFile[1]!, sign(app, 'x'.repeat(32)));
    while (sent.quota < 2) {
      const code = await check(url, app, onFile[0]!);
      expect([CODES.match, CODES.quota]).toContain(code);
      sent[code === CODES.quota ? 'quota' : 'match']++;
    }
    // The other app: unlimited, two matches.
    for (let i = 0; i < 2; i++) expect(await check(url, other, onFile[2]!)).toBe(CODES.match);

    const metricsUrl = b.name === 'postgres' ? /realname metrics at (\S+)/.exec(server.output())![1]! : `${url}/metrics`;
    const scraped = await fetch(metricsUrl);
    expect(scraped.status).toBe(200);
    expect(scraped.headers.get('content-type')).toMatch(/^text\/plain/);
    metricsText = await scraped.text();
    if (b.name === 'postgres') expect((await fetch(`${url}/metrics`)).status).toBe(404);
    server.child.kill('SIGTERM');
    expect(await exited(server.child)).toBe(0);
    outputs.push(server.output());
  }, 120_000);

  afterAll(async () => {
    server?.child.kill('SIGKILL');
    await b?.drop();
  });

  it('/metrics counts exactly what was sent, by verdict and refusal, with no check id or factor in a label', () => {
    const total = sent.match + sent.mismatch + sent.notFound + sent.impossible + sent.signature + sent.quota + 2;
    expect(sample(metricsText, 'realname_requests_total')).toBe(total);
    expect(sample(metricsText, 'realname_requests_total', { dialect: 'tencent-image', verdict: 'match' })).toBe(sent.match + 2);
    expect(sample(metricsText, 'realname_requests_total', { verdict: 'mismatch' })).toBe(sent.mismatch);
    expect(sample(metricsText, 'realname_requests_total', { verdict: 'not_found' })).toBe(sent.notFound);
    expect(sample(metricsText, 'realname_requests_total', { verdict: 'invalid' })).toBe(sent.impossible);
    expect(sample(metricsText, 'realname_requests_total', { refusal: 'signature_invalid' })).toBe(sent.signature);
    expect(sample(metricsText, 'realname_requests_total', { refusal: 'quota_exhausted' })).toBe(sent.quota);
    expect(sample(metricsText, 'realname_billed_total')).toBe(QUOTA + 2);
    expect(sample(metricsText, 'realname_request_duration_seconds_count', { dialect: 'tencent-image' })).toBe(total);
    expect(sample(metricsText, 'realname_store_up')).toBe(1);
    expect(sample(metricsText, 'realname_audit_batch_records_sum')).toBeGreaterThan(0);
    expect(metricsText).toMatch(new RegExp(`realname_quota_remaining\\{appid="${app.appid}"\\} \\d+`));
    expect(metricsText).not.toMatch(/[0-9a-f]{32}/);
    for (const p of people) expect(metricsText).not.toContain(p.idNumber.slice(-6));
  });

  it('usage bills exactly what left the quota: billed plus remaining is the quota', async () => {
    const result = await run(['usage', '--json']);
    expect(result.code, result.stderr).toBe(0);
    const apps = result.stdout.trim().split('\n').map((l) => JSON.parse(l));
    const shop = apps.find((a) => a.appid === app.appid);
    expect(shop).toMatchObject({ billed: QUOTA, unbilled: sent.impossible, refused: sent.signature + sent.quota, quotaRemaining: 0 });
    expect(shop.billed + shop.quotaRemaining).toBe(QUOTA);
    expect(apps.find((a) => a.appid === other.appid)).toMatchObject({ billed: 2, unbilled: 0, refused: 0, quotaRemaining: null });
    const shown = JSON.parse((await run(['apps', 'show', app.appid, '--json'])).stdout);
    expect(shown.quota).toBe(shop.quotaRemaining);
    const byKind = await run(['usage', '--app', app.appid, '--by', 'day', '--csv']);
    expect(byKind.stdout.split('\n')[0]).toBe('appid,name,row,group,billed,unbilled,refused,quotaRemaining');
    // The app's total and its one day, each row saying which it is.
    expect(byKind.stdout).toMatch(new RegExp(`^${app.appid},shop,total,,${QUOTA},.*\n${app.appid},shop,day,\\d{4}-\\d{2}-\\d{2},${QUOTA},`, 'm'));
    // Refusals were answered by no source: their group says so.
    const bySource = await run(['usage', '--app', app.appid, '--by', 'source']);
    expect(bySource.stdout).toContain(`  (none): 0 billed, 0 unbilled, ${sent.signature + sent.quota} refused`);
  });

  it('audit search finds by app, verdict, refusal, check id and a factor read from stdin', async () => {
    const all = await run(['audit', 'search', '--app', app.appid, '--json', '--limit', '1000']);
    expect(all.code, all.stderr).toBe(0);
    const records = all.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(records).toHaveLength(sent.match + sent.mismatch + sent.notFound + sent.impossible + sent.signature + sent.quota);
    const first = records.at(-1);
    expect(first).toMatchObject({ appid: app.appid, dialect: 'tencent-image', route: '/auth/idcard', kind: 'idcard2', verdict: 'match', code: '0', source: 'registry', billed: true, clientIp: '127.0.0.1' });
    expect(first.masked.idNumber).toMatch(/^\d{4}\*{10}[\dX]{4}$/);
    expect(first.masked.name).toMatch(/^.\*+$/);
    const refused = (await run(['audit', 'search', '--refusal', 'signature_invalid', '--json'])).stdout.trim().split('\n');
    expect(refused).toHaveLength(sent.signature);
    expect(JSON.parse(refused[0]!)).toMatchObject({ refusal: 'signature_invalid', verdict: null, billed: false });
    const one = await run(['audit', 'search', '--check-id', first.checkId, '--json']);
    expect(JSON.parse(one.stdout).checkId).toBe(first.checkId);
    // onFile[1]: one match, and two refused requests that still named them.
    const person = await run(['audit', 'search', '--id-number', '-', '--json'], `${onFile[1]!.idNumber}\n`);
    expect(person.stdout.trim().split('\n')).toHaveLength(1 + sent.signature);
    const byName = await run(['audit', 'search', '--name', '-', '--verdict', 'mismatch', '--json'], stranger.name);
    expect(byName.stdout.trim().split('\n').map((l) => JSON.parse(l).code)).toEqual(['-5803']);
    const usage = await run(['audit', 'search', '--id-number', '-', '--name', '-'], 'x');
    expect(usage.code).toBe(2);
    const both = await run(['audit', 'search', '--verdict', 'match', '--refusal', 'replayed']);
    expect(both.code).toBe(2);
    const noDay = await run(['audit', 'search', '--since', '2026-02-31']);
    expect(noDay.code).toBe(2);
    expect(noDay.stderr).toMatch(/2026-02-31 is not a calendar day/);
    expect((await run(['audit', 'search', '--id-number', '-'], '')).code).toBe(2);
    expect((await run(['usage', '--month', '2026-13'])).code).toBe(2);
  });

  it('audit export streams every record as JSON lines or CSV', async () => {
    const jsonl = await run(['audit', 'export', '--since', '1d']);
    expect(jsonl.code, jsonl.stderr).toBe(0);
    const lines = jsonl.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.length).toBeGreaterThanOrEqual(sent.match + 2);
    expect(lines[0].at <= lines.at(-1).at).toBe(true);
    const csv = await run(['audit', 'export', '--format', 'csv', '--app', other.appid]);
    const rows = csv.stdout.trim().split('\n');
    expect(rows[0]).toMatch(/^checkId,at,appid,dialect,route,kind,verdict,refusal,code,source,billed/);
    expect(rows).toHaveLength(3);
    expect((await run(['audit', 'export', '--format', 'xml'])).code).toBe(2);
    // A vendor's negative code is the number it is in CSV as in JSONL, not a quoted formula guard.
    const mismatches = await run(['audit', 'export', '--format', 'csv', '--app', app.appid, '--verdict', 'mismatch']);
    expect(mismatches.stdout.trim().split('\n').slice(1).every((r) => r.includes(`,${CODES.mismatch},`))).toBe(true);
  });

  it('audit search says when it cut the list short at --limit, and not when it did not', async () => {
    const cut = await run(['audit', 'search', '--app', app.appid, '--limit', '2']);
    expect(cut.code, cut.stderr).toBe(0);
    expect(cut.stdout.trim().split('\n')).toHaveLength(2);
    expect(cut.stderr).toBe('realname: the newest 2 record(s); more match (--limit N shows more, audit export all of them)\n');
    const whole = await run(['audit', 'search', '--app', other.appid, '--limit', '2']);
    expect(whole.stderr).toBe('realname: 2 record(s)\n');
  });

  it('audit verify: intact with each chain\'s head, 3 after an UPDATE of a verdict, intact again once undone', async () => {
    const intact = await run(['audit', 'verify']);
    expect(intact.code, intact.stdout + intact.stderr).toBe(0);
    // The serving process's chain, then the one events chain every command extends.
    expect(intact.stdout).toMatch(/^intact, \d+ records\n(head [0-9a-f]{16}:\d+:[0-9a-f]{64}\n)+head events:\d+:[0-9a-f]{64}\n$/);
    const heads = [...intact.stdout.matchAll(/^head (\S+)$/gm)].map((m) => m[1]!);
    const [row] = await b.sql("SELECT seq, verdict FROM audit WHERE verdict = 'mismatch'");
    await b.sql("UPDATE audit SET verdict = 'match' WHERE seq = $1", [row!.seq]);
    const broken = await run(['audit', 'verify']);
    expect(broken.code).toBe(3);
    expect(broken.stdout).toMatch(/^broken: entry \d+ of chain [0-9a-f]+ \(batch, .*\) does not verify .*a record was altered/);
    await b.sql('UPDATE audit SET verdict = $1 WHERE seq = $2', [row!.verdict, row!.seq]);
    const again = await run(['audit', 'verify', ...heads.flatMap((h) => ['--expect-head', h])]);
    expect(again.code, again.stdout).toBe(0);
    expect((await run(['audit', 'verify', '--expect-head', 'nonsense'])).code).toBe(2);
  });

  it('audit purge keeps what retention keeps and verifies after', async () => {
    const purged = await run(['audit', 'purge', '--older-than', '400d', '--yes', '--json']);
    expect(purged.code, purged.stderr).toBe(0);
    expect(JSON.parse(purged.stdout)).toMatchObject({ records: 0 });
    expect((await run(['audit', 'verify'])).code).toBe(0);
    expect((await run(['audit', 'purge', '--older-than', 'soon'])).code).toBe(2);
    expect((await run(['audit', 'purge', '--older-than', '30d', '--yes'])).code).toBe(2);
    expect((await run(['audit', 'purge', '--older-than', '30d', '--yes', '--force'])).code).toBe(0);
  });

  it('each command is itself audited: who ran it, where, with which filters (a factor as its hash)', async () => {
    const events = await b.sql("SELECT detail FROM audit_chain WHERE kind = 'access'");
    const details = events.map((e) => JSON.parse(String(e.detail)));
    const searches = details.filter((d) => d.command === 'audit search');
    expect(searches.length).toBeGreaterThanOrEqual(5);
    expect(searches[0].by).toMatchObject({ user: expect.any(String), host: expect.any(String) });
    expect(details.some((d) => d.filters?.hash?.factor === 'idNumber' && /^[0-9a-f]{32}$/.test(d.filters.hash.value))).toBe(true);
    expect(details.map((d) => d.command)).toEqual(expect.arrayContaining(['audit export', 'audit verify', 'audit purge', 'usage']));
  });

  it('subject erase, then subject report finds only anonymised records; the registry no longer knows them', async () => {
    const target = onFile[1]!;
    const before = JSON.parse((await run(['subject', 'report', '--id-number', '-', '--json'], target.idNumber)).stdout);
    expect(before.records).toHaveLength(1 + sent.signature);
    expect(before.registry.rows).toBe(1);
    expect(before.lookups.map((l: { command: string }) => l.command)).toContain('audit search');
    expect(before.foundBy).toEqual({ bankCards: 0, phones: 0 });
    // Their cards and phones, given after the ID number, also find checks that carry no ID number.
    const given = await run(['subject', 'report', '--id-number', '-'], `${target.idNumber}\n${target.bankCard}\n+86 ${target.phone}\n`);
    expect(given.code, given.stderr).toBe(0);
    expect(given.stdout).toContain(`audit: ${1 + sent.signature} record(s) (searched by the ID number, 1 bank card(s) and 1 phone(s))`);
    expect(given.stdout).toMatch(/^looked up at \S+ by \S+@\S+ \(audit search\)$/m);
    expect((await run(['subject', 'erase', '--id-number', '-'], target.idNumber)).code).toBe(2);
    const erased = await run(['subject', 'erase', '--id-number', '-', '--yes', '--json'], target.idNumber);
    expect(erased.code, erased.stderr).toBe(0);
    expect(JSON.parse(erased.stdout)).toMatchObject({ registryRows: 1, auditRecords: 1 + sent.signature });
    const after = JSON.parse((await run(['subject', 'report', '--id-number', '-', '--json'], target.idNumber)).stdout);
    expect(after.records).toEqual([]);
    expect(after.registry.rows).toBe(0);
    expect(after.erasures).toEqual([expect.objectContaining({ records: 1 + sent.signature })]);
    const anonymised = (await run(['audit', 'search', '--app', app.appid, '--json', '--limit', '1000'])).stdout.trim().split('\n').map((l) => JSON.parse(l)).filter((r) => r.anonymised);
    expect(anonymised).toHaveLength(1 + sent.signature);
    expect(anonymised[0].masked).toEqual({ idNumber: '<erased>', name: '<erased>' });
    expect((await run(['audit', 'verify'])).code).toBe(0);
    // The registry no longer matches them: a check now finds no record.
    const again = await realnameListening(['serve', '--port', '0', ...b.args], b.env);
    try {
      expect(await check(again.url, other, target)).toBe(CODES.notFound);
    } finally {
      again.child.kill('SIGTERM');
      await exited(again.child);
      outputs.push(again.output());
    }
  });

  it('a deleted app with records is still reported (usage, search); an app that never was is an error', async () => {
    const deleted = await run(['apps', 'delete', other.appid, '--force']);
    expect(deleted.code, deleted.stderr).toBe(0);
    const usage = await run(['usage', '--app', other.appid]);
    expect(usage.code, usage.stderr).toBe(0);
    // Its two matches and the check after the erasure (no record, billed).
    expect(usage.stdout).toContain(`${other.appid} (deleted): 3 billed, 0 unbilled, 0 refused; quota remaining app deleted`);
    expect(JSON.parse((await run(['usage', '--app', other.appid, '--json'])).stdout)).toMatchObject({ appid: other.appid, name: null, billed: 3, quotaRemaining: null, deleted: true });
    const records = await run(['audit', 'search', '--app', other.appid, '--json']);
    expect(records.stdout.trim().split('\n')).toHaveLength(3);
    expect(await run(['usage', '--app', '1999999999'])).toMatchObject({ code: 1, stderr: 'realname: no app 1999999999 (realname apps list shows the apps)\n' });
  });

  it('no table and no log holds a plaintext factor the run sent', async () => {
    const everything = [await b.dump(), ...outputs].join('\n');
    expect(everything).toContain(app.appid);
    for (const p of people) {
      for (const value of [p.idNumber, p.name, p.bankCard, p.phone]) expect(everything.includes(value), `${value.length}-character factor found`).toBe(false);
    }
  });
});
