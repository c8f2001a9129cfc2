import { randomInt } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireService } from '../helpers/services.ts';
import { httpRequest, wire } from '../helpers/wire.ts';
import { DIALECTS } from './dialects/index.ts';
import { draftBytes } from './lib/encode.ts';
import { fuzz } from './lib/fuzz.ts';
import { type Backend, House, type Served } from './lib/house.ts';
import { Ledger } from './lib/ledger.ts';
import { load, send, validCheck } from './lib/load.ts';
import { DEADLINES, GRACE_MS, LONG, SEED, SIZES } from './lib/mode.ts';
import { plaintextHits } from './lib/plaintext.ts';
import { tally } from './lib/tally.ts';

const QUOTA = 1_000_000;
const CAP = 32;
const MB = 1024 * 1024;
const TIMEOUT = LONG ? 60 * 60_000 : 120_000;
const postgresUp = await requireService('postgres');

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const hangMs = (deadlineS: number) => deadlineS * 1000 + GRACE_MS;

/**
 * The fault suite on one backend: a real installation (CLI-made registry and app, `realname serve`
 * processes), fuzzed, starved, flooded, killed and replayed over HTTP, then held to account — every
 * answer has its audit record, every unit of quota its billed record, no factor sits in plaintext in any
 * file. Each scenario adds its counts to the one table (lib/tally.ts) and fails on any count not zero.
 */
export function faultSuite(backend: Backend): void {
  describe.skipIf(backend === 'postgres' && !postgresUp)(`fault suite on ${backend}`, () => {
    let house: House;
    let live: Served;
    const ledger = new Ledger();
    const flags = ['--connections-per-client', String(CAP)];
    const count = (metric: Parameters<typeof tally>[1], n: number) => tally(backend, metric, n);

    beforeAll(async () => {
      house = await House.create(backend, { identities: SIZES.identities, quota: QUOTA, seed: SEED % 100_000 });
      live = await house.serve(flags);
    }, TIMEOUT);
    afterAll(async () => {
      await house?.close();
    }, TIMEOUT);

    for (const dialect of DIALECTS) {
      it(`fuzzes ${dialect.name}: bodies, headers, encodings, lengths, framing and signatures`, async () => {
        const counts = await fuzz(dialect, house, live.port, ledger, SIZES.fuzzPerDialect, SEED + dialect.name.length);
        for (const key of ['fuzzed', '5xx', 'undocumented', 'hangs', 'second', 'forgeries'] as const) count(key, counts[key]);
        expect(counts.failures, `seed ${SEED}`).toEqual([]);
        expect(counts.fuzzed).toBe(SIZES.fuzzPerDialect);
      }, TIMEOUT);
    }

    it("never lets one app's credentials act for another app", async () => {
      const crossed: string[] = [];
      for (const dialect of DIALECTS) {
        for (const route of dialect.routes) {
          const person = house.people[crossed.length % house.people.length]!;
          const draft = { path: route.path, check: route.check, fields: dialect.fields(route.check, house.tenant, person), headers: {} };
          for (const attempt of dialect.impersonate(draft, house.tenant, house.other, { nowMs: Date.now(), singleUse: false, rand: randomInt(2 ** 31) })) {
            const result = await send(live.port, draftBytes(attempt, dialect.encodings[0]!), dialect, ledger);
            const code = result.responses[0] && dialect.answer(result.responses[0])?.code;
            if (code === undefined || dialect.codes.pastSignature.includes(code)) crossed.push(`${dialect.name} ${route.path}: ${code}`);
          }
        }
      }
      const untouched = (await house.quotaLeft(house.other.appid)) === house.quota;
      count('crossTenant', crossed.length + (untouched ? 0 : 1));
      expect({ crossed, untouched }).toEqual({ crossed: [], untouched: true });
    }, TIMEOUT);

    it('lets slow clients go at their deadlines and answers oversize uploads', async () => {
      const dialect = DIALECTS[0]!;
      let hangs = 0;
      const lost: string[] = [];
      const within = (what: string, closed: boolean) => {
        if (!closed) {
          hangs++;
          lost.push(what);
        }
      };
      const [idle, dripHeaders, dripBody, keepAlive] = await Promise.all([
        wire(live.port, [], { waitMs: hangMs(DEADLINES.headers) }),
        wire(live.port, ['POST /auth/idcard HTTP/1.1\r\n', ...Array.from({ length: 200 }, (_, i) => `x-${i}: 1\r\n`)], { dripMs: 50, waitMs: hangMs(DEADLINES.headers) }),
        wire(live.port, [httpRequest('POST', '/factor/idcard', { 'content-type': 'application/json', 'content-length': '5000' }), ...Array.from({ length: 5000 }, () => 'a')], { dripMs: 5, waitMs: hangMs(DEADLINES.request) }),
        wire(live.port, httpRequest('GET', '/healthz', {}), { waitMs: hangMs(DEADLINES.keepAlive) + 1000 }),
      ]);
      within('idle connection', idle.closed);
      within('dripping headers', dripHeaders.closed);
      within('dripping body', dripBody.closed);
      within('idle keep-alive', keepAlive.closed);

      // 10 MB uploads, every byte sent before any is read: each must still read its answer.
      const uploads = await Promise.all(
        Array.from({ length: SIZES.uploads }, (_, i) => {
          const d = DIALECTS[i % DIALECTS.length]!;
          const path = d.routes[0]!.path;
          const head = httpRequest('POST', path, { 'content-type': 'application/json', 'content-length': String(10 * MB) });
          return wire(live.port, [head, ...Array.from({ length: 10 }, () => Buffer.alloc(MB, 0x7b))], { sendAllFirst: true, waitMs: hangMs(DEADLINES.request) }).then((r) => ({ d, r }));
        }),
      );
      for (const { d, r } of uploads) {
        const answers = ledger.book(d, r);
        if (answers.length !== 1 || answers[0]?.code !== d.codes.tooLarge || r.responses[0]?.headers.connection !== 'close') {
          hangs++;
          lost.push(`10 MB upload to ${d.name}: ${r.responses.map((x) => x.status).join(',')} ${r.error ?? ''}`);
        }
      }
      // Past 16 MiB the connection is closed rather than read for ever.
      const endless = await wire(live.port, [httpRequest('POST', dialect.routes[0]!.path, { 'content-type': 'application/json', 'content-length': String(64 * MB) }), ...Array.from({ length: 64 }, () => Buffer.alloc(MB, 0x7b))], { waitMs: hangMs(DEADLINES.request) });
      ledger.book(dialect, endless);
      within('64 MB upload', endless.closed);

      // One address holds at most CAP connections: the rest are closed at once (the kept ones are let go
      // by this client before the headers deadline would close them).
      await sleep(300);
      const sockets = await Promise.all(Array.from({ length: CAP + 8 }, () => wire(live.port, [], { waitMs: DEADLINES.headers * 1000 - 200 })));
      const refused = sockets.filter((s) => s.closed).length;

      count('hangs', hangs);
      expect(lost).toEqual([]);
      expect(refused).toBe(8);
      // and the service goes on, once the server has seen those connections close
      await expect
        .poll(async () => {
          const after = await send(live.port, validCheck(dialect, house), dialect, ledger);
          return after.responses[0] && dialect.answer(after.responses[0])?.code;
        })
        .toBe('0');
    }, TIMEOUT);

    it('survives SIGKILL under load and right after an answer, and forgets no single-use signature', async () => {
      let survived = 0;
      let kills = 0;
      let replays = 0;
      const restart = async () => {
        live = await house.serve(flags);
        // Ready, and answering checks from the registry as before.
        const ready = await wire(live.port, httpRequest('GET', '/readyz', { connection: 'close' }));
        const dialect = DIALECTS[kills % DIALECTS.length]!;
        const check = await send(live.port, validCheck(dialect, house), dialect, ledger, { billable: true });
        if (ready.responses[0]?.status === 200 && dialect.codes.billed.includes(dialect.answer(check.responses[0]!)?.code ?? '')) survived++;
      };
      const kill = async () => {
        house.expectExit(live);
        live.child.kill('SIGKILL');
        await live.exited;
        kills++;
      };

      for (let round = 0; round < SIZES.killsUnderLoad; round++) {
        // A single-use signature used before the kill must stay used after it.
        const once = DIALECTS.filter((d) => d.singleUse).map((d) => ({ d, bytes: validCheck(d, house, { singleUse: true }) }));
        for (const { d, bytes } of once) await send(live.port, bytes, d, ledger, { billable: true });
        const traffic = load(() => [live.port], DIALECTS, house, ledger, 12);
        await sleep(200 + randomInt(1300));
        await kill();
        await traffic.stop();
        await restart();
        for (const { d, bytes } of once) {
          const again = await send(live.port, bytes, d, ledger);
          const code = d.answer(again.responses[0]!)?.code;
          if (code !== d.codes.replayed) replays++;
        }
      }
      for (let round = 0; round < SIZES.killsAfterAnswer; round++) {
        const dialect = DIALECTS[round % DIALECTS.length]!;
        // SIGKILL the moment the answer has arrived: its audit record must already be stored.
        const killNow = () => {
          house.expectExit(live);
          live.child.kill('SIGKILL');
        };
        await send(live.port, validCheck(dialect, house), dialect, ledger, { billable: true, onResponse: killNow });
        killNow(); // had no answer come, the kill is still due (and the ledger has the check as cut off)
        await live.exited;
        kills++;
        await restart();
      }
      count('kills', kills);
      count('survived', survived);
      count('replays', replays);
      expect({ survived, replays }).toEqual({ survived: kills, replays: 0 });
    }, TIMEOUT);

    it('accepts a single-use signature once, from a burst across two processes', async () => {
      const second = await house.serve(flags);
      let replays = 0;
      let bursts = 0;
      const wrong: string[] = [];
      try {
        for (const dialect of DIALECTS.filter((d) => d.singleUse)) {
          for (let b = 0; b < SIZES.replayBursts; b++) {
            const bytes = validCheck(dialect, house, { singleUse: true });
            const results = await Promise.all(Array.from({ length: SIZES.burst }, (_, i) => send(i % 2 ? second.port : live.port, bytes, dialect, ledger)));
            const codes = results.map((r) => dialect.answer(r.responses[0] ?? { status: 0, headers: {}, body: Buffer.alloc(0) })?.code ?? 'none');
            const accepted = codes.filter((c) => c !== dialect.codes.replayed && dialect.codes.pastSignature.includes(c)).length;
            bursts++;
            replays += Math.max(0, accepted - 1);
            if (accepted !== 1 || codes.filter((c) => c === dialect.codes.replayed).length !== SIZES.burst - 1) wrong.push(`${dialect.name}: ${codes.join(',')}`);
          }
        }
      } finally {
        const { code } = await house.stop(second);
        expect(code).toBe(0);
      }
      count('bursts', bursts);
      count('replays', replays);
      expect(wrong).toEqual([]);
    }, TIMEOUT);

    it('has an audit record for every answer and a billed record for every unit of quota, after SIGTERM', async () => {
      const { code } = await house.stop(live);
      expect(code).toBe(0);
      const spent = QUOTA - (await house.quotaLeft());
      const { missing, quota } = ledger.reckon(await house.auditRows(), spent);
      count('missing', missing);
      count('quota', quota);
      count('deaths', house.unexpectedExits());
      expect({ missing, quota, deaths: house.unexpectedExits() }).toEqual({ missing: 0, quota: 0, deaths: 0 });
      expect(ledger.billed).toBeGreaterThan(0);
    }, TIMEOUT);

    if (backend === 'postgres') {
      it('PostgreSQL refusing audit writes: checks answer unavailable, unbilled; SIGTERM keeps every record once it is back', async () => {
        const sql = async (text: string) => {
          const client = new pg.Client({ connectionString: house.env.REALNAME_POSTGRES_URL });
          await client.connect();
          try {
            await client.query(text);
          } finally {
            await client.end();
          }
        };
        const served = await house.serve([...flags, '--shutdown-grace', '20']);
        const before = (await house.auditRows()).length;
        const quotaBefore = await house.quotaLeft();
        await sql('ALTER TABLE audit RENAME TO audit_away');
        let answers = 0;
        try {
          // The first record that cannot be written tells the service (that check was answered); /readyz then fails.
          answers += (await send(served.port, validCheck(DIALECTS[0]!, house), DIALECTS[0]!, new Ledger())).responses.length;
          let ready = 200;
          for (let i = 0; i < 50 && ready === 200; i++) {
            await sleep(100);
            ready = (await wire(served.port, httpRequest('GET', '/readyz', { connection: 'close' }))).responses[0]?.status ?? 0;
          }
          expect(ready).toBe(503);
          for (const dialect of DIALECTS) {
            const result = await send(served.port, validCheck(dialect, house), dialect, new Ledger());
            answers += result.responses.length;
            expect(dialect.answer(result.responses[0]!)?.code).toBe(dialect.codes.unavailable);
          }
          // SIGTERM while the store still refuses; it comes back a moment later.
          house.expectExit(served);
          served.child.kill('SIGTERM');
          await sleep(1500);
        } finally {
          await sql('ALTER TABLE audit_away RENAME TO audit');
        }
        const exit = await served.exited;
        expect(exit.code).toBe(0);
        const rows = (await house.auditRows()).length;
        const missing = Math.max(0, before + answers - rows);
        count('missing', missing);
        expect(missing).toBe(0);
        // Only the check answered before the service knew was billed.
        expect(quotaBefore - (await house.quotaLeft())).toBe(1);

        // A store that stays down: the records are lost, and serve says how many.
        const doomed = await house.serve([...flags, '--shutdown-grace', '1']);
        await sql('ALTER TABLE audit RENAME TO audit_away');
        try {
          await send(doomed.port, validCheck(DIALECTS[0]!, house), DIALECTS[0]!, new Ledger());
          house.expectExit(doomed);
          doomed.child.kill('SIGTERM');
          const end = await doomed.exited;
          expect(end.code).toBe(1);
          expect(doomed.log).toMatch(/shutdown failed: 1 audit records could not be written within 1000 ms/);
        } finally {
          await sql('ALTER TABLE audit_away RENAME TO audit');
        }
      }, TIMEOUT);
    }

    it('leaves no factor in plaintext in any file, dump or log', async () => {
      await house.dump();
      const { hits, where } = plaintextHits(house.files(), house.people);
      count('plaintext', hits);
      expect(where).toEqual([]);
    }, TIMEOUT);
  });
}
