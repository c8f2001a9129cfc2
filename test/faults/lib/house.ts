import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { generateIdentities } from '../../../src/core/synthetic.ts';
import { BIN, realname, type Run } from '../../helpers/cli.ts';
import { createSchema, POSTGRES_URL } from '../../helpers/services.ts';
import type { Person, Tenant } from '../dialects/types.ts';
import { DEADLINES } from './mode.ts';

export type Backend = 'sqlite' | 'postgres';

/** A running `realname serve`: its port, how to stop or kill it, how it ended. */
export interface Served {
  port: number;
  child: ChildProcess;
  /** Resolves with the exit code (null when killed by a signal) and the signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Its stderr and stdout, as far as written. */
  log: string;
}

export interface AuditRow {
  checkId: string;
  code: string;
  billed: boolean;
  masked: string;
}

/**
 * A Realname installation the suite owns: a data dir, a backend (SQLite in the dir, or a fresh
 * PostgreSQL schema), a synthetic registry and one app — made and run with the real CLI, as an
 * operator would. Every file it writes, and every log and dump, lands in `dir` or `artifacts`, so the
 * plaintext grep can read them all.
 */
export class House {
  readonly served: Served[] = [];
  private readonly asked = new Set<Served>();
  private logs = 0;

  private constructor(
    readonly backend: Backend,
    readonly dir: string,
    readonly artifacts: string,
    readonly env: NodeJS.ProcessEnv,
    readonly people: Person[],
    readonly tenant: Tenant,
    /** A second app, of another customer: nothing the first does may touch it. */
    readonly other: Tenant,
    readonly quota: number,
    private readonly schema: string | undefined,
    private readonly drop: () => Promise<void>,
  ) {}

  static async create(backend: Backend, options: { identities: number; quota: number; seed: number }): Promise<House> {
    const dir = mkdtempSync(join(tmpdir(), `realname-faults-${backend}-`));
    const artifacts = mkdtempSync(join(tmpdir(), `realname-faults-${backend}-logs-`));
    let schema: string | undefined;
    let drop: () => Promise<void> = async () => undefined;
    const env: NodeJS.ProcessEnv = { REALNAME_LOG_LEVEL: 'info' };
    if (backend === 'postgres') {
      ({ schema, drop } = await createSchema());
      const url = new URL(POSTGRES_URL);
      url.searchParams.set('options', `-c search_path=${schema}`);
      Object.assign(env, { REALNAME_STORE: 'postgres', REALNAME_POSTGRES_URL: url.toString() });
    }
    const people = [...generateIdentities(options.identities, options.seed)];
    // The registry's source file is the operator's, outside the data dir, and gone once imported.
    const source = mkdtempSync(join(tmpdir(), 'realname-faults-people-'));
    const csv = join(source, 'people.csv');
    writeFileSync(csv, ['name,idNumber,bankCard,phone', ...people.map((p) => `${p.name},${p.idNumber},${p.bankCard},${p.phone}`)].join('\n'));
    try {
      const cli = (args: string[]) => check(realname([...args, '--data', dir], { env }));
      await cli(['registry', 'import', csv]);
      const create = async (name: string) => JSON.parse((await cli(['apps', 'create', '--name', name, '--quota', String(options.quota), '--json'])).stdout) as Tenant;
      const [tenant, other] = await Promise.all([create('faults'), create('neighbour')]);
      return new House(backend, dir, artifacts, env, people, tenant!, other!, options.quota, schema, drop);
    } finally {
      rmSync(source, { recursive: true, force: true });
    }
  }

  /** `realname serve` on a free port with the suite's deadlines; resolves once it listens. */
  serve(flags: string[] = []): Promise<Served> {
    const logFile = join(this.artifacts, `serve-${++this.logs}.log`);
    const log = createWriteStream(logFile);
    const args = [BIN, 'serve', '--port', '0', '--data', this.dir, '--headers-timeout', String(DEADLINES.headers), '--request-timeout', String(DEADLINES.request), '--keep-alive-timeout', String(DEADLINES.keepAlive), ...flags];
    const child = spawn(process.execPath, args, { env: { ...process.env, ...this.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const served: Served = {
      port: 0,
      child,
      exited: new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal }))),
      log: '',
    };
    const onData = (d: Buffer) => {
      served.log += d;
      log.write(d);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void served.exited.then(() => log.end());
    this.served.push(served);
    return new Promise((resolve, reject) => {
      const listening = setInterval(() => {
        const match = /listening on https?:\/\/[^:\s]+:(\d+)/.exec(served.log);
        if (match) {
          clearInterval(listening);
          served.port = Number(match[1]);
          resolve(served);
        }
      }, 20);
      void served.exited.then(({ code, signal }) => {
        clearInterval(listening);
        reject(new Error(`serve exited (${code ?? signal}) before listening: ${served.log}`));
      });
    });
  }

  /** SIGTERM, and the exit that follows. */
  async stop(served: Served): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    this.expectExit(served);
    if (served.child.exitCode === null && served.child.signalCode === null) served.child.kill('SIGTERM');
    return served.exited;
  }

  /** The suite is about to stop or kill this process: its exit is no crash. */
  expectExit(served: Served): void {
    this.asked.add(served);
  }

  /** Processes that have exited without being told to. */
  unexpectedExits(): number {
    return this.served.filter((s) => !this.asked.has(s) && (s.child.exitCode !== null || s.child.signalCode !== null)).length;
  }

  /** Every audit row, in the order written. */
  async auditRows(): Promise<AuditRow[]> {
    const rows = await this.query<{ check_id: string; code: string; billed: boolean | number; masked: unknown }>('SELECT check_id, code, billed, masked FROM audit ORDER BY seq');
    return rows.map((r) => ({ checkId: r.check_id, code: r.code, billed: r.billed === true || r.billed === 1, masked: typeof r.masked === 'string' ? r.masked : JSON.stringify(r.masked) }));
  }

  /** An app's quota left, as the store has it (the suite's main app unless told). */
  async quotaLeft(appid = this.tenant.appid): Promise<number> {
    // What is not yet billed: the unleased balance and every node's unspent units (a killed node's too, until reclaimed).
    const [row] = await this.query<{ quota: number | string }>(
      'SELECT quota + coalesce((SELECT sum(units) FROM quota_leases l WHERE l.appid = apps.appid), 0) AS quota FROM apps WHERE appid = ?',
      [appid],
    );
    return Number(row!.quota);
  }

  /** Every table of the store as JSON lines, into the artifacts (the "dump" the plaintext grep reads). */
  async dump(): Promise<string> {
    const tables = this.backend === 'sqlite'
      ? (await this.query<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'")).map((r) => r.name)
      : (await this.query<{ name: string }>('SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema()')).map((r) => r.name);
    const file = join(this.artifacts, `dump-${Date.now()}.jsonl`);
    const lines: string[] = [];
    for (const table of tables) {
      for (const row of await this.query<Record<string, unknown>>(`SELECT * FROM "${table}"`)) {
        lines.push(JSON.stringify({ table, row }, (_k, v: unknown) => (Buffer.isBuffer(v) ? v.toString('hex') : typeof v === 'bigint' ? String(v) : v)));
      }
    }
    writeFileSync(file, lines.join('\n'));
    return file;
  }

  /** Every file under the data dir and the artifacts (logs, dumps). */
  files(): string[] {
    const walk = (dir: string): string[] =>
      readdirSync(dir).flatMap((name) => {
        const path = join(dir, name);
        return statSync(path).isDirectory() ? walk(path) : [path];
      });
    return [...walk(this.dir), ...walk(this.artifacts)];
  }

  async close(): Promise<void> {
    for (const served of this.served) if (served.child.exitCode === null && served.child.signalCode === null) served.child.kill('SIGKILL');
    await Promise.all(this.served.map((s) => s.exited));
    await this.drop();
    rmSync(this.dir, { recursive: true, force: true });
    rmSync(this.artifacts, { recursive: true, force: true });
  }

  private async query<R>(sql: string, params: unknown[] = []): Promise<R[]> {
    if (this.backend === 'sqlite') {
      const db = new Database(join(this.dir, 'realname.db'), { readonly: true });
      try {
        return db.prepare(sql).all(...params) as R[];
      } finally {
        db.close();
      }
    }
    const client = new pg.Client({ connectionString: POSTGRES_URL, options: `-c search_path=${this.schema}` });
    await client.connect();
    try {
      let n = 0;
      return (await client.query(sql.replace(/\?/g, () => `$${++n}`), params)).rows as R[];
    } finally {
      await client.end();
    }
  }
}

async function check(run: Promise<Run>): Promise<Run> {
  const done = await run;
  if (done.code !== 0) throw new Error(`realname exited ${done.code}: ${done.stderr}`);
  return done;
}
