import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Credentials } from '../../src/access/tenants.ts';
import { exited, realname, realnameListening } from './cli.ts';

export interface VendorRealname {
  url: string;
  app: Credentials;
  child: ChildProcess;
  stop(): Promise<void>;
}

/**
 * A second Realname, as `realname serve` runs it from the build, on its own temp data dir: it holds the
 * given (synthetic) people in its registry and plays the vendor through its dialects (the image
 * service's and SUBMAIL's) for the gateway under test.
 */
export async function startVendorRealname(people: ReadonlyArray<{ name: string; idNumber: string; bankCard: string; phone: string }>): Promise<VendorRealname> {
  const dir = mkdtempSync(join(tmpdir(), 'realname-vendor-'));
  const csv = join(dir, 'people.csv');
  writeFileSync(csv, ['name,idNumber,bankCard,phone', ...people.map((p) => `${p.name},${p.idNumber},${p.bankCard},${p.phone}`)].join('\n') + '\n');
  const imported = await realname(['registry', 'import', csv, '--data', dir]);
  if (imported.code !== 0) throw new Error(`vendor import failed: ${imported.stderr}`);
  rmSync(csv);
  const created = await realname(['apps', 'create', '--name', 'gateway', '--json', '--data', dir]);
  if (created.code !== 0) throw new Error(`vendor app failed: ${created.stderr}`);
  const app = JSON.parse(created.stdout) as Credentials;
  const { child, url } = await realnameListening(['serve', '--port', '0', '--data', dir], { REALNAME_LOG_LEVEL: 'warn' });
  return {
    url,
    app,
    child,
    async stop() {
      child.kill('SIGTERM');
      await exited(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
