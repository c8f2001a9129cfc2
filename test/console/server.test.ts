import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { loadConfig } from '../../src/config.ts';
import { buildConsole, consoleContext, Operators } from '../../src/console/index.ts';
import { openRuntime, type Runtime } from '../../src/runtime.ts';
import { createSchema, POSTGRES_URL, requireService } from '../helpers/services.ts';

/*
 * The console's HTTP rules through inject (no network; real SQLite and PostgreSQL stores): sign-in and its limits,
 * the session cookie, CSRF and Origin on every change, roles, and a clear 4xx for every bad input.
 */

const PASSWORD = 'a long enough password';
const json = (r: LightMyRequestResponse) => r.json() as Record<string, unknown>;
const postgres = await requireService('postgres');

for (const backend of ['sqlite', 'postgres'] as const) {
  describe.skipIf(backend === 'postgres' && !postgres)(`the console API on ${backend}`, () => {
    let now = Date.parse('2026-12-01T08:00:00Z');
    let runtime: Runtime;
    let app: FastifyInstance;

    let dropSchema: (() => Promise<void>) | undefined;

    beforeAll(async () => {
      const dir = mkdtempSync(join(tmpdir(), 'realname-console-api-'));
      let flags: Parameters<typeof loadConfig>[0] = { data: dir, logLevel: 'silent' };
      if (backend === 'postgres') {
        const { schema, drop } = await createSchema();
        dropSchema = drop;
        flags = { ...flags, store: 'postgres', postgresUrl: `${POSTGRES_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}` };
      }
      runtime = await openRuntime(loadConfig(flags, {}), { store: 'create' });
      const operators = new Operators(runtime.store.operators);
      await operators.add('admin', 'admin', PASSWORD);
      await operators.add('viewer', 'viewer', PASSWORD);
      await operators.add('leaver', 'admin', PASSWORD);
      app = buildConsole(consoleContext(runtime, () => now), { webDir: join(dir, 'no-build') });
    });

    afterAll(async () => {
      await app?.close();
      await runtime?.close();
      await dropSchema?.();
    });

    async function signIn(name: string, password = PASSWORD, ip = '127.0.0.1') {
      const r = await app.inject({ method: 'POST', url: '/api/session', payload: { name, password }, remoteAddress: ip });
      const cookie = String(r.headers['set-cookie'] ?? '');
      return { r, cookie: cookie.split(';')[0]!, setCookie: cookie, csrf: r.statusCode === 200 ? (json(r).csrf as string) : '' };
    }

      it('signs in with a cookie that is HttpOnly, Secure, SameSite=Strict, and never says which of name or password was wrong', async () => {
        const { r, setCookie } = await signIn('admin');
        expect(r.statusCode).toBe(200);
        expect(json(r).operator).toEqual({ name: 'admin', role: 'admin' });
        expect(setCookie).toMatch(/^realname_console=[\w-]{43}; Path=\/; HttpOnly; Secure; SameSite=Strict; Max-Age=\d+$/);
        const wrong = await signIn('admin', 'not the password at all');
        const unknown = await signIn('11010519491231002x', PASSWORD);
        expect([wrong.r.statusCode, unknown.r.statusCode]).toEqual([401, 401]);
        expect(json(wrong.r)).toEqual(json(unknown.r));
        expect(wrong.setCookie).toBe('');
      // The attempts are logged; a name nobody has is not (it may be a factor typed in the wrong field).
      const attempts = await runtime.store.operators.actions({ action: 'session.sign_in', limit: 10 });
      expect(attempts.filter((a) => !a.ok).map((a) => a.operator)).toEqual(['(unknown name)', 'admin']);
      expect(JSON.stringify(attempts)).not.toContain('11010519491231002');
      });

      it('stores the password as an scrypt hash, never as given', async () => {
        const stored = await runtime.store.operators.get('admin');
        expect(stored!.passwordHash).toMatch(/^scrypt\$32768\$8\$1\$[\w-]+\$[\w-]+$/);
        expect(stored!.passwordHash).not.toContain(PASSWORD);
      });

      it('makes a name wait after five failed sign-ins in 15 minutes, even with the right password then', async () => {
        for (let i = 0; i < 5; i++) expect((await signIn('viewer', `wrong password ${i}!`, '10.0.0.9')).r.statusCode).toBe(401);
        const blocked = await signIn('viewer', PASSWORD, '10.0.0.10');
        expect(blocked.r.statusCode).toBe(429);
        expect(json(blocked.r).error).toBe('too_many_attempts');
        expect(Number(blocked.r.headers['retry-after'])).toBeGreaterThan(0);
        now += 15 * 60_000 + 1;
        expect((await signIn('viewer', PASSWORD, '10.0.0.10')).r.statusCode).toBe(200);
      });

      it('refuses every API request without a session, and every change without its CSRF token or from another origin', async () => {
        const { cookie, csrf } = await signIn('admin');
        expect((await app.inject({ method: 'GET', url: '/api/apps' })).statusCode).toBe(401);
        expect((await app.inject({ method: 'GET', url: '/api/apps', headers: { cookie: 'realname_console=forged' } })).statusCode).toBe(401);
        const create = (headers: Record<string, string>) => app.inject({ method: 'POST', url: '/api/apps', payload: { name: 'csrf-test' }, headers: { cookie, ...headers } });
        const noToken = await create({});
        expect([noToken.statusCode, json(noToken).error]).toEqual([403, 'csrf']);
        expect(json(await create({ 'x-csrf-token': 'x'.repeat(43) })).error).toBe('csrf');
        const elsewhere = await create({ 'x-csrf-token': csrf, origin: 'https://evil.example' });
        expect([elsewhere.statusCode, json(elsewhere).error]).toEqual([403, 'bad_origin']);
        expect(json(await create({ 'x-csrf-token': csrf, origin: 'http://localhost.evil.example' })).error).toBe('bad_origin');
        expect(json(await create({ 'x-csrf-token': csrf, origin: 'null' })).error).toBe('bad_origin');
        // Its own host, whatever the scheme (a proxy in front may serve it over https).
        expect((await create({ 'x-csrf-token': csrf, origin: 'https://localhost:80' })).statusCode).toBe(200);
        expect((await runtime.services.tenants.list()).map((a) => a.name)).toEqual(['csrf-test']);
      });

      it('ends a session idle for 30 minutes, a signed-out one, and a removed operator\'s', async () => {
        const idle = await signIn('admin');
        now += 31 * 60_000;
        expect((await app.inject({ method: 'GET', url: '/api/session', headers: { cookie: idle.cookie } })).statusCode).toBe(401);
        const out = await signIn('admin');
        expect((await app.inject({ method: 'POST', url: '/api/session/end', headers: { cookie: out.cookie, 'x-csrf-token': out.csrf } })).statusCode).toBe(200);
        expect((await app.inject({ method: 'GET', url: '/api/session', headers: { cookie: out.cookie } })).statusCode).toBe(401);
        const leaver = await signIn('leaver');
        await new Operators(runtime.store.operators).remove('leaver');
        expect((await app.inject({ method: 'GET', url: '/api/apps', headers: { cookie: leaver.cookie } })).statusCode).toBe(401);
      });

      it('answers every bad input with a 4xx that says what is wrong, never a 500', async () => {
        const { cookie, csrf } = await signIn('admin');
        const headers = { cookie, 'x-csrf-token': csrf };
        const cases: Array<[string, string, unknown, string | undefined, number, string]> = [
          ['POST', '/api/apps', { name: '' }, undefined, 400, 'name is required'],
          ['POST', '/api/apps', { name: 'x', qps: 'fast' }, undefined, 400, 'qps must be a whole number from 1 to 1,000,000, or unlimited'],
          ['POST', '/api/apps', { name: 'x', checks: ['idcard9'] }, undefined, 400, 'checks must be "all" or a list of'],
          ['POST', '/api/apps', { name: 'x', ip: '300.1.1.1' }, undefined, 400, '300.1.1.1'],
          ['POST', '/api/apps', [1, 2], undefined, 400, 'one JSON object'],
          ['POST', '/api/apps', '{"name":', 'application/json', 400, ''],
          ['POST', '/api/apps', 'name=x', 'application/x-www-form-urlencoded', 415, ''],
          ['POST', '/api/apps', { name: 'x'.repeat(70_000) }, undefined, 413, ''],
          ['POST', '/api/apps/1234567890/suspend', {}, undefined, 404, 'no app 1234567890'],
          ['POST', '/api/apps/1/limits', {}, undefined, 400, 'nothing to set'],
          ['POST', '/api/apps/1/limits', { qps: 5 }, undefined, 404, 'no app 1'],
          ['POST', '/api/audit/search', { verdict: 'maybe' }, undefined, 400, 'verdict must be one of'],
          ['POST', '/api/audit/search', { checkId: 'abc' }, undefined, 400, 'checkId must be 32 hex digits'],
          ['POST', '/api/audit/search', { since: 'yesterday' }, undefined, 400, 'since must be a time'],
          ['POST', '/api/audit/search', { factor: { name: 'idNumber' } }, undefined, 400, 'the factor to look up is required'],
          ['POST', '/api/subjects/report', { idNumber: '110105194912310021' }, undefined, 400, 'not a valid ID number'],
          ['POST', '/api/subjects/erase', { idNumber: '11010519491231002X' }, undefined, 400, 'an erasure must be confirmed'],
          ['POST', '/api/sources/nope/disable', {}, undefined, 400, 'no source nope'],
          ['POST', '/api/registry/import', 'name,idNumber\n', 'text/plain', 415, ''],
          ['POST', '/api/registry/import', 'name,idNumber,bankCard,phone\n"unclosed,1,2,3\n', 'text/csv', 400, 'nothing was imported'],
          ['GET', '/api/nothing-here', undefined, undefined, 404, 'no such resource'],
        ];
        for (const [method, url, payload, type, status, message] of cases) {
          const r = await app.inject({ method: method as 'GET' | 'POST', url, headers: { ...headers, ...(type ? { 'content-type': type } : {}) }, ...(payload === undefined ? {} : { payload: payload as string }) });
          expect([url, r.statusCode], JSON.stringify(payload)?.slice(0, 80)).toEqual([url, status]);
          expect(String(json(r).message)).toContain(message);
        }
        expect(await runtime.store.registry.count()).toBe(0);
      });

      it('changes the quota left only when asked, never back to what the form was opened with, and never to unlimited by a null', async () => {
        const { cookie, csrf } = await signIn('admin');
        const headers = { cookie, 'x-csrf-token': csrf };
        const { appid } = await runtime.services.tenants.create({ name: 'quota-guard', quota: 1000, checks: null, ipAllow: null });
        // Two checks are billed after the form was opened at 1000.
        await runtime.services.tenants.update(appid, { quota: 998 });
        const limits = (payload: unknown) => app.inject({ method: 'POST', url: `/api/apps/${appid}/limits`, payload: payload as object, headers });
        expect((await limits({ qps: '5' })).statusCode).toBe(200);
        expect((await runtime.services.tenants.require(appid)).quota).toBe(998);
        const stale = await limits({ quota: '1000', expectedQuota: '1000' });
        expect([stale.statusCode, json(stale).error]).toEqual([409, 'quota_changed']);
        expect(String(json(stale).message)).toContain('the quota left is now 998');
        expect((await runtime.services.tenants.require(appid)).quota).toBe(998);
        expect((await limits({ quota: '5000', expectedQuota: '998' })).statusCode).toBe(200);
        expect((await runtime.services.tenants.require(appid)).quota).toBe(5000);
        for (const field of ['quota', 'qps', 'dailyPerId']) {
          const r = await limits({ [field]: null });
          expect([field, r.statusCode, String(json(r).message)]).toEqual([field, 400, expect.stringContaining('or unlimited')]);
        }
        expect((await runtime.services.tenants.require(appid)).quota).toBe(5000);
        expect((await limits({ quota: 'unlimited' })).statusCode).toBe(200);
        expect((await runtime.services.tenants.require(appid)).quota).toBe(null);
        await runtime.services.tenants.delete(appid);
      });

      it('answers a registry file it cannot read with its own error, over a real connection, and logs the attempt with the address', async () => {
        const served = buildConsole(consoleContext(runtime, () => now), { webDir: join(tmpdir(), 'no-build') });
        try {
          const address = await served.listen({ port: 0, host: '127.0.0.1' });
          const session = await fetch(`${address}/api/session`, { method: 'POST', body: JSON.stringify({ name: 'admin', password: PASSWORD }), headers: { 'content-type': 'application/json' } });
          const cookie = String(session.headers.get('set-cookie')).split(';')[0]!;
          const { csrf } = (await session.json()) as { csrf: string };
          const rows = 'x,y\n'.repeat(20_000);
          for (const [type, file, message] of [
            ['text/csv', `foo,bar\n${rows}`, 'header'],
            ['application/x-ndjson', `{"name":"a"}\nnot json at all\n${rows}`, 'line 2'],
          ] as const) {
            const r = await fetch(`${address}/api/registry/import?file=bad`, { method: 'POST', body: file, headers: { cookie, 'x-csrf-token': csrf, 'content-type': type } });
            const body = (await r.json()) as Record<string, unknown>;
            expect([type, r.status, body.error]).toEqual([type, 400, 'bad_file']);
            expect(String(body.message)).toContain(message);
            expect(String(body.message)).toContain('nothing was imported');
          }
          const [logged] = await runtime.store.operators.actions({ action: 'registry.import', limit: 1 });
          expect(logged).toMatchObject({ ok: false, operator: 'admin', ip: '127.0.0.1', detail: { file: 'bad', status: 400 } });
        } finally {
          await served.close();
        }
        expect(await runtime.store.registry.count()).toBe(0);
      });

      it('refuses a replace that would import no row, and keeps the registry', async () => {
        const { cookie, csrf } = await signIn('admin');
        const headers = { cookie, 'x-csrf-token': csrf, 'content-type': 'text/csv' };
        const good = 'name,idNumber,bankCard,phone\n张三,11010519491231002X,,\n';
        const first = await app.inject({ method: 'POST', url: '/api/registry/import?replace=yes', payload: good, headers });
        expect([first.statusCode, (json(first).summary as { imported: number }).imported]).toEqual([200, 1]);
        for (const file of ['name,idNumber,bankCard,phone\n张三,110105194912310021,,\n李四,not a number,,\n', 'name,idNumber,bankCard,phone\n']) {
          const r = await app.inject({ method: 'POST', url: '/api/registry/import?replace=yes', payload: file, headers });
          expect([r.statusCode, json(r).error]).toEqual([400, 'bad_file']);
          expect(String(json(r).message)).toContain('the registry was not replaced');
          expect(await runtime.store.registry.count()).toBe(1);
        }
      });

      it('keeps viewers to reading, and logs their refused attempts with the factor masked', async () => {
        const { cookie, csrf } = await signIn('viewer');
        expect((await app.inject({ method: 'GET', url: '/api/overview', headers: { cookie } })).statusCode).toBe(200);
        const r = await app.inject({ method: 'POST', url: '/api/subjects/report', payload: { idNumber: '11010519491231002X' }, headers: { cookie, 'x-csrf-token': csrf } });
        expect([r.statusCode, json(r).error]).toEqual([403, 'admin_only']);
        const [logged] = await runtime.store.operators.actions({ operator: 'viewer', action: 'subjects.report', limit: 1 });
        expect(logged).toMatchObject({ ok: false, detail: { status: 403 } });
        // An admin's report is logged with the number masked, and the chain records who looked.
        const admin = await signIn('admin');
        const report = await app.inject({ method: 'POST', url: '/api/subjects/report', payload: { idNumber: '11010519491231002X' }, headers: { cookie: admin.cookie, 'x-csrf-token': admin.csrf } });
        expect(report.statusCode).toBe(200);
        const [done] = await runtime.store.operators.actions({ operator: 'admin', action: 'subjects.report', limit: 1 });
        expect(done!.detail).toEqual({ idNumber: '1101**********002X' });
        expect(JSON.stringify(await runtime.store.operators.actions({ limit: 200 }))).not.toContain('11010519491231002X');
        expect((json(report).lookups as Array<{ by: { user: string } }>).map((l) => l.by.user)).toContain('console:admin');
      });

      it('says how to build the front end when there is none, and serves no file outside the build', async () => {
        const r = await app.inject({ method: 'GET', url: '/' });
        expect([r.statusCode, r.body]).toEqual([503, 'the console has not been built: run npm run build:console (npm ci does)\n']);
        expect((await app.inject({ method: 'GET', url: '/assets/../../package.json' })).statusCode).not.toBe(200);
        expect(r.headers['content-security-policy']).toContain("default-src 'self'");
      });

      it('serves the build from memory, gzipped when asked, the page itself for any other path, nothing outside it', async () => {
        const web = mkdtempSync(join(tmpdir(), 'realname-console-web-'));
        mkdirSync(join(web, 'assets'));
        writeFileSync(join(web, 'index.html'), '<!doctype html><title>console</title>');
        writeFileSync(join(web, 'assets', 'app-1.js'), 'console.log("console");'.repeat(50));
        const built = buildConsole(consoleContext(runtime, () => now), { webDir: web });
        try {
          const script = await built.inject({ method: 'GET', url: '/assets/app-1.js', headers: { 'accept-encoding': 'gzip, br' } });
          expect([script.statusCode, script.headers['content-encoding'], script.headers['content-type']]).toEqual([200, 'gzip', 'text/javascript; charset=utf-8']);
          expect(gunzipSync(script.rawPayload).toString()).toBe('console.log("console");'.repeat(50));
          const page = await built.inject({ method: 'GET', url: '/apps?x=1' });
          expect([page.statusCode, page.headers['content-encoding'], page.body]).toEqual([200, undefined, '<!doctype html><title>console</title>']);
          expect((await built.inject({ method: 'GET', url: '/assets/missing.js' })).statusCode).toBe(404);
          // Only names the build made are files: any other path is the page, never a file of the disk.
          for (const url of ['/assets/%2e%2e/%2e%2e/package.json', '/../../package.json', '/assets/..%2f..%2fpackage.json']) {
            const r = await built.inject({ method: 'GET', url });
            expect(r.body === '<!doctype html><title>console</title>' || r.statusCode === 404, url).toBe(true);
            expect(r.body).not.toContain('"name": "realname"');
          }
        } finally {
          await built.close();
        }
      });
  });
}

describe('the console settings', () => {
  it('refuses a console on the API\'s own port', () => {
    expect(() => loadConfig({ data: mkdtempSync(join(tmpdir(), 'realname-console-cfg-')), port: 8080, consolePort: 8080 }, {})).toThrow("the console needs a port of its own: consolePort 8080 is the API's port");
  });
});
