import { calendarDay } from '../core/calendar.ts';
import { Command, InvalidArgumentError } from 'commander';
import type { Runtime } from '../runtime.ts';
import type { SourceSettings } from '../store/types.ts';
import { SourceAdmin, type SourceReport, type SourceSpec } from '../sources/upstream/admin.ts';
import { SOURCE_TYPES } from '../sources/upstream/index.ts';
import { CliError } from './errors.ts';
import { commaList, positiveNumber, wholeNumber, withDataOptions } from './options.ts';
import { readAll } from './stdin.ts';
import { withRuntime } from './runtime.ts';

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

function print(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

const yuan = (fen: number) => `¥${(fen / 100).toFixed(2)}`;
const ms = (v: number | undefined) => (v === undefined ? '-' : v === Infinity ? '>30s' : `≤${v}ms`);

/** The `realname sources` table: one line per source, every node's figures for today and this month. */
export function renderReport(rows: SourceReport[]): string {
  if (rows.length === 0) return 'no upstream sources (add one with `realname sources add`)\n';
  const table = [
    ['NAME', 'TYPE', 'STATE', 'CALLS', 'ERRORS', 'P50', 'P99', 'COST TODAY', 'BUDGET/DAY', 'COST MONTH'],
    ...rows.map((r) => [
      r.name,
      r.type,
      r.state,
      String(r.callsToday),
      String(r.errorsToday),
      ms(r.p50Ms),
      ms(r.p99Ms),
      yuan(r.costTodayFen),
      r.dailyBudgetFen === null ? 'none' : yuan(r.dailyBudgetFen),
      yuan(r.costMonthFen),
    ]),
  ];
  const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
  return table.map((row) => row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n') + '\n';
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

/** What `sources show` prints: the configuration, and which credential fields are stored (never their values). */
async function view(admin: SourceAdmin, name: string) {
  const r = await admin.require(name);
  const [report] = (await admin.report()).filter((x) => x.name === name);
  return { ...r, credentialsSealed: undefined, credentials: admin.credentialFields(r), createdAt: new Date(r.createdAt).toISOString(), updatedAt: new Date(r.updatedAt).toISOString(), today: report };
}

export function sourcesCommand(): Command {
  const sources = withDataOptions(new Command('sources'))
    .description('upstream vendors asked for checks: their state, calls, latency and cost (today and this month)')
    .option('--json', 'print JSON')
    .action(async (options) => {
      const rows = await withSources(options, (admin) => admin.report());
      if (options.json) print(rows);
      else process.stdout.write(renderReport(rows));
    });

  withDataOptions(sources.command('list'))
    .description('the same table as `realname sources`')
    .option('--json', 'print JSON')
    .action(async (_options, command: Command) => {
      const options = command.optsWithGlobals();
      const rows = await withSources(options, (admin) => admin.report());
      if (options.json) print(rows);
      else process.stdout.write(renderReport(rows));
    });

  withSettingFlags(withDataOptions(sources.command('add')))
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
      print(await withSources(options, async (admin) => (await admin.add(name, options.type, spec), view(admin, name)), 'create'));
    });

  withSettingFlags(withDataOptions(sources.command('set')))
    .description('change a source; --credentials - reads new credentials from stdin')
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
      if (options.credentials) spec.credentials = await credentialsFromStdin();
      print(await withSources(options, async (admin) => (await admin.set(name, spec), view(admin, name))));
    });

  withDataOptions(sources.command('show'))
    .description('a source: its configuration, the names of its credential fields, today\'s figures')
    .argument('<name>')
    .action(async (name: string, _options, command: Command) => print(await withSources(command.optsWithGlobals(), (admin) => view(admin, name))));

  withDataOptions(sources.command('remove'))
    .description('remove a source (and take it out of every route)')
    .argument('<name>')
    .action(async (name: string, _options, command: Command) => {
      await withSources(command.optsWithGlobals(), (admin) => admin.remove(name));
      print({ name, removed: true });
    });

  for (const [verb, disabled] of [['disable', true], ['enable', false]] as const) {
    withDataOptions(sources.command(verb))
      .description(disabled ? 'the kill switch: no node asks the source any more (within a second)' : 'ask the source again')
      .argument('<name>')
      .action(async (name: string, _options, command: Command) => {
        const r = await withSources(command.optsWithGlobals(), (admin) => admin.switch(name, disabled));
        print({ name: r.name, disabled: r.disabled });
      });
  }
  return sources;
}

export function routesCommand(): Command {
  const routes = new Command('routes').description('which sources answer each check kind, in order');
  withDataOptions(routes.command('set'))
    .description('a kind\'s route, e.g. `routes set bankcard3 registry,aliyun,submail`; NAME:next passes a no-record on, NAME:answer keeps it')
    .argument('<kind>')
    .argument('<sources>', 'comma-separated, in order; "registry" is the local registry')
    .action(async (kind: string, list: string, options) => print({ kind, route: await withSources(options, (admin) => admin.setRoute(kind, list), 'create') }));
  withDataOptions(routes.command('clear'))
    .description('back to the default route: the registry, then every enabled source that answers the kind')
    .argument('<kind>')
    .action(async (kind: string, options) => {
      await withSources(options, (admin) => admin.clearRoute(kind));
      print({ kind, route: 'default' });
    });
  withDataOptions(routes.command('list'))
    .description('the configured routes')
    .action(async (options) => print(await withSources(options, (admin) => admin.routes())));
  return routes;
}
