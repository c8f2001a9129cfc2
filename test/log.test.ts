import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateIdentities } from '../src/core/synthetic.ts';
import { createLogger } from '../src/log.ts';
import { signSubmail } from '../src/protocols/submail/signature.ts';
import { signAuthorization } from '../src/protocols/tencent-image/signature.ts';
import { buildServer } from '../src/server.ts';
import { assembleServices } from '../src/service/assemble.ts';
import { openStore } from '../src/store/index.ts';

/** Every line the logger wrote during the run, at debug and above. */
const lines: string[] = [];
const logger = createLogger({
  level: 'debug',
  destination: new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  }),
});
const people = [...generateIdentities(3, 99)];
const store = openStore({ kind: 'memory' });
const services = assembleServices({ store, masterKey: randomBytes(32) });
// A second house whose check path blows up with the factors in its message: the internal-error path logs.
const faulty = { ...services, verifier: { verify: async () => Promise.reject(new Error(`boom ${people[0]!.idNumber} ${people[0]!.name}`)) } };
const server = buildServer({ services, store, logger });
const broken = buildServer({ services: faulty, store, logger });

beforeAll(async () => {
  await server.ready();
  await broken.ready();
});
afterAll(async () => {
  await server.close();
  await broken.close();
  await store.close();
});

describe('the logger', () => {
  it('writes a line per request and never a factor, whatever the request or the fault', async () => {
    const app = await services.tenants.create({ name: 'logs' });
    const now = Math.floor(Date.now() / 1000);
    const authorization = signAuthorization({ ...app, now, expiry: now + 60, rand: 3 });
    for (const target of [server, broken]) {
      for (const p of people) {
        const image = { appid: app.appid, idcard_number: p.idNumber, idcard_name: p.name, bankcard_number: p.bankCard };
        await target.inject({ method: 'POST', url: '/auth/idbankcard', headers: { authorization }, payload: image });
        await target.inject({ method: 'POST', url: '/auth/idcard', headers: { 'content-type': 'application/json' }, payload: `{"idcard_number":"${p.idNumber}"` });
        const signed = { name: p.name, idNo: p.idNumber, cardNumber: p.bankCard, timestamp: String(now) };
        const submail = { appid: app.appid, ...signed, signature: signSubmail(app.appkey, signed) };
        await target.inject({ method: 'POST', url: '/factor/card_three_auth', payload: submail });
        await target.inject({ method: 'POST', url: '/factor/idcard', payload: { ...submail, appid: '1' } });
      }
    }
    const log = lines.join('');
    expect(lines.filter((l) => l.includes('"msg":"answered"')).length).toBe(people.length * 8);
    expect(log).toContain('internal error');
    for (const p of people) for (const value of [p.idNumber, p.name, p.bankCard]) expect(log).not.toContain(value);
  });

  it('censors factor fields wherever a caller puts them', () => {
    const [p] = people;
    logger.info({ idNumber: p!.idNumber, body: { idcard_name: p!.name }, request: { bankCard: p!.bankCard, Phone: p!.phone } }, 'careless');
    const line = lines.at(-1)!;
    expect(line).toContain('careless');
    for (const value of [p!.idNumber, p!.name, p!.bankCard, p!.phone]) expect(line).not.toContain(value);
  });
});
