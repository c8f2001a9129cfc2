import type { Command } from 'commander';
import { withDataOptions } from './options.ts';
import { emit, withRuntime } from './runtime.ts';

type Options = Record<string, unknown> & { json?: boolean };

/** `realname apps keys add|list|revoke`: an app's API keys for /v1 (Authorization: Bearer rn_live_…). */
export function apiKeysCommand(apps: Command): void {
  const keys = apps.command('keys').description("an app's API keys for the REST API (/v1, Authorization: Bearer)");
  withDataOptions(keys.command('add'))
    .option('--json', 'print one JSON object')
    .description('make an API key; prints it once (the store keeps a keyed hash of it)')
    .argument('<appid>')
    .action(async (appid: string, options: Options) => {
      const made = await withRuntime(options, 'existing', async ({ services }) => {
        await services.tenants.require(appid);
        return services.apiKeys.create(appid);
      });
      emit(options, made, () => `app ${appid}: new API key ${made.keyId}\n  key  ${made.key}\nKeep it now: it is not shown again.`);
    });
  withDataOptions(keys.command('list'))
    .option('--json', 'print one JSON object')
    .description("an app's API keys (ids and states, never a key)")
    .argument('<appid>')
    .action(async (appid: string, options: Options) => {
      const listed = await withRuntime(options, 'existing', async ({ services }) => {
        await services.tenants.require(appid);
        return services.apiKeys.list(appid);
      });
      const view = listed.map((k) => ({ keyId: k.keyId, revoked: k.revoked, createdAt: new Date(k.createdAt).toISOString() }));
      emit(options, { appid, keys: view }, () =>
        view.length === 0 ? `app ${appid} has no API keys` : view.map((k) => `${k.keyId}  ${k.revoked ? 'revoked' : 'active '}  ${k.createdAt}`).join('\n'),
      );
    });
  withDataOptions(keys.command('revoke'))
    .option('--json', 'print one JSON object')
    .description('revoke an API key: a running server refuses it within a second (401 api_key_revoked)')
    .argument('<appid>')
    .argument('<keyId>')
    .action(async (appid: string, keyId: string, options: Options) => {
      await withRuntime(options, 'existing', ({ services }) => services.apiKeys.revoke(appid, keyId));
      emit(options, { appid, keyId, revoked: true }, () => `app ${appid}: API key ${keyId} revoked`);
    });
}
