/**
 * `node --import tsx bench/store-writes.ts [--rounds 5] [--ms 400] [--only counters,audit,both]`:
 * µs per check of the per-check writes on the embedded SQLite store, in-process, on a WAL file opened
 * as openStore opens it. A "turn" issues N checks of one tenant with a QPS limit and a quota (the
 * service's spend, src/service/spend.ts) and/or N audit records, then awaits the spends, as a busy
 * server's event loop does; N = 1, 4, 10, 32. Each figure is the best of several rounds after a
 * warm-up: wall-clock µs per check and, in brackets, CPU µs per check of the event-loop thread,
 * which other load on the machine disturbs less. `--n 4,10` picks the checks per turn. Compare before/after back to back on the same machine (absolute figures drift).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { threadCpuUs } from './lib/proc.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSpend } from '../src/service/spend.ts';
import { openStore } from '../src/store/index.ts';
import type { App, AuditRecord } from '../src/store/types.ts';

const argv = process.argv.slice(2);
const opt = (name: string, fallback: string) => {
  const at = argv.indexOf(`--${name}`);
  return at >= 0 ? argv[at + 1]! : fallback;
};
const ROUNDS = Number(opt('rounds', '5'));
const ROUND_MS = Number(opt('ms', '400'));
const MODES = opt('only', 'counters,audit,both').split(',') as Array<'counters' | 'audit' | 'both'>;
const PER_TURN = opt('n', '1,4,10,32').split(',').map(Number);

const app: App = {
  appid: '1000001',
  name: 'bench',
  bucket: 'b',
  buckets: ['b'],
  qps: 1_000_000,
  quota: 1_000_000_000_000,
  checks: null,
  ipAllow: null,
  dailyPerId: null,
  dailyPerName: null,
  suspended: false,
  replayGuard: false,
  appkeySealed: 'v1.x',
  createdAt: 0,
};

const record = (i: number): AuditRecord => ({
  checkId: `chk-${i}`,
  at: Date.now(),
  appid: app.appid,
  dialect: 'tencent-image',
  kind: 'bankcard3',
  verdict: 'match',
  refusal: null,
  code: '0',
  masked: { name: '张*', idNumber: '1101**********1234', bankCard: '622202******1234' },
  source: 'registry',
  billed: true,
  latencyMs: 0.4,
});

async function measure(mode: 'counters' | 'audit' | 'both', perTurn: number): Promise<{ wall: number; cpu: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'realname-store-writes-'));
  const store = openStore({ kind: 'sqlite', file: join(dir, 'realname.db') });
  try {
    await store.apps.create(app, { secretId: 'AKIDbench', appid: app.appid, secretKeySealed: 'v1.x', revoked: false, createdAt: 0 });
    const spend = createSpend(store);
    const counters = mode !== 'audit';
    const audit = mode !== 'counters';
    let i = 0;
    const pending: Promise<unknown>[] = [];
    const round = async (ms: number) => {
      const cpu = threadCpuUs();
      const start = process.hrtime.bigint();
      const end = start + BigInt(ms * 1e6);
      let checks = 0;
      while (process.hrtime.bigint() < end) {
        for (let k = 0; k < perTurn; k++) {
          if (counters) pending.push(spend(app, true, Date.now()));
          if (audit) store.audit.write(record(i++));
        }
        checks += perTurn;
        if (counters) {
          await Promise.all(pending);
          pending.length = 0;
        } else {
          await new Promise((resolve) => setImmediate(resolve));
        }
      }
      await store.audit.flush();
      return { wall: Number(process.hrtime.bigint() - start) / 1e3 / checks, cpu: (threadCpuUs() - cpu) / checks };
    };
    await round(ROUND_MS); // warm-up: JIT, statement caches, first WAL growth
    const best = { wall: Infinity, cpu: Infinity };
    for (let r = 0; r < ROUNDS; r++) {
      const got = await round(ROUND_MS);
      best.wall = Math.min(best.wall, got.wall);
      best.cpu = Math.min(best.cpu, got.cpu);
    }
    return best;
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

for (const mode of MODES) {
  const cells: string[] = [];
  for (const n of PER_TURN) {
    const { wall, cpu } = await measure(mode, n);
    cells.push(`N=${n}: ${wall.toFixed(1)} (${cpu.toFixed(1)})`);
  }
  console.log(`${mode.padEnd(8)} µs/check wall (cpu)  ${cells.join('  ')}`);
}
