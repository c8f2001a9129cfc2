import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { signAuthorization } from '../../src/protocols/tencent-image/signature.ts';
import { exited, realname, realnameListening } from '../helpers/cli.ts';
import { eventually } from '../helpers/clients.ts';

const data = () => mkdtempSync(join(tmpdir(), 'realname-serve-'));

describe('realname serve', () => {
  it('answers /healthz and /readyz, never creates tenants, and drains then exits 0 on SIGTERM', async () => {
    const dir = data();
    const { child, url } = await realnameListening(['serve', '--port', '0', '--init', '--data', dir]);
    try {
      expect(await (await fetch(`${url}/healthz`)).json()).toEqual({ status: 'ok' });
      expect(await (await fetch(`${url}/readyz`)).json()).toEqual({ status: 'ready', store: 'sqlite' });
      expect(JSON.parse((await realname(['apps', 'list', '--json', '--data', dir])).stdout)).toEqual([]);
      // an unsigned request still gets the dialect's code, and an audit record
      const answer = await fetch(`${url}/auth/idcard`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ appid: '1250000000', idcard_number: '11010519491231002X', idcard_name: '张三' }) });
      expect(answer.status).toBe(200);
      expect(((await answer.json()) as { code: number }).code).toBe(4);
      // a path, or a method, no dialect answers: a plain 404 of our own, the URL not echoed
      const notFound = { error: 'not found', message: 'no such route: this server answers the routes of its dialects, GET /healthz and GET /readyz only' };
      for (const [method, path] of [['GET', '/nope?idcard_number=11010519491231002X'], ['GET', '/auth/idcard'], ['DELETE', '/healthz']] as const) {
        const refused = await fetch(`${url}${path}`, { method });
        expect([method, path, refused.status, await refused.json()]).toEqual([method, path, 404, notFound]);
      }
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited(child)).toBe(0);
    // the audit log was flushed before exit
    const db = new Database(join(dir, 'realname.db'), { readonly: true });
    try {
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE '%audit%'").all() as { name: string }[];
      expect(tables.length).toBeGreaterThan(0);
      const count = db.prepare(`SELECT count(*) AS n FROM ${tables[0]!.name}`).get() as { n: number };
      expect(count.n).toBe(1);
    } finally {
      db.close();
    }
  });

  it('serves https with a certificate and key, and a real signed check gets its code', async () => {
    const dir = data();
    const key = join(dir, 'key.pem');
    const cert = join(dir, 'cert.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    const app = JSON.parse((await realname(['apps', 'create', '--name', 'tls', '--json', '--data', dir])).stdout);
    const { child, url } = await realnameListening(['serve', '--port', '0', '--data', dir, '--tls-cert', cert, '--tls-key', key]);
    try {
      expect(url.startsWith('https://')).toBe(true);
      const now = Math.floor(Date.now() / 1000);
      const authorization = signAuthorization({ appid: app.appid, secretId: app.secretId, secretKey: app.secretKey, expiry: now + 60, now, rand: 5 });
      const body = JSON.stringify({ appid: app.appid, idcard_number: '11010519491231002X', idcard_name: '张三' });
      const answer = await new Promise<{ status: number; json: { code: number } }>((resolve, reject) => {
        const req = request(`${url}/auth/idcard`, { method: 'POST', ca: execFileSync('cat', [cert]), headers: { 'content-type': 'application/json', authorization } }, (res) => {
          let text = '';
          res.on('data', (d) => (text += d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) }));
        });
        req.on('error', reject);
        req.end(body);
      });
      expect(answer.status).toBe(200);
      // a valid identity that is not on file: the whole path ran over TLS
      expect(answer.json.code).toBe(-5807);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited(child)).toBe(0);
  });

  it('finishes a request that is in flight when SIGTERM arrives, then exits 0', async () => {
    const dir = data();
    const { child, url } = await realnameListening(['serve', '--port', '0', '--init', '--data', dir]);
    const body = JSON.stringify({ appid: '1250000000', idcard_number: '11010519491231002X', idcard_name: '张三' });
    const answer = new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = httpRequest(`${url}/auth/idcard`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      });
      req.on('error', reject);
      // half the body now, SIGTERM, the rest later: the request is in flight while the server drains
      req.write(body.slice(0, 10));
      setTimeout(() => {
        child.kill('SIGTERM');
        setTimeout(() => req.end(body.slice(10)), 300);
      }, 200);
    });
    const { status, text } = await answer;
    expect(status).toBe(200);
    expect(JSON.parse(text).code).toBe(4);
    expect(await exited(child)).toBe(0);
  });

  it('refuses half a TLS pair with a clear message', async () => {
    const run = await realname(['serve', '--port', '0', '--data', data(), '--tls-cert', 'x.pem']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('both a certificate and a key');
  });

  it('logs JSON lines or pretty ones as --log-format says, at --log-level', async () => {
    const dir = data();
    expect((await realname(['apps', 'create', '--name', 'a', '--data', dir])).code).toBe(0);
    for (const [format, line] of [
      ['json', /^\{"level":30,.*"msg":"Server listening at http:\/\/127\.0\.0\.1:\d+"\}$/m],
      ['pretty', /^\[[\d-]+ [\d:.]+ [+-]\d{4}\] INFO: Server listening at http:\/\/127\.0\.0\.1:\d+/m],
    ] as const) {
      const { child, output } = await realnameListening(['serve', '--port', '0', '--log-format', format, '--data', dir]);
      // pretty colours its words on a terminal (ANSI escapes): the text between them is what is read
      const text = () => output().replace(new RegExp(`${String.fromCharCode(27)}\\[\\d+m`, 'g'), '');
      try {
        await eventually(async () => line.test(text()));
      } finally {
        child.kill('SIGTERM');
      }
      expect(await exited(child)).toBe(0);
    }
    const quiet = await realnameListening(['serve', '--port', '0', '--log-format', 'json', '--log-level', 'warn', '--data', dir]);
    quiet.child.kill('SIGTERM');
    expect(await exited(quiet.child)).toBe(0);
    expect(quiet.output()).not.toContain('Server listening at');
  });

  it('refuses to create a store without --init, and says so when it does', async () => {
    const dir = join(data(), 'fresh');
    const refused = await realname(['serve', '--port', '0', '--data', dir]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`no store at ${dir}`);
    const { child, output } = await realnameListening(['serve', '--port', '0', '--init', '--data', dir]);
    child.kill('SIGTERM');
    expect(await exited(child)).toBe(0);
    expect(output()).toContain(`realname: created a new store at ${dir} with a new master key (${join(dir, 'master.key')})`);
  });
});
