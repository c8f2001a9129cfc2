import { Command } from 'commander';
import { keyIdOf } from '../keys/derive.ts';
import { addKeyToFile, removeKeyFromFile } from '../keys/master.ts';
import { keyRecord, type StoreKeys } from '../keys/ring.ts';
import { rekeyRegistry } from '../registry/rekey.ts';
import type { Runtime } from '../runtime.ts';
import { withDataOptions } from './options.ts';
import { CliError } from './errors.ts';
import { emit, notice, withRuntime } from './runtime.ts';

/**
 * Key rotation by key ring (src/keys/ring.ts): `add` a key to the ring, give it to every node,
 * `rotate` to make it current, `rewrap` what the old key protects, `retire` the old key.
 */

/** What each key of the store still protects. */
async function usage(runtime: Runtime): Promise<Map<string, { registryRows: number; sealed: number }>> {
  const rows = await runtime.store.registry.countByKey();
  const sealed = await runtime.services.tenants.sealedByKey();
  const out = new Map<string, { registryRows: number; sealed: number }>();
  for (const k of runtime.keys.records) out.set(k.keyId, { registryRows: rows.get(k.keyId) ?? 0, sealed: sealed.get(k.keyId) ?? 0 });
  return out;
}

const keysOnly = <T,>(options: Record<string, unknown>, work: (runtime: Runtime) => Promise<T>) =>
  withRuntime(options, 'existing', work, { currentKeyOnly: true });

function distributeHint(keys: StoreKeys): string {
  const file = keys.ring.file;
  return file
    ? `copy ${file} to every node of this store (REALNAME_MASTER_KEY: the same keys, comma-separated) and restart them`
    : 'set REALNAME_MASTER_KEY on every node of this store to the same keys, comma-separated, and restart them';
}

export function keysCommand(): Command {
  const keys = new Command('keys').description('the master keys of the store: list, add, rotate, rewrap, retire');

  withDataOptions(keys.command('list'))
    .description('the store\'s keys: which is current, what each still protects, which this node holds')
    .option('--json', 'print one JSON object')
    .action(async (options) => {
      const list = await keysOnly(options, async (runtime) => {
        const used = await usage(runtime);
        return runtime.keys.records.map((k) => ({
          keyId: k.keyId,
          state: k.state,
          held: runtime.keys.ring.holds(k.keyId),
          createdAt: new Date(k.createdAt).toISOString(),
          retiredAt: k.retiredAt === null ? null : new Date(k.retiredAt).toISOString(),
          ...used.get(k.keyId)!,
        }));
      });
      emit(options, { keys: list }, () =>
        list
          .map((k) => `${k.keyId}  ${k.state.padEnd(8)}  ${k.held ? 'held   ' : 'missing'}  ${k.registryRows} registry rows, ${k.sealed} sealed secrets  (added ${k.createdAt})`)
          .join('\n'),
      );
    });

  withDataOptions(keys.command('add'))
    .description('add a new key to the key file (nothing uses it until `keys rotate`); give every node the file first')
    .option('--json', 'print one JSON object')
    .action(async (options) => {
      // Against an existing store only: a typo in --data is an error, not a new key file somewhere.
      const added = await keysOnly(options, async (runtime) => {
        const file = runtime.keys.ring.file ?? runtime.config.keyFile;
        return { keyId: keyIdOf(addKeyToFile(file)), keyFile: file, fromEnv: runtime.keys.ring.file === undefined };
      });
      const env = added.fromEnv ? ' (this process reads REALNAME_MASTER_KEY, not the file: add the key there too, after the current one)' : '';
      emit(options, { keyId: added.keyId, keyFile: added.keyFile }, () =>
        `added key ${added.keyId} to ${added.keyFile}${env}\n` +
          'Give every node of the store this key ring (the file, or REALNAME_MASTER_KEY with the keys comma-separated), restart them, then run realname keys rotate.',
      );
    });

  withDataOptions(keys.command('rotate'))
    .description('make a new key current: new seals and hashes use it, rows made under the old key stay readable')
    .option('--json', 'print one JSON object')
    .action(async (options) => {
      const result = await keysOnly(options, async (runtime) => {
        const { keys: storeKeys } = runtime;
        const records = storeKeys.records;
        const previous = records.filter((k) => k.state === 'previous');
        if (previous.length > 0) {
          throw new CliError(`a rotation is still under way (key ${previous[0]!.keyId} is rotated out, not retired): run realname keys rewrap, then realname keys retire ${previous[0]!.keyId}`);
        }
        const known = new Set(records.map((k) => k.keyId));
        let next = storeKeys.ring.ids().filter((id) => !known.has(id)).at(-1);
        let added = false;
        if (next === undefined) {
          const file = storeKeys.ring.file;
          if (!file) {
            throw new CliError('REALNAME_MASTER_KEY holds no key the store does not know: run realname keys add --key-file FILE, add that key to REALNAME_MASTER_KEY (comma-separated, after the current one) on every node, then rotate again');
          }
          next = keyIdOf(addKeyToFile(file));
          storeKeys.ring.refresh();
          added = true;
        }
        const from = storeKeys.currentId;
        const record = keyRecord(storeKeys.ring, next, { wraps: true, pepper: storeKeys.pepper, now: Date.now() });
        if (!(await runtime.store.keys.rotate(record, from))) throw new CliError('another process changed the store\'s keys meanwhile: run realname keys list, then try again');
        return { from, to: next, added, hint: distributeHint(storeKeys) };
      });
      emit(options, { previous: result.from, current: result.to, addedToKeyFile: result.added }, () =>
        [
          `key ${result.to} is now current; key ${result.from} still protects what it made, which stays readable.`,
          ...(result.added ? [`A new key was added to the key file: ${result.hint} — a node without it stops being ready.`] : []),
          `Next: realname keys rewrap, then realname keys retire ${result.from}`,
        ].join('\n'),
      );
    });

  withDataOptions(keys.command('rewrap'))
    .description('re-seal secrets and re-key registry rows under the current key, a batch at a time; safe to stop and run again')
    .option('--json', 'print one JSON object')
    .action(async (options) => {
      const result = await withRuntime(options, 'existing', async (runtime) => {
        const current = runtime.keys.currentId;
        const sealed = await runtime.services.tenants.reseal(current);
        let last = 0;
        const moved = await rekeyRegistry(runtime.store.registry, runtime.keys, {
          onProgress: (p) => {
            if (process.stderr.isTTY && p.moved - last >= 100_000) {
              last = p.moved;
              notice(`rewrapped ${p.moved.toLocaleString('en')} registry rows of key ${p.keyId}`);
            }
          },
        });
        const old = runtime.keys.liveIds().filter((id) => id !== current);
        return { current, ...sealed, registryRows: [...moved.values()].reduce((a, b) => a + b, 0), old };
      });
      emit(options, result, () =>
        [
          `rewrapped under key ${result.current}: ${result.appkeys} appkeys, ${result.secrets} secrets, ${result.registryRows} registry rows`,
          ...result.old.map((id) => `key ${id} protects nothing now: realname keys retire ${id}`),
        ].join('\n'),
      );
    });

  withDataOptions(keys.command('retire'))
    .description('retire a rotated-out key once nothing uses it, and take it out of this node\'s key file')
    .argument('<keyId>')
    .option('--json', 'print one JSON object')
    .action(async (keyId: string, options) => {
      const result = await keysOnly(options, async (runtime) => {
        const record = runtime.keys.records.find((k) => k.keyId === keyId);
        if (!record) throw new CliError(`the store has no key ${keyId} (realname keys list shows its keys)`);
        if (record.state === 'current') throw new CliError(`key ${keyId} is the current key: rotate to another first (realname keys rotate)`);
        if (record.state === 'retired') throw new CliError(`key ${keyId} is retired already`);
        const used = (await usage(runtime)).get(keyId)!;
        if (used.registryRows > 0 || used.sealed > 0) {
          throw new CliError(`key ${keyId} still protects ${used.registryRows} registry rows and ${used.sealed} sealed secrets: run realname keys rewrap first`);
        }
        if (!(await runtime.store.keys.retire(keyId, Date.now()))) throw new CliError(`key ${keyId} could not be retired: another process changed the store's keys meanwhile`);
        const file = runtime.keys.ring.file;
        const removed = file !== undefined && runtime.keys.ring.holds(keyId) && removeKeyFromFile(file, keyId);
        return { file, removed };
      });
      emit(options, { keyId, retired: true, removedFromKeyFile: result.removed }, () =>
        `key ${keyId} is retired.` +
          (result.removed ? ` It was taken out of ${result.file}; give every node this key file.` : ' Take it out of every key ring that still holds it.') +
          ' Backups made before the rewrap still need it.',
      );
    });
  return keys;
}
