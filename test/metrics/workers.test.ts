import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { generateIdentities } from '../../src/core/synthetic.ts';
import { signAuthorization } from '../../src/protocols/tencent-image/signature.ts';
import { exited, realname, realnameListening } from '../helpers/cli.ts';

/** /metrics of `serve --workers 2`: whichever process is scraped, it answers for both workers. */

const [person] = generateIdentities(1, 12);
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

async function setUp(quota: number) {
  const dir = mkdtempSync(join(tmpdir(), 'realname-metrics-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const created = await realname(['apps', 'create', '--name', 'metrics', '--quota', String(quota), '--json', '--data', dir]);
  expect(created.code, created.stderr).toBe(0);
  return { dir, app: JSON.parse(created.stdout) as { appid: string; bucket: string; secretId: string; secretKey: string } };
}

async function check(url: string, app: { appid: string; bucket: string; secretId: string; secretKey: string }): Promise<number> {
  const now = Math.floor(Date.now() / 1000);
  const authorization = signAuthorization({ ...app, now, expiry: now + 600, rand: 5 });
  // A connection per request, so node:cluster hands the checks to both workers.
  const reply = await fetch(`${url}/auth/idcard`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization, connection: 'close' },
    body: JSON.stringify({ appid: app.appid, idcard_number: person!.idNumber, idcard_name: person!.name }),
  });
  return ((await reply.json()) as { code: number }).code;
}

const total = (text: string, name: string, filter = ''): number =>
  text
    .split('\n')
    .filter((l) => l.startsWith(name) && l.includes(filter))
    .reduce((n, l) => n + Number(l.split(' ').at(-1)), 0);

describe('GET /metrics with serve --workers 2', () => {
  it('sums both workers on the main port, whichever worker a scrape reaches', async () => {
    const { dir, app } = await setUp(20);
    const { child, url } = await realnameListening(['serve', '--port', '0', '--workers', '2', '--data', dir], { REALNAME_LOG_LEVEL: 'warn' });
    try {
      const codes = await Promise.all(Array.from({ length: 40 }, () => check(url, app)));
      expect(codes.filter((c) => c === -5807)).toHaveLength(20);
      for (let i = 0; i < 6; i++) {
        const text = await (await fetch(`${url}/metrics`, { headers: { connection: 'close' } })).text();
        expect(total(text, 'realname_requests_total{')).toBe(40);
        expect(total(text, 'realname_requests_total{', 'refusal="quota_exhausted"')).toBe(20);
        expect(total(text, 'realname_billed_total{')).toBe(20);
        // The store's gauges are not added up across workers.
        expect(total(text, 'realname_store_up')).toBe(1);
      }
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited(child)).toBe(0);
  });

  it('serves them on --metrics-port from the primary, and not on the main port', async () => {
    const { dir, app } = await setUp(5);
    const { child, url, output } = await realnameListening(['serve', '--port', '0', '--workers', '2', '--metrics-port', '0', '--data', dir], { REALNAME_LOG_LEVEL: 'warn' });
    try {
      await Promise.all(Array.from({ length: 12 }, () => check(url, app)));
      const metricsUrl = /realname metrics at (\S+)/.exec(output())![1]!;
      const text = await (await fetch(metricsUrl)).text();
      expect(total(text, 'realname_requests_total{')).toBe(12);
      expect(total(text, 'realname_billed_total{')).toBe(5);
      expect((await fetch(`${url}/metrics`)).status).toBe(404);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited(child)).toBe(0);
  });
});
