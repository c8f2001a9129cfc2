import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, exited, realnameListening } from '../helpers/cli.ts';

const data = () => mkdtempSync(join(tmpdir(), 'realname-demo-'));

describe('realname demo', () => {
  it('keeps credentials off a non-terminal stdout and still serves the demo registry', async () => {
    const dir = data();
    const { child, url, output } = await realnameListening(['demo', '--port', '0', '--data', dir, '--count', '40']);
    try {
      expect(output()).toContain('printed on a terminal only');
      const credentials = JSON.parse(readFileSync(join(dir, 'demo.json'), 'utf8'));
      expect(statSync(join(dir, 'demo.json')).mode & 0o777).toBe(0o600);
      expect(output()).not.toContain(credentials.secretKey);
      expect(await (await fetch(`${url}/readyz`)).json()).toMatchObject({ status: 'ready' });
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited(child)).toBe(0);
  });

  it('prints, on a terminal, a ready command that gets code 0', async () => {
    const dir = data();
    // `script` gives the command a pseudo-terminal, as a person running it would have
    const child = spawn('script', ['-qfc', `${process.execPath} ${BIN} demo --port 0 --data ${dir} --count 40`, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    let screen = '';
    child.stdout.on('data', (d) => (screen += d));
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no banner: ${screen}`)), 20_000);
        child.stdout.on('data', () => {
          if (screen.includes('→ {"code":0')) {
            clearTimeout(timer);
            resolve();
          }
        });
      });
      const text = screen.replace(/\r/g, '');
      expect(text).toContain('secretKey');
      expect(text).toMatch(/A matching identity: \S+ \d{17}[\dX] card \d+/);
      const url = /curl -s (\S+) \\/.exec(text)?.[1];
      const authorization = /-H 'Authorization: ([^']+)'/.exec(text)?.[1];
      const body = /-d '([^']+)'/.exec(text)?.[1];
      expect(url && authorization && body).toBeTruthy();
      const answer = await fetch(url!, { method: 'POST', headers: { 'content-type': 'application/json', authorization: authorization! }, body: body! });
      expect(await answer.json()).toMatchObject({ code: 0, message: 'OK' });
    } finally {
      // the whole process group: script and the demo under it
      process.kill(-child.pid!, 'SIGTERM');
      await exited(child);
    }
  });
});
