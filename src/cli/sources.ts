import { calendarDay } from '../core/calendar.ts';
import { Command, InvalidArgumentError } from 'commander';
import { CHECK_KINDS, isCheckKind } from '../core/index.ts';
import type { Runtime } from '../runtime.ts';
import type { SourceSettings } from '../store/types.ts';
import { SourceAdmin, SourceError, type SourceSpec } from '../sources/upstream/admin.ts';
import { SOURCE_TYPES } from '../sources/upstream/index.ts';
import { CliError, UsageError } from './errors.ts';
import { commaList, positiveNumber, wholeNumber, withDataOptions } from './options.ts';
import { readAll } from './stdin.ts';
import { emit, notice, withRuntime } from './runtime.ts';
import { renderReport, routeText, routesText, sourceText, sourceView } from './sources-text.ts';

/*
 * `sources` takes the data options itself (`realname sources --data d`) and so does each subcommand:
 * commander hands an option given after a subcommand to the parent that also defines it, so every
 * subcommand reads its options with the parent's merged in (optsWithGlobals).
 */

/** Runs `work` with the sources' admin over the configured store (sealing under the key ring, as app secrets are). */
export function withSources<T>(
  options: Record<string, unknown>,
  work: (admin: SourceAdmin, runtime: Runtime) => Promise<T>,
  use: 'existing' | 'create' = 'existing',
): Promise<T> {
  return withRuntime(options, use, (runtime) => work(new SourceAdmin(runtime.store.sources, runtime.keys.sealer, Date.now, calendarDay(runtime.config.timeZone)), runtime));
}

// commander turns a parser's null into '': "no budget" travels as the word and becomes null below.
const budget = (v: string): number | 'none' => (v === 'none' ? 'none' : wholeNumber(v));

function withSettingFlags(command: Command): Command {
  return command
    .option('--kinds <kinds>', 'check kinds it is asked for, e.g. idcard2,bankcard3 (default: every kind it answers)', commaList)
    .option('--timeout-ms <n>', 'time limit of one call; the HTTP request is aborted past it (default 3000)', positiveNumber)
    .option('--concurrency <n>', 'calls in flight at most; more wait their turn (default 16)', positiveNumber)
    .option('--cost-fen <n>', 'what one billed answer costs, in fen (default 0)', wholeNumber)
    .option('--daily-budget-fen <n>', 'skip the source once this much was billed today, or "none" (default none)', budget)
    .option('--breaker-failures <n>', 'consecutive failures that open its circuit breaker (default 5)', positiveNumber)
    .option('--breaker-probe-ms <n>', 'how long an open breaker waits before one probe (default 30000)', positiveNumber)
    .option('--retry-on-timeout', 'ask the next source after a request that was sent and got no answer (it may have been billed)')
    .option('--no-retry-on-timeout', 'never ask another source after a sent request went unanswered (the default)')
    .option('--insecure', 'allow plain http to an endpoint that is not loopback (factors travel unencrypted)');
}

function settingsFrom(options: Record<string, unknown>): Partial<SourceSettings> {
  const s: Partial<SourceSettings> = {};
  if (options.timeoutMs !== undefined) s.timeoutMs = options.timeoutMs as number;
  if (options.concurrency !== undefined) s.concurrency = options.concurrency as number;
  if (options.costFen !== undefined) s.costFen = options.costFen as number;
  if (options.dailyBudgetFen !== undefined) s.dailyBudgetFen = options.dailyBudgetFen === 'none' ? null : (options.dailyBudgetFen as number);
  if (options.breakerFailures !== undefined) s.breakerFailures = options.breakerFailures as number;
  if (options.breakerProbeMs !== undefined) s.breakerProbeMs = options.breakerProbeMs as number;
  if (options.retryOnTimeout !== undefined) s.retryOnTimeout = options.retryOnTimeout as boolean;
  if (options.insecure !== undefined) s.insecure = options.insecure as boolean;
  return s;
}

/** One JSON object from stdin: credentials never travel in a flag (`ps`, shell history). */
async function credentialsFromStdin(): Promise<unknown> {
  if (process.stdin.isTTY) process.stderr.write('credentials JSON (one object), then Ctrl-D:\n');
  const text = (await readAll(process.stdin)).trim();
  try {
    return JSON.parse(text);
  } catch {
    throw new CliError('credentials must be one JSON object on stdin');
  }
}

function typeName(value: string): string {
  if (!SOURCE_TYPES.includes(value)) throw new InvalidArgumentError(`expected ${SOURCE_TYPES.join(', ')}`);
  return value;
}

/** A source as `sources show` prints it (and `add`, `set`). */
async function view(admin: SourceAdmin, name: string) {
  const r = await admin.require(name);
  const report = (await admin.report()).find((x) => x.name === name);
  return sourceView(r, admin.credentialFields(r), report);
}

const json = (command: Command) => command.option('--json', 'print one JSON object');

/** A kind named on the command line: a usage error (exit 2) when the house has no such kind. */
function kindName(value: string): string {
  if (!isCheckKind(value)) throw new InvalidArgumentError(`expected one of ${CHECK_KINDS.join(', ')}`);
  return value;
}

export function sourcesCommand(): Command {
  const sources = json(withDataOptions(new Command('sources')))
    .description('upstream vendors asked for checks: their state, calls, latency and cost (today and this month)')
    .action(async (options) => {
      const rows = await withSources(options, (admin) => admin.report());
      emit(options, rows, () => renderReport(rows));
    });

  json(withDataOptions(sources.command('list')))
    .description('the same table as `realname sources`')
    .action(async (_options, command: Command) => {
      const options = command.optsWithGlobals();
      const rows = await withSources(options, (admin) => admin.report());
      emit(options, rows, () => renderReport(rows));
    });

  json(withSettingFlags(withDataOptions(sources.command('add'))))
    .description('add an upstream source; its credentials are read from stdin as one JSON object and sealed at rest')
    .argument('<name>', 'its name in routes, the audit and the figures')
    .requiredOption('--type <type>', SOURCE_TYPES.join(' | '), typeName)
    .requiredOption('--endpoint <url>', 'https://host[:port][/path] (http only for loopback or with --insecure)')
    .action(async (name: string, _options, command: Command) => {
      const options = command.optsWithGlobals();
      const credentials = await credentialsFromStdin();
      const spec: SourceSpec & { endpoint: string; credentials: unknown } = {
        endpoint: options.endpoint,
        credentials,
        settings: settingsFrom(options),
        ...(options.kinds ? { kinds: options.kinds } : {}),
      };
      // Adding a source, like creating an app, makes a store where there is none (and says so).
      const added = await withSources(options, async (admin) => (await admin.add(name, options.type, spec), view(admin, name)), 'create');
      emit(options, added, () => `source ${name} added\n${sourceText(added)}`);
    });

  json(withSettingFlags(withDataOptions(sources.command('set'))))
    .description('change a source (at least one flag); --credentials - reads new credentials from stdin')
    .argument('<name>')
    .option('--endpoint <url>', 'a new endpoint')
    .option('--credentials <dash>', 'must be "-": new credentials JSON on stdin', (v) => {
      if (v !== '-') throw new InvalidArgumentError('pass "-" and write the JSON to stdin');
      return v;
    })
    .action(async (name: string, _options, command: Command) => {
      const options = command.optsWithGlobals();
      const spec: SourceSpec = { settings: settingsFrom(options) };
      if (options.endpoint) spec.endpoint = options.endpoint;
      if (options.kinds) spec.kinds = options.kinds;
      if (Object.keys(spec.settings!).length === 0 && !spec.endpoint && !spec.kinds && !options.credentials) {
        throw new UsageError(command, 'nothing to set: give at least one of --endpoint, --credentials -, --kinds, --timeout-ms, --concurrency, --cost-fen, --daily-budget-fen, --breaker-failures, --breaker-probe-ms, --[no-]retry-on-timeout, --insecure');
      }
      if (options.credentials) spec.credentials = await credentialsFromStdin();
      const changed = await withSources(options, async (admin) => (await admin.set(name, spec), view(admin, name)));
      emit(options, changed, () => sourceText(changed));
    });

  json(withDataOptions(sources.command('show')))
    .description("a source: its configuration, the names of its credential fields, today's figures")
    .argument('<name>')
    .action(async (name: string, _options, command: Command) => {
      const options = command.optsWithGlobals();
      const shown = await withSources(options, (admin) => view(admin, name));
      emit(options, shown, () => sourceText(shown));
    });

  json(withDataOptions(sources.command('remove')))
    .description('remove a source (and take it out of every route)')
    .argument('<name>')
    .action(async (name: string, _options, command: Command) => {
      const options = command.optsWithGlobals();
      const affected = await withSources(options, (admin) => admin.remove(name));
      // A route the removal left with no source, or with the registry alone where the default would ask a vendor: said, never silent.
      for (const { kind, route, defaultRoute } of affected) {
        notice(`warning: the route of ${kind} is now ${routeText(route)}; its default route would be ${routeText(defaultRoute)} (\`realname routes clear ${kind}\` takes it, \`routes set\` sets another)`);
      }
      emit(options, { name, removed: true, routes: Object.fromEntries(affected.map((a) => [a.kind, a.route])) }, () => `source ${name} removed`);
    });

  for (const [verb, disabled] of [['disable', true], ['enable', false]] as const) {
    json(withDataOptions(sources.command(verb)))
      .description(disabled ? 'the kill switch: no node asks the source any more (within a second)' : 'ask the source again')
      .argument('<name>')
      .action(async (name: string, _options, command: Command) => {
        const options = command.optsWithGlobals();
        const r = await withSources(options, (admin) => admin.switch(name, disabled));
        emit(options, { name: r.name, disabled: r.disabled }, () =>
          disabled ? `source ${r.name} disabled: no node asks it within a second` : `source ${r.name} enabled: every node may ask it again within a second`,
        );
      });
  }
  return sources;
}

/** A route the admin refuses (an unknown or unfit source, a malformed item) is a wrong argument: exit 2. */
async function asUsage<T>(command: Command, work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof SourceError) throw new UsageError(command, error.message);
    throw error;
  }
}

export function routesCommand(): Command {
  const routes = new Command('routes').description('which sources answer each check kind, in order');
  json(withDataOptions(routes.command('set')))
    .description("a kind's route, e.g. `routes set bankcard3 registry,aliyun,submail`; NAME:next passes a no-record on, NAME:answer keeps it")
    .argument('<kind>', CHECK_KINDS.join(' | '), kindName)
    .argument('<sources>', 'comma-separated, in order; "registry" is the local registry')
    .action(async (kind: string, list: string, options, command: Command) => {
      const route = await withSources(options, (admin) => asUsage(command, admin.setRoute(kind, list)), 'create');
      emit(options, { kind, route }, () => `${kind}: ${routeText(route)}`);
    });
  json(withDataOptions(routes.command('clear')))
    .description('back to the default route: the registry, then every enabled source that answers the kind')
    .argument('<kind>', CHECK_KINDS.join(' | '), kindName)
    .action(async (kind: string, options) => {
      const route = await withSources(options, async (admin) => (await admin.clearRoute(kind), admin.defaultRoute(kind)));
      emit(options, { kind, route: 'default' }, () => `${kind}: the default route, now ${routeText(route)}`);
    });
  json(withDataOptions(routes.command('list')))
    .description('the configured routes (--json), and the default route of every other kind (text)')
    .action(async (options) => {
      const [configured, defaults] = await withSources(options, async (admin) => {
        const set = await admin.routes();
        const others = CHECK_KINDS.filter((k) => !(k in set));
        return [set, await Promise.all(others.map(async (k): Promise<[string, Awaited<ReturnType<SourceAdmin['defaultRoute']>>]> => [k, await admin.defaultRoute(k)]))] as const;
      });
      emit(options, configured, () => routesText(configured, defaults));
    });
  return routes;
}
