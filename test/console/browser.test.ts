import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { signAuthorization } from '../../src/protocols/tencent-image/signature.ts';
import { exited, realname } from '../helpers/cli.ts';
import { spawn, type ChildProcess } from 'node:child_process';
import { BIN } from '../helpers/cli.ts';

/*
 * The console in a real browser (Debian's Chromium through playwright-core): an admin signs in, creates an
 * app, imports the registry, sends checks through the Tencent image dialect, sees them on the overview and
 * in the audit, suspends the app and sees its next check refused, reports and erases a subject; a viewer
 * cannot reach an admin action. Every page is checked by axe-core and grepped for the plaintext factors sent.
 */

// The page's globals, as the functions evaluated in it use them (this file compiles against Node's types).
declare const document: { documentElement: { outerHTML: string; scrollWidth: number }; body: { innerText: string }; querySelectorAll(selector: string): ArrayLike<{ value: string }> };
declare const location: { href: string };
declare const localStorage: Record<string, string>;
declare const sessionStorage: Record<string, string>;
declare const window: unknown;

const CHROMIUM = '/usr/bin/chromium';
/** Waits up to 20 s for a value: the whole suite may be running beside this test on two cores. */
const poll = <T>(read: () => T | Promise<T>) => expect.poll(read, { timeout: 20_000, interval: 250 });
const present = existsSync(CHROMIUM);
if (!present && process.env.CI === 'true') throw new Error(`${CHROMIUM} is missing: .ci/run installs it (apt-get install chromium)`);
if (!present) console.warn(`console browser tests skipped: no ${CHROMIUM} (apt-get install -y chromium)`);

const SHOTS = process.env.REALNAME_CONSOLE_SHOTS ?? (existsSync('/work/wt') ? '/work/wt/console-shots' : join(tmpdir(), 'realname-console-shots'));
const ADMIN_PASSWORD = 'correct horse battery staple';
const VIEWER_PASSWORD = 'viewer horse battery staple';

interface Identity {
  name: string;
  idNumber: string;
  bankCard: string;
  phone: string;
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

function listening(dir: string): Promise<{ child: ChildProcess; api: string; console: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'serve', '--data', dir, '--port', '0', '--console-port', '0'], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let output = '';
    child.stderr!.on('data', (d: Buffer) => {
      output += d;
      const api = /realname listening on (\S+)/.exec(output)?.[1];
      const consoleUrl = /realname console on (\S+)/.exec(output)?.[1];
      if (api && consoleUrl) resolve({ child, api, console: consoleUrl });
    });
    child.stdout!.resume();
    child.on('exit', (code) => reject(new Error(`serve exited ${code}: ${output}`)));
  });
}

describe.skipIf(!present)('the web console in Chromium', () => {
  const dir = mkdtempSync(join(tmpdir(), 'realname-console-'));
  let server: { child: ChildProcess; api: string; console: string };
  let browser: Browser;
  const people: Identity[] = [];
  /** Every plaintext factor this test sent or typed: no page may ever show one. */
  const sent = new Set<string>();

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    expect((await realname(['operators', 'add', 'wang', '--role', 'admin', '--data', dir], { stdin: `${ADMIN_PASSWORD}\n` })).code).toBe(0);
    expect((await realname(['operators', 'add', 'li', '--role', 'viewer', '--data', dir], { stdin: `${VIEWER_PASSWORD}\n` })).code).toBe(0);
    const generated = await realname(['registry', 'generate', '--count', '20', '--seed', '18', '--out', join(dir, 'people.csv')]);
    expect(generated.code).toBe(0);
    for (const line of readFileSync(join(dir, 'people.csv'), 'utf8').trim().split('\n').slice(1)) {
      const [name, idNumber, bankCard, phone] = line.split(',') as [string, string, string, string];
      people.push({ name, idNumber, bankCard, phone });
      for (const f of [name, idNumber, bankCard, phone]) sent.add(f);
    }
    // A source to see and switch off (never asked here: no route names it and the registry answers).
    const added = await realname(['sources', 'add', 'submail-backup', '--type', 'submail', '--endpoint', 'http://127.0.0.1:9/', '--cost-fen', '12', '--data', dir], {
      stdin: JSON.stringify({ appid: '10001', appkey: 'synthetic-appkey-not-real' }),
    });
    expect(added.code, added.stderr).toBe(0);
    server = await listening(dir);
    // Loopback unless --console-host says otherwise.
    expect(server.console).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    if (server) {
      process.kill(-server.child.pid!, 'SIGTERM');
      await exited(server.child);
    }
  });

  /** The page's whole DOM (markup, input values, text) and its URL and storage hold no plaintext factor. */
  async function noFactors(page: Page): Promise<void> {
    const seen = await page.evaluate(() => ({
      html: document.documentElement.outerHTML,
      values: Array.from(document.querySelectorAll('input'), (i) => i.value).join('\n'),
      text: document.body.innerText,
      url: location.href,
      storage: JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }),
    }));
    const everything = Object.values(seen).join('\n');
    const hits = [...sent].filter((f) => everything.includes(f));
    expect(hits, `plaintext factors on ${seen.url}`).toEqual([]);
  }

  /** axe-core finds no serious or critical issue (WCAG 2.1 A and AA). */
  async function accessible(page: Page): Promise<void> {
    // Through the debugger protocol: the console's CSP (rightly) refuses an inline script tag.
    await page.evaluate(axeSource);
    const violations = await page.evaluate(async () => {
      const axe = (window as unknown as { axe: { run(o: unknown): Promise<{ violations: Array<{ id: string; impact: string; nodes: Array<{ target: string[] }> }> }> } }).axe;
      const result = await axe.run({ runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
      return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
    });
    expect(violations, `axe on ${page.url()}`).toEqual([]);
  }

  async function visit(page: Page, path: string, shot: string, heading: RegExp): Promise<void> {
    await page.goto(`${server.console}/#/${path}`);
    // A page marks its heading once its data has come (a hash change is no new load to wait for).
    await page.locator('h1[data-ready]').filter({ hasText: heading }).waitFor();
    await page.screenshot({ path: join(SHOTS, `${shot}.png`), fullPage: true });
    await accessible(page);
    await noFactors(page);
  }

  /** Signs in with the mouse, or with the keyboard alone (Tab from the name to the password, Enter). */
  async function signIn(context: BrowserContext, name: string, password: string, keyboard = false): Promise<Page> {
    const page = await context.newPage();
    await page.goto(server.console);
    await page.getByRole('button', { name: 'English' }).click();
    if (keyboard) {
      await page.getByLabel('Name').focus();
      await page.keyboard.type(name);
      await page.keyboard.press('Tab');
      await page.keyboard.type(password);
      await page.keyboard.press('Enter');
    } else {
      await page.getByLabel('Name').fill(name);
      await page.getByLabel('Password').fill(password);
      await page.getByRole('button', { name: 'Sign in' }).click();
    }
    await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
    return page;
  }

  /** One ID-and-name check through the Tencent image dialect, signed as the app's client does. */
  async function check(app: { appid: string; secretId: string; secretKey: string }, name: string, idNumber: string): Promise<number> {
    const now = Math.floor(Date.now() / 1000);
    const authorization = signAuthorization({ appid: app.appid, secretId: app.secretId, secretKey: app.secretKey, expiry: now + 60, now, rand: Math.floor(Math.random() * 1e9) });
    const answer = await fetch(`${server.api}/auth/idcard`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization },
      body: JSON.stringify({ appid: app.appid, idcard_number: idNumber, idcard_name: name }),
    });
    return ((await answer.json()) as { code: number }).code;
  }

  it('an admin creates an app, imports the registry, sees checks on the overview and in the audit, suspends the app, reports and erases a subject', async () => {
    const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
    const page = await signIn(context, 'wang', ADMIN_PASSWORD);
    await page.screenshot({ path: join(SHOTS, 'overview-empty-1366.png'), fullPage: true });

    // Apps: create one; its credentials are shown once.
    await page.goto(`${server.console}/#/apps`);
    await page.getByLabel('App name').fill('shop');
    await page.getByLabel('Check kinds').fill('idcard2,bankcard3');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    const once = page.getByTestId('shown-once');
    await once.waitFor();
    const app = {
      appid: (await page.getByTestId('once-appid').innerText()).trim(),
      secretId: (await page.getByTestId('once-secretId').innerText()).trim(),
      secretKey: (await page.getByTestId('once-secretKey').innerText()).trim(),
    };
    expect(app.appid).toMatch(/^\d+$/);
    await page.screenshot({ path: join(SHOTS, 'apps-secret-once-1366.png'), fullPage: true });
    await page.getByRole('button', { name: 'I have kept them' }).click();
    await expect(page.getByTestId('shown-once').count()).resolves.toBe(0);
    expect(await page.content()).not.toContain(app.secretKey);
    sent.add(app.secretKey);
    await visit(page, 'apps', 'apps-1366', /Apps/);
    expect(await page.locator(`tr[data-appid="${app.appid}"] [data-testid="app-state"]`).innerText()).toBe('active');
    // Its limits: a quota and an allow-list of this machine.
    await page.getByRole('button', { name: 'Limits of shop' }).click();
    const limits = page.getByRole('form', { name: 'Limits of shop' });
    await limits.getByLabel('Quota').fill('1000');
    await limits.getByLabel('IP allow-list').fill('127.0.0.0/8');
    await limits.getByRole('button', { name: 'Save limits' }).click();
    await poll(() => page.locator(`tr[data-appid="${app.appid}"]`).innerText()).toContain('127.0.0.0/8');
    expect(await page.locator(`tr[data-appid="${app.appid}"]`).innerText()).toContain('1000');
    // A second secret, shown once; then revoked (the app keeps its first).
    await page.getByRole('button', { name: 'New secret shop' }).click();
    const second = (await page.getByTestId('once-secretId').innerText()).trim();
    sent.add((await page.getByTestId('once-secretKey').innerText()).trim());
    await page.getByRole('button', { name: 'I have kept them' }).click();
    await page.getByRole('button', { name: `Revoke ${second}` }).click();
    await poll(() => page.locator(`li[data-secret="${second}"]`).innerText()).toContain('(revoked)');
    expect(await page.getByRole('button', { name: `Revoke ${app.secretId}` }).count()).toBe(0);

    // Registry: import the people with a progress bar.
    await page.goto(`${server.console}/#/registry`);
    await page.getByLabel('CSV or JSONL file').setInputFiles(join(dir, 'people.csv'));
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'imported 20' }).waitFor();
    expect(await page.locator('#registry-progress').getAttribute('value')).toBe('1');
    await poll(() => page.getByTestId('registry-rows').innerText()).toBe('20');
    // Replacing the whole registry asks first, naming the rows it would drop; cancelled, nothing is sent.
    await page.getByLabel('CSV or JSONL file').setInputFiles(join(dir, 'people.csv'));
    await page.getByLabel('Replace the whole registry with this file').check();
    const uploads: string[] = [];
    page.on('request', (r) => r.url().includes('/api/registry/import') && uploads.push(r.url()));
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    const ask = page.getByRole('alertdialog');
    expect(await ask.innerText()).toContain('Replace the whole registry (20 rows) with people.csv?');
    await ask.getByRole('button', { name: 'Cancel' }).click();
    await ask.waitFor({ state: 'detached' });
    expect(uploads).toEqual([]);
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    const replaced = page.waitForResponse((r) => r.url().includes('/api/registry/import'));
    await page.getByRole('alertdialog').getByRole('button', { name: 'Replace', exact: true }).click();
    expect((await replaced).status()).toBe(200);
    await page.getByRole('status').filter({ hasText: 'imported 20' }).waitFor();
    expect(uploads).toEqual([expect.stringContaining('replace=yes')]);
    await poll(() => page.getByTestId('registry-rows').innerText()).toBe('20');
    await visit(page, 'registry', 'registry-1366', /Registry/);

    // Checks through the dialect: three matches, one mismatch.
    for (const p of people.slice(0, 3)) expect(await check(app, p.name, p.idNumber)).toBe(0);
    const wrongName = people[4]!.name;
    expect(await check(app, wrongName, people[3]!.idNumber)).toBe(-5803);

    // The overview counts them (it refreshes by itself).
    await page.goto(`${server.console}/#/overview`);
    await poll(() => page.getByTestId('tile-checks').innerText()).toBe('4');
    expect(await page.getByTestId('tile-refused').innerText()).toBe('0');
    expect(await page.getByTestId('tile-p50').innerText()).toMatch(/ms$/);
    await visit(page, 'overview', 'overview-1366', /Overview/);

    // The audit: masked rows of this app; a person's rows by their ID number (POSTed, then cleared); an export.
    await page.goto(`${server.console}/#/audit`);
    await page.getByLabel('App', { exact: true }).fill(app.appid);
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await poll(() => page.getByTestId('audit-outcome').allInnerTexts()).toEqual(['mismatch', 'match', 'match', 'match']);
    await page.getByLabel('Look up a person by').selectOption('idNumber');
    await page.getByLabel('Value to look up').fill(people[1]!.idNumber);
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await poll(() => page.getByTestId('audit-outcome').allInnerTexts()).toEqual(['match']);
    expect(await page.getByLabel('Value to look up').inputValue()).toBe('');
    await noFactors(page);
    const [exported] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    const csv = readFileSync((await exported.path())!, 'utf8');
    expect(csv.split('\n')[0]).toMatch(/^checkId,at,appid,dialect/);
    expect(csv.trim().split('\n')).toHaveLength(5);
    expect([...sent].filter((f) => csv.includes(f))).toEqual([]);
    await visit(page, 'audit', 'audit-1366', /Audit/);

    // Suspend: the next check is refused, and the audit says why.
    await page.goto(`${server.console}/#/apps`);
    await page.getByRole('button', { name: 'Suspend shop' }).click();
    await poll(() => page.locator(`tr[data-appid="${app.appid}"] [data-testid="app-state"]`).innerText()).toBe('suspended');
    await poll(() => check(app, people[0]!.name, people[0]!.idNumber)).toBe(3);
    await page.goto(`${server.console}/#/audit`);
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await poll(() => page.getByTestId('audit-outcome').first().innerText()).toBe('Refusal: suspended');
    await page.goto(`${server.console}/#/overview`);
    await poll(() => page.getByTestId('tile-refused').innerText()).not.toBe('0');
    // The apps page's month, from the same records: four billed answers, the refusals unbilled.
    await page.goto(`${server.console}/#/apps`);
    await poll(() => page.locator(`tr[data-appid="${app.appid}"] [data-testid="app-month"]`).innerText()).toMatch(/^4 \/ 0 \/ [1-9]\d*$/);

    // Sources: the breaker's state, and the kill switch.
    await visit(page, 'sources', 'sources-1366', /Sources/);
    await page.getByRole('button', { name: 'Disable submail-backup' }).click();
    await poll(() => page.getByTestId('source-state').innerText()).toBe('disabled');

    // Subjects: the number typed is POSTed and cleared; the report names the person by mask only.
    const subject = people[1]!; // checked once above: one audit record to anonymise
    await page.goto(`${server.console}/#/subjects`);
    const field = page.getByLabel('ID number');
    await field.fill(subject.idNumber);
    await page.getByRole('button', { name: 'Report', exact: true }).click();
    await poll(() => page.getByTestId('subject-rows').innerText()).toBe('1');
    expect(await field.inputValue()).toBe('');
    await noFactors(page);
    await field.fill(subject.idNumber);
    await page.getByRole('button', { name: 'Erase', exact: true }).click();
    const dialog = page.getByRole('alertdialog');
    await dialog.waitFor();
    await page.screenshot({ path: join(SHOTS, 'subjects-confirm-1366.png'), fullPage: true });
    await noFactors(page);
    await dialog.getByRole('button', { name: 'Erase' }).click();
    await page.getByRole('status').filter({ hasText: /Erased: 1 registry rows, .* 1 audit records anonymised/ }).waitFor();
    // The erasure is in the report's own record of who looked the person up.
    await field.fill(subject.idNumber);
    await page.getByRole('button', { name: 'Report', exact: true }).click();
    await poll(() => page.getByTestId('subject-rows').innerText()).toBe('0');
    await poll(() => page.getByTestId('subject-lookups').innerText()).toContain('console:wang');
    await visit(page, 'subjects', 'subjects-1366', /Subjects/);
    // The registry no longer knows the person.
    expect(await check({ ...app }, subject.name, subject.idNumber)).toBe(3); // still suspended: resume first
    await page.goto(`${server.console}/#/apps`);
    await page.getByRole('button', { name: 'Resume shop' }).click();
    await poll(() => page.locator(`tr[data-appid="${app.appid}"] [data-testid="app-state"]`).innerText()).toBe('active');
    await poll(() => check(app, subject.name, subject.idNumber)).toBe(-5807);

    // Chinese, and every page readable on a phone.
    await page.getByRole('button', { name: '中文' }).click();
    await page.getByRole('heading', { level: 1, name: '应用' }).waitFor();
    await accessible(page);
    await page.screenshot({ path: join(SHOTS, 'apps-zh-1366.png'), fullPage: true });
    await visit(page, 'overview', 'overview-zh-1366', /概览/);
    // Verdicts and chart series in words, not codes.
    const legend = await page.locator('.recharts-legend-item-text').allInnerTexts();
    expect(legend).toEqual(expect.arrayContaining(['一致', '不一致']));
    expect(legend).not.toContain('match');
    await visit(page, 'audit', 'audit-zh-1366', /审计/);
    // A source's name is 名称 (用户名 is an operator's sign-in name); its state in words; a date written the Chinese way.
    await visit(page, 'sources', 'sources-zh-1366', /上游/);
    expect(await page.getByRole('columnheader').allInnerTexts()).toEqual(expect.arrayContaining(['名称']));
    expect(await page.getByRole('columnheader').allInnerTexts()).not.toContain('用户名');
    expect(['正常', '熔断中', '已停用']).toContain(await page.getByTestId('source-state').innerText());
    await visit(page, 'registry', 'registry-zh-1366', /核验库/);
    expect(await page.locator('.tile.wide dd').innerText()).toMatch(/^\d{4}\/\d{1,2}\/\d{1,2} /);
    expect(await page.evaluate(() => document.documentElement.outerHTML)).toContain('lang="zh-CN"');
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, storageState: await context.storageState() });
    const small = await phone.newPage();
    for (const [path, heading] of [['overview', /Overview|概览/], ['apps', /Apps|应用/], ['audit', /Audit|审计/], ['subjects', /Subjects|个人信息/], ['sources', /Sources|上游/], ['registry', /Registry|核验库/]] as const) {
      await visit(small, path, `${path}-390`, heading);
      // Nothing wider than the screen but the tables, which scroll in their own box.
      expect(await small.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      // The navigation keeps the height of its links, however short the page (it stretched to fill the screen).
      const [nav, links] = await small.locator('nav').evaluate((n) => [n.getBoundingClientRect().height, n.querySelector('ul')!.getBoundingClientRect().height]);
      expect(nav! - links!, path).toBeLessThanOrEqual(2);
    }
    await phone.close();

    // Every change is in the operators' log, with its operator.
    const log = await page.evaluate(async () => (await (await fetch('/api/operators/actions')).json()) as { actions: Array<{ operator: string; action: string; ok: boolean }> });
    const done = log.actions.filter((a) => a.operator === 'wang' && a.ok).map((a) => a.action);
    for (const action of ['session.sign_in', 'apps.create', 'registry.import', 'apps.suspend', 'sources.disable', 'subjects.report', 'subjects.erase', 'apps.resume', 'audit.search']) expect(done).toContain(action);
    await context.close();
  }, 180_000);

  it('a viewer sees the pages but reaches no admin action', async () => {
    const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
    // A wrong password: one line in the operator's language, and no session.
    const first = await context.newPage();
    await first.goto(server.console);
    await first.getByRole('button', { name: '中文' }).click();
    await first.getByLabel('用户名').fill('li');
    await first.getByLabel('密码').fill('not the password');
    await first.getByRole('button', { name: '登录' }).click();
    await first.getByRole('alert').filter({ hasText: '用户名或密码错误。' }).waitFor();
    expect(await first.getByLabel('密码').inputValue()).toBe('');
    await first.close();
    const page = await signIn(context, 'li', VIEWER_PASSWORD, true);
    await visit(page, 'apps', 'apps-viewer-1366', /Apps/);
    expect(await page.getByRole('button', { name: /Suspend|Resume/ }).count()).toBe(0);
    expect(await page.getByLabel('App name').count()).toBe(0);
    await page.goto(`${server.console}/#/subjects`);
    await page.getByText('Only an admin may use this page.').waitFor();
    // Straight at the API, with the session's own CSRF token: still refused, and the attempt is logged.
    const refused = await page.evaluate(async () => {
      const { csrf } = (await (await fetch('/api/session')).json()) as { csrf: string };
      const apps = (await (await fetch('/api/apps')).json()) as { apps: Array<{ appid: string }> };
      const answers = [];
      for (const [path, body] of [[`/api/apps/${apps.apps[0]!.appid}/suspend`, {}], ['/api/apps', { name: 'sneaky' }], ['/api/subjects/report', { idNumber: '11010519491231002X' }], ['/api/sources/submail-backup/enable', {}]] as const) {
        const r = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': csrf }, body: JSON.stringify(body) });
        answers.push([r.status, ((await r.json()) as { error: string }).error]);
      }
      return answers;
    });
    expect(refused).toEqual([
      [403, 'admin_only'],
      [403, 'admin_only'],
      [403, 'admin_only'],
      [403, 'admin_only'],
    ]);
    const log = await page.evaluate(async () => (await (await fetch('/api/operators/actions?operator=li')).json()) as { actions: Array<{ action: string; ok: boolean }> });
    expect(log.actions.filter((a) => !a.ok).map((a) => a.action).sort()).toEqual(['apps.create', 'apps.suspend', 'session.sign_in', 'sources.enable', 'subjects.report']);
    // Signing out ends the session on the server, not only on the page.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    expect(await page.evaluate(async () => (await fetch('/api/apps')).status)).toBe(401);
    await context.close();
  }, 60_000);
});
