/**
 * `node --import tsx bench/qps-shares.ts`: how much of a QPS limit two `serve` nodes sharing one store
 * admit (the under-admission README states). App QPS 50, 20 clients, 6 s per pattern:
 * - even: every client alternates between the nodes;
 * - skew: 18 clients on node A, 2 on node B;
 * - shift: every client on A for 3 s, then every client on B for 3 s.
 * Printed: admissions in each second (from the audit log), the total of the 300 possible, and the most
 * any 1000 ms interval admitted (never above 50).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { generateIdentities } from '../src/core/synthetic.ts';
import { signAuthorization } from '../src/protocols/tencent-image/signature.ts';
import { exited, realname, realnameListening } from '../test/helpers/cli.ts';

const LIMIT = 50;
const SECONDS = 6;
const CLIENTS = 20;
const RATE_CODE = '15';
const [person] = generateIdentities(1, 5);

type Pattern = (client: number, second: number) => 0 | 1;
const PATTERNS: Record<string, Pattern> = {
  even: (c) => (c % 2) as 0 | 1,
  skew: (c) => (c < 18 ? 0 : 1),
  shift: (_c, s) => (s < SECONDS / 2 ? 0 : 1),
};

async function measure(name: string, pattern: Pattern): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'realname-qps-'));
  try {
    const app = JSON.parse((await realname(['apps', 'create', '--name', 'qps', '--qps', String(LIMIT), '--json', '--data', dir])).stdout);
    const nodes = await Promise.all([0, 1].map(() => realnameListening(['serve', '--port', '0', '--data', dir], { REALNAME_LOG_LEVEL: 'warn' })));
    const now = Math.floor(Date.now() / 1000);
    const authorization = signAuthorization({ ...app, now, expiry: now + 3600, rand: 9 });
    const body = JSON.stringify({ appid: app.appid, idcard_number: person!.idNumber, idcard_name: person!.name });
    const t0 = Date.now();
    const until = t0 + SECONDS * 1000;
    await Promise.all(
      Array.from({ length: CLIENTS }, async (_, c) => {
        while (Date.now() < until) {
          const node = nodes[pattern(c, Math.floor((Date.now() - t0) / 1000))]!;
          await fetch(`${node.url}/auth/idcard`, { method: 'POST', headers: { 'content-type': 'application/json', authorization }, body }).then((r) => r.arrayBuffer());
        }
      }),
    );
    for (const n of nodes) n.child.kill('SIGTERM');
    await Promise.all(nodes.map((n) => exited(n.child)));
    const db = new Database(join(dir, 'realname.db'), { readonly: true });
    const admitted = (db.prepare('SELECT at FROM audit WHERE appid = ? AND code != ? ORDER BY at').all(app.appid, RATE_CODE) as { at: number }[]).map((r) => r.at);
    db.close();
    const perSecond = Array.from({ length: SECONDS }, (_, s) => admitted.filter((at) => at >= t0 + s * 1000 && at < t0 + (s + 1) * 1000).length);
    let worst = 0;
    for (let i = 0, j = 0; i < admitted.length; i++) {
      while (admitted[j]! <= admitted[i]! - 1000) j++;
      worst = Math.max(worst, i - j + 1);
    }
    process.stdout.write(`| ${name} | ${perSecond.join(' ')} | ${admitted.length} of ${LIMIT * SECONDS} | ${worst} |\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

process.stdout.write('| load | admitted each second | total | most in any 1000 ms |\n|---|---|---|---|\n');
for (const [name, pattern] of Object.entries(PATTERNS)) await measure(name, pattern);
