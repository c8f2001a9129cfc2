import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateIdentities } from '../../src/core/synthetic.ts';
import { signAuthorization } from '../../src/protocols/tencent-image/signature.ts';
import { BIN, exited, realname, realnameListening } from '../helpers/cli.ts';

const [person] = generateIdentities(1, 11);
const data = () => mkdtempSync(join(tmpdir(), 'realname-workers-'));

async function createApp(dir: string, quota: number) {
  const created = await realname(['apps', 'create', '--name', 'workers', '--quota', String(quota), '--json', '--data', dir]);
  expect(created.code, created.stderr).toBe(0);
  return JSON.parse(created.stdout) as { appid: string; bucket: string; secretId: string; secretKey: string };
}

async function check(url: string, app: { appid: string; bucket: string; secretId: string; secretKey: string }): Promise<number> {
  const now = Math.floor(Date.now() / 1000);
  const authorization = signAuthorization({ ...app, now, expiry: now + 600, rand: 3 });
  // A connection per request, so node:cluster hands the checks to both workers.
  const reply = await fetch(`${url}/auth/idcard`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization, connection: 'close' },
    body: JSON.stringify({ appid: app.appid, idcard_number: person!.idNumber, idcard_name: person!.name }),
  });
  return ((await reply.json()) as { code: number }).code;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('realname serve --workers 2', () => {
  it('bills the quota exactly across both workers, then drains and exits 0 on SIGTERM', async () => {
    const dir = data();
    const app = await createApp(dir, 30);
    const { child, url, output } = await realnameListening(['serve', '--port', '0', '--workers', '2', '--data', dir], { REALNAME_LOG_LEVEL: 'warn' });
    try {
      expect(output()).toMatch(/\(2 workers\)/);
      const codes = await Promise.all(Array.from({ length: 60 }, () => check(url, app)));
      // -5807: a valid identity that is not on file, billed; 25: quota spent. The quota code may come
      // while the other worker holds one last unit (README's promise), never sooner.
      const billed = codes.filter((c) => c === -5807).length;
      expect(billed).toBeLessThanOrEqual(30);
      expect(billed).toBeGreaterThanOrEqual(29);
      expect(codes.filter((c) => c === 25)).toHaveLength(60 - billed);
      const shown = JSON.parse((await realname(['apps', 'show', app.appid, '--json', '--data', dir])).stdout) as { quota: number };
      expect(shown.quota).toBe(30 - billed);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited(child)).toBe(0);
  });

  it('stops every worker when the whole process group is signalled (a terminal Ctrl-C, kill -- -pgid)', async () => {
    const dir = data();
    await createApp(dir, 5);
    const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--workers', '2', '--data', dir], {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, REALNAME_LOG_LEVEL: 'warn' },
    });
    let output = '';
    child.stderr.on('data', (d) => (output += d));
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        if (/listening on/.test(output)) resolve(void clearInterval(poll));
      }, 20);
    });
    process.kill(-child.pid!, 'SIGTERM');
    expect(await exited(child)).toBe(0);
    expect(alive(child.pid!)).toBe(false);
    expect(output).not.toMatch(/starting another/);
  });

  it('exits 1 at once when a worker cannot start (the port is taken), instead of starting workers forever', async () => {
    const dir = data();
    await createApp(dir, 5);
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as { port: number }).port;
    try {
      const run = await realname(['serve', '--host', '127.0.0.1', '--port', String(port), '--workers', '2', '--data', dir]);
      expect(run.code).toBe(1);
      // told once, as serve without --workers tells it
      expect(run.stderr).toBe(`realname: cannot listen on 127.0.0.1:${port}: the address is already in use; stop the server using it or choose another --port\n`);
    } finally {
      taken.close();
    }
  });
});
