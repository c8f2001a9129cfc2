import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { Command } from 'commander';
import type { Credentials } from '../access/tenants.ts';
import { generateIdentities } from '../core/synthetic.ts';
import { signAuthorization } from '../protocols/tencent-image/signature.ts';
import { registryHasher } from '../registry/hash.ts';
import { importRegistry } from '../registry/import.ts';
import { identityCsv } from './registry.ts';
import { withRuntime } from './runtime.ts';
import { serveUntilSignalled } from './serve.ts';
import { positiveNumber, withServeOptions } from './options.ts';

const DEMO_SEED = 2026;

/**
 * One command to try Realname: its own data dir with a demo app and a synthetic registry, then serve.
 * Credentials go to a terminal only (and to <data>/demo.json, mode 0600), never into a pipe or a log.
 */
export function demoCommand(): Command {
  return withServeOptions(new Command('demo'), { data: './demo-data', logLevel: 'warn' })
    .description('start Realname with a demo app and a synthetic registry in its own data dir (default ./demo-data)')
    .option('--count <n>', 'synthetic identities in the registry', positiveNumber, 1000)
    .action(async (options) => {
      options.data ??= './demo-data';
      // the banner says where it listens; the JSON server log would only bury it
      options.logLevel ??= 'warn';
      const credentials = await prepareDemo(options);
      await serveUntilSignalled(options, (address) => {
        const file = join(options.data, 'demo.json');
        if (!process.stdout.isTTY) {
          process.stderr.write(`demo credentials are printed on a terminal only; they are in ${file}\n`);
          return;
        }
        process.stdout.write(demoBanner(address, credentials));
      });
    });
}

async function prepareDemo(options: Record<string, unknown> & { data: string; count: number }): Promise<Credentials> {
  return withRuntime(options, 'create', async (runtime) => {
    const file = join(options.data, 'demo.json');
    let credentials: Credentials;
    if (existsSync(file)) {
      credentials = JSON.parse(readFileSync(file, 'utf8')) as Credentials;
    } else {
      credentials = await runtime.services.tenants.create({ name: 'demo' });
      writeFileSync(file, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
    }
    if ((await runtime.store.registry.count()) === 0) {
      await importRegistry({
        input: Readable.from(identityCsv(options.count, DEMO_SEED)),
        format: 'csv',
        store: runtime.store.registry,
        hasher: registryHasher(runtime.keys),
        now: new Date(),
      });
    }
    return credentials;
  });
}

function demoBanner(address: string, c: Credentials): string {
  const [person] = generateIdentities(1, DEMO_SEED);
  if (!person) throw new Error('the synthetic generator yielded nobody');
  const now = Math.floor(Date.now() / 1000);
  const authorization = signAuthorization({
    appid: c.appid,
    bucket: c.bucket,
    secretId: c.secretId,
    secretKey: c.secretKey,
    expiry: now + 86_400,
    now,
    rand: 1,
  });
  const body = JSON.stringify({
    appid: c.appid,
    idcard_number: person.idNumber,
    idcard_name: person.name,
    bankcard_number: person.bankCard,
  });
  return [
    '',
    'Realname demo (synthetic data only)',
    `  appid      ${c.appid}`,
    `  bucket     ${c.bucket}`,
    `  secretId   ${c.secretId}`,
    `  secretKey  ${c.secretKey}`,
    `  appkey     ${c.appkey}   (SUBMAIL dialect)`,
    '',
    `A matching identity: ${person.name} ${person.idNumber} card ${person.bankCard}`,
    '',
    'Try it (the signature below is valid for 24 hours, reusable):',
    `curl -s ${address}/auth/idbankcard \\`,
    `  -H 'Content-Type: application/json' \\`,
    `  -H 'Authorization: ${authorization}' \\`,
    `  -d '${body}'`,
    '',
    '→ {"code":0,"message":"OK","data":{"session_id":"…"}}',
    '',
  ].join('\n');
}
