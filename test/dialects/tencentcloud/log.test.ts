import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateIdentities } from '../../../src/core/synthetic.ts';
import { createLogger } from '../../../src/log.ts';
import { buildServer } from '../../../src/server.ts';
import { assembleServices } from '../../../src/service/assemble.ts';
import { openStore } from '../../../src/store/index.ts';
import { tc3Headers } from '../../helpers/tencentcloud.ts';

/** Every line the FaceID dialect's requests make the logger write, normal or faulty: never a factor. */
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
const people = [...generateIdentities(3, 'faceid-log')];
const store = openStore({ kind: 'memory' });
const services = assembleServices({ store, masterKey: randomBytes(32) });
const faulty = { ...services, verifier: { verify: async () => Promise.reject(new Error(`boom ${people[0]!.idNumber} ${people[0]!.name} ${people[0]!.phone}`)) } };
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

describe('the FaceID dialect\'s log', () => {
  it('writes one line per answer and never a factor, for verdicts, refusals and internal faults', async () => {
    const app = await services.tenants.create({ name: 'logs' });
    let sent = 0;
    for (const target of [server, broken]) {
      for (const p of people) {
        const bodies: [string, Record<string, unknown>][] = [
          ['BankCard4EVerification', { Name: p.name, BankCard: p.bankCard, Phone: p.phone, IdCard: p.idNumber }],
          ['PhoneVerification', { IdCard: p.idNumber, Name: p.name, Phone: p.phone, Unknown: p.phone }],
          ['IdCardVerification', { IdCard: p.idNumber, Name: 7 }],
        ];
        for (const [action, fields] of bodies) {
          const body = JSON.stringify(fields);
          const headers = tc3Headers({ secretId: app.secretId, secretKey: app.secretKey, action, body }, 'localhost:80');
          const reply = await target.inject({ method: 'POST', url: '/', headers, payload: body });
          expect(reply.statusCode).toBe(200);
          sent++;
        }
      }
    }
    const log = lines.join('');
    expect(lines.filter((l) => l.includes('"msg":"answered"') && l.includes('"dialect":"tencentcloud"')).length).toBe(sent);
    expect(log).toContain('internal error');
    for (const p of people) for (const value of [p.idNumber, p.name, p.bankCard, p.phone]) expect(log).not.toContain(value);
  });
});
