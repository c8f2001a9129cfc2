import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, exited, realname, realnameListening } from '../helpers/cli.ts';

/**
 * Every mistake an operator makes gets one line: what failed, the value, what to do; exit 1, or 2
 * with the command's usage line for a usage error. No stack trace unless --debug.
 */

let root: string;
/** A data dir holding a store (and an app), for the cases that need one. */
let store: string;
let appid: string;
let busy: Server;
let port: number;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'realname-errors-'));
  store = join(root, 'store');
  appid = JSON.parse((await realname(['apps', 'create', '--name', 'shop', '--json', '--data', store])).stdout).appid;
  busy = createServer();
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
  port = (busy.address() as { port: number }).port;
  mkdirSync(join(root, 'a-directory'));
  writeFileSync(join(root, 'people.txt'), 'name,idNumber\n');
  // A data dir whose database file is not SQLite at all.
  mkdirSync(join(root, 'not-a-db'));
  writeFileSync(join(root, 'not-a-db', 'realname.db'), 'x'.repeat(8192));
  writeFileSync(join(root, 'broken.csv'), 'name,idNumber,bankCard\n张三,11010519491231002X,\n李四,110105194912310037\n');
  writeFileSync(join(root, 'not.pem'), 'not a certificate\n');
  writeFileSync(join(root, 'odd.json'), '{"prot": 80}');
  // a good row and one whose ID number is too short (line 3): rejected 1
  writeFileSync(join(root, 'one-bad.csv'), 'name,idNumber\n张三,11010519491231002X\n王五,1101051949\n');
});

afterAll(() => {
  busy.close();
  rmSync(root, { recursive: true, force: true });
});

interface Case {
  what: string;
  args: () => string[];
  env?: NodeJS.ProcessEnv;
  stdin?: string;
  code: 1 | 2;
  /** The whole of stderr. */
  stderr: () => string;
}

const usage = (line: string) => `usage: ${line}  (--help for more)\n`;
const fresh = () => join(root, `fresh-${Math.random().toString(36).slice(2)}`);

const CASES: Case[] = [
  {
    what: 'serve on a port in use',
    args: () => ['serve', '--port', String(port), '--data', store],
    code: 1,
    stderr: () => `realname: cannot listen on 127.0.0.1:${port}: the address is already in use; stop the server using it or choose another --port\n`,
  },
  {
    what: 'demo on a port in use',
    args: () => ['demo', '--port', String(port), '--count', '5', '--data', join(root, 'demo')],
    code: 1,
    stderr: () =>
      `realname: created a new store at ${join(root, 'demo')} with a new master key (${join(root, 'demo', 'master.key')})\n` +
      `realname: cannot listen on 127.0.0.1:${port}: the address is already in use; stop the server using it or choose another --port\n`,
  },
  {
    what: '--port 99999',
    args: () => ['serve', '--port', '99999', '--data', store],
    code: 2,
    stderr: () => "realname: option '--port <port>' argument '99999' is invalid. port must be a whole number from 0 to 65,535\n" + usage('realname serve [options]'),
  },
  {
    what: 'REALNAME_PORT=99999',
    args: () => ['serve', '--data', store],
    env: { REALNAME_PORT: '99999' },
    code: 1,
    stderr: () => 'realname: REALNAME_PORT: port must be a whole number from 0 to 65,535, got "99999"\n',
  },
  {
    what: 'a missing --tls-cert file',
    args: () => ['serve', '--port', '0', '--tls-cert', join(root, 'nope.pem'), '--tls-key', join(root, 'nope.key'), '--data', store],
    code: 1,
    stderr: () => `realname: cannot read the TLS certificate ${join(root, 'nope.pem')}: no such file; check --tls-cert / REALNAME_TLS_CERT\n`,
  },
  {
    what: 'a --tls-cert that is not PEM',
    args: () => ['serve', '--port', '0', '--tls-cert', join(root, 'not.pem'), '--tls-key', join(root, 'not.pem'), '--data', store],
    code: 1,
    stderr: () => expect.stringMatching(/^realname: the TLS certificate or key cannot be used \(.+\); check --tls-cert and --tls-key\n$/) as unknown as string,
  },
  {
    what: 'registry import - without --format',
    args: () => ['registry', 'import', '-', '--data', store],
    stdin: 'name,idNumber\n',
    code: 1,
    stderr: () => 'realname: cannot tell the format of standard input: pass --format csv or --format jsonl\n',
  },
  {
    what: 'importing a directory',
    args: () => ['registry', 'import', join(root, 'a-directory'), '--data', store],
    code: 1,
    stderr: () => `realname: cannot import ${join(root, 'a-directory')}: it is a directory; name a .csv or .jsonl file (or - for stdin)\n`,
  },
  {
    what: 'importing a .txt file',
    args: () => ['registry', 'import', join(root, 'people.txt'), '--data', store],
    code: 1,
    stderr: () => `realname: cannot tell the format of "${join(root, 'people.txt')}" from its name (.csv, .jsonl or .ndjson): pass --format csv or --format jsonl\n`,
  },
  {
    what: 'importing a file with a malformed line',
    args: () => ['registry', 'import', join(root, 'broken.csv'), '--data', store],
    code: 1,
    stderr: () => `realname: ${join(root, 'broken.csv')}: line 3: malformed (expected 3 columns, found 2); nothing was imported\n`,
  },
  {
    what: '--replace off a terminal without --yes',
    args: () => ['registry', 'import', '-', '--format', 'csv', '--replace', '--data', store],
    stdin: 'name,idNumber\n',
    code: 2,
    stderr: () =>
      'realname: --replace swaps the whole registry for this file: confirm with --yes (on a terminal, without --yes, you are asked)\n' +
      usage('realname registry import <file> [options]'),
  },
  {
    what: '--yes without --replace',
    args: () => ['registry', 'import', join(root, 'one-bad.csv'), '--yes', '--data', store],
    code: 2,
    stderr: () => 'realname: --yes confirms --replace and means nothing without it: a plain import asks nothing\n' + usage('realname registry import <file> [options]'),
  },
  {
    what: 'a read-only command against a data dir that is not there',
    args: () => ['apps', 'list', '--data', join(root, 'typo')],
    code: 1,
    stderr: () =>
      `realname: no store at ${join(root, 'typo')} (no realname.db there): check --data; realname serve --init, realname apps create or realname registry import create one\n`,
  },
  {
    what: 'serve without --init where there is no store',
    args: () => ['serve', '--port', '0', '--data', join(root, 'typo')],
    code: 1,
    stderr: () =>
      `realname: no store at ${join(root, 'typo')} (no realname.db there): check --data; realname serve --init, realname apps create or realname registry import create one\n`,
  },
  {
    what: 'a store that cannot be reached',
    args: () => ['apps', 'list', '--store', 'postgres', '--postgres-url', 'postgres://127.0.0.1:1/test', '--data', store],
    code: 1,
    stderr: () => 'realname: cannot reach the store: connect ECONNREFUSED 127.0.0.1:1\n',
  },
  {
    what: 'a config file with an unknown setting',
    args: () => ['apps', 'list', '--config', join(root, 'odd.json'), '--data', store],
    code: 1,
    stderr: () => expect.stringMatching(/^realname: config file .*odd\.json: unknown setting "prot"; the settings are data, keyFile, .*\n$/) as unknown as string,
  },
  {
    what: 'apps set with nothing to set',
    args: () => ['apps', 'set', appid, '--data', store],
    code: 2,
    stderr: () => 'realname: nothing to set: give at least one of --qps, --quota, --checks, --ip, --daily-per-id, --daily-per-name, --replay-guard\n' + usage('realname apps set <appid> [options]'),
  },
  {
    what: '--qps -5',
    args: () => ['apps', 'set', appid, '--qps', '-5', '--data', store],
    code: 2,
    stderr: () => "realname: option '--qps <n>' argument '-5' is invalid. qps must be a whole number from 1 to 1,000,000, or unlimited\n" + usage('realname apps set <appid> [options]'),
  },
  {
    what: '--qps 0 (the same rule, the same words)',
    args: () => ['apps', 'create', '--name', 'x', '--qps', '0', '--data', store],
    code: 2,
    stderr: () => "realname: option '--qps <n>' argument '0' is invalid. qps must be a whole number from 1 to 1,000,000, or unlimited\n" + usage('realname apps create --name <name> [options]'),
  },
  {
    what: '--quota past 10^12',
    args: () => ['apps', 'set', appid, '--quota', '1000000000001', '--data', store],
    code: 2,
    stderr: () => "realname: option '--quota <n>' argument '1000000000001' is invalid. quota must be a whole number from 0 to 10^12, or unlimited\n" + usage('realname apps set <appid> [options]'),
  },
  {
    what: 'a missing required option',
    args: () => ['apps', 'create', '--data', store],
    code: 2,
    stderr: () => "realname: required option '--name <name>' not specified\n" + usage('realname apps create --name <name> [options]'),
  },
  {
    what: 'a command group without its command',
    args: () => ['keys'],
    code: 2,
    stderr: () => 'realname: keys needs a command: list, add, rotate, rewrap, retire\n' + usage('realname keys <command> [options]'),
  },
  {
    what: 'an unknown command',
    args: () => ['apps', 'frobnicate'],
    code: 2,
    stderr: () =>
      "realname: unknown command 'frobnicate' (the commands: create, list, show, suspend, resume, set, rename, delete, buckets, appkey, secrets, keys)\n" +
      usage('realname apps <command> [options]'),
  },
  {
    what: 'an unknown app',
    args: () => ['apps', 'show', '1259999999', '--data', store],
    code: 1,
    stderr: () => 'realname: no app 1259999999 (realname apps list shows the apps)\n',
  },
  {
    what: 'a taken app name',
    args: () => ['apps', 'create', '--name', 'shop', '--data', store],
    code: 1,
    stderr: () => 'realname: an app named "shop" already exists: names are unique; choose another\n',
  },
  {
    what: 'a flag where a value goes (--name --json)',
    args: () => ['apps', 'create', '--name', '--json', '--data', store],
    code: 2,
    stderr: () => "realname: option '--name <name>' needs a value: '--json' is a flag, not a value\n" + usage('realname apps create --name <name> [options]'),
  },
  {
    what: 'a flag where a setting goes (--data --json)',
    args: () => ['registry', 'count', '--data', '--json'],
    code: 2,
    stderr: () => "realname: option '--data <dir>' needs a value: '--json' is a flag, not a value\n" + usage('realname registry count [options]'),
  },
  {
    what: 'an ID number given to registry remove --id-number (never echoed)',
    args: () => ['registry', 'remove', '--id-number', '411681198801242259', '--data', store],
    code: 2,
    stderr: () =>
      `realname: option '--id-number <value>': pass "-" and write the ID numbers to stdin, one a line (the value given is not shown: it may be personal data)\n` +
      usage('realname registry remove --id-number <value> [options]'),
  },
  {
    what: 'an ID number given to cache purge --id-number (never echoed)',
    args: () => ['cache', 'purge', '--id-number', '411681198801242259', '--data', store],
    code: 2,
    stderr: () => `realname: option '--id-number <dash>': pass "-" and write the ID number to stdin (the value given is not shown: it may be personal data)\n` + usage('realname cache purge [options]'),
  },
  {
    what: '--rejects naming a directory',
    args: () => ['registry', 'import', join(root, 'one-bad.csv'), '--rejects', join(root, 'a-directory'), '--data', store],
    code: 2,
    stderr: () => `realname: --rejects ${join(root, 'a-directory')} is a directory: name a file to write the rejected rows to\n` + usage('realname registry import <file> [options]'),
  },
  {
    what: '--rejects in a directory that is not there',
    args: () => ['registry', 'import', join(root, 'one-bad.csv'), '--rejects', join(root, 'no-dir', 'rejects.csv'), '--data', store],
    code: 2,
    stderr: () =>
      `realname: --rejects ${join(root, 'no-dir', 'rejects.csv')}: there is no directory ${join(root, 'no-dir')}; name a file in a directory that exists\n` +
      usage('realname registry import <file> [options]'),
  },
  {
    what: 'an import with rejected rows (exit 1: says how many and where)',
    args: () => ['registry', 'import', join(root, 'one-bad.csv'), '--rejects', join(root, 'rejects.csv'), '--data', store],
    code: 1,
    stderr: () => `realname: 1 row rejected, written to ${join(root, 'rejects.csv')}\n`,
  },
  {
    what: 'an import with rejected rows and no --rejects',
    args: () => ['registry', 'import', join(root, 'one-bad.csv'), '--json', '--data', store],
    code: 1,
    stderr: () => 'realname: 1 row rejected, not kept (pass --rejects FILE to write them to a file)\n',
  },
  {
    what: 'serve on a --host that resolves to nothing',
    args: () => ['serve', '--host', '999.1.1.1', '--port', '0', '--data', store],
    code: 1,
    stderr: () => 'realname: cannot listen on 999.1.1.1:0: no such address; check --host\n',
  },
  {
    what: 'serve --console-port on a port in use (names --console-port, not --port)',
    args: () => ['serve', '--port', '0', '--console-port', String(port), '--log-level', 'warn', '--data', store],
    code: 1,
    stderr: () => `realname: cannot listen on 127.0.0.1:${port}: the address is already in use; stop the server using it or choose another --console-port\n`,
  },
  {
    what: 'serve on a --console-host that resolves to nothing (no store is at fault)',
    args: () => ['serve', '--port', '0', '--console-port', '0', '--console-host', 'nosuchhost.invalid', '--log-level', 'warn', '--data', store],
    code: 1,
    stderr: () => 'realname: cannot listen on nosuchhost.invalid:0: no such address; check --console-host\n',
  },
  {
    what: 'a directory as --key-file',
    args: () => ['apps', 'list', '--key-file', join(root, 'a-directory'), '--data', store],
    code: 1,
    stderr: () => `realname: cannot read the key file ${join(root, 'a-directory')}: it is a directory, not a file; check --key-file / REALNAME_KEY_FILE\n`,
  },
  {
    what: 'serve --workers 2 on a port in use (told once, as without --workers)',
    args: () => ['serve', '--workers', '2', '--port', String(port), '--data', store],
    code: 1,
    stderr: () => `realname: cannot listen on 127.0.0.1:${port}: the address is already in use; stop the server using it or choose another --port\n`,
  },
  {
    what: 'demo --count abc (the rule of --count 0)',
    args: () => ['demo', '--count', 'abc', '--data', fresh()],
    code: 2,
    stderr: () => "realname: option '--count <n>' argument 'abc' is invalid. expected a whole number >= 1\n" + usage('realname demo [options]'),
  },
  {
    what: 'demo --count 0',
    args: () => ['demo', '--count', '0', '--data', fresh()],
    code: 2,
    stderr: () => "realname: option '--count <n>' argument '0' is invalid. expected a whole number >= 1\n" + usage('realname demo [options]'),
  },
  {
    what: 'a bucket starting with -',
    args: () => ['apps', 'create', '--name', 'x', '--bucket', '-x', '--data', store],
    code: 1,
    stderr: () => "realname: bucket must be 1-40 lowercase letters, digits or '-', starting with a letter or digit: -x\n",
  },
  {
    what: 'serve whose --metrics-port is in use (names --metrics-port, not --port)',
    args: () => ['serve', '--port', '0', '--metrics-port', String(port), '--data', store],
    // The main port binds first and logs so at info.
    env: { REALNAME_LOG_LEVEL: 'warn' },
    code: 1,
    stderr: () => `realname: cannot listen on 127.0.0.1:${port}: the address is already in use; stop the server using it or choose another --metrics-port\n`,
  },
  {
    what: 'usage --since D --until D (until is exclusive: says how to ask for the one day)',
    args: () => ['usage', '--since', '2026-12-01', '--until', '2026-12-01', '--data', store],
    code: 2,
    stderr: () => 'realname: --until is exclusive (before that day): for the one day 2026-12-01, give --until the next day\n' + usage('realname usage [options]'),
  },
  {
    what: 'subject report with a second ID number on stdin (one person at a time; no value echoed)',
    args: () => ['subject', 'report', '--id-number', '-', '--data', store],
    stdin: '230109199204111359\n11010519491231002X\n',
    code: 2,
    stderr: () => 'realname: line 2 of stdin is an ID number: one person a run (their ID number first, then their bank cards and phones)\n' + usage('realname subject report --id-number <dash> [options]'),
  },
  {
    what: 'subject erase with a second line that is no bank card (no value echoed)',
    args: () => ['subject', 'erase', '--id-number', '-', '--yes', '--data', store],
    stdin: '230109199204111359\n4111111111111112\n',
    code: 2,
    stderr: () => 'realname: the bank card on line 2 of stdin is not valid (luhn at character 16); the value is not shown\n' + usage('realname subject erase --id-number <dash> [options]'),
  },
  {
    what: 'subject report with an 11-digit line that is no phone',
    args: () => ['subject', 'report', '--id-number', '-', '--data', store],
    stdin: '230109199204111359\n12345678901\n',
    code: 2,
    stderr: () => 'realname: the phone on line 2 of stdin is not valid (segment at character 1); the value is not shown\n' + usage('realname subject report --id-number <dash> [options]'),
  },
  {
    what: 'subject report with an empty line between the ID number and a card',
    args: () => ['subject', 'report', '--id-number', '-', '--data', store],
    stdin: '230109199204111359\n\n6210957760438277205\n',
    code: 2,
    stderr: () => 'realname: line 2 of stdin is empty: write one bank card or phone a line after the ID number\n' + usage('realname subject report --id-number <dash> [options]'),
  },
  {
    what: 'a data dir whose database file is not SQLite',
    args: () => ['audit', 'verify', '--data', join(root, 'not-a-db')],
    code: 1,
    stderr: () => 'realname: the file is not a SQLite store: check --data\n',
  },
  {
    what: 'audit export --json with --format csv',
    args: () => ['audit', 'export', '--json', '--format', 'csv', '--data', store],
    code: 2,
    stderr: () => 'realname: --json is --format jsonl: give one of them\n' + usage('realname audit export [options]'),
  },
  {
    what: 'serve with --metrics-port the same as --port',
    args: () => ['serve', '--port', '18999', '--metrics-port', '18999', '--data', store],
    code: 1,
    stderr: () => "realname: the metrics need a port of their own: metricsPort 18999 is the API's port (leave it out to serve /metrics there)\n",
  },
  {
    what: 'subject erase of a malformed ID number (nothing erased, no value echoed)',
    args: () => ['subject', 'erase', '--id-number', '-', '--yes', '--data', store],
    stdin: 'abc\n',
    code: 2,
    stderr: () => 'realname: the ID number on the first line of stdin is not valid (length); the value is not shown\n' + usage('realname subject erase --id-number <dash> [options]'),
  },
  {
    what: 'audit search by a malformed phone',
    args: () => ['audit', 'search', '--phone', '-', '--data', store],
    stdin: '123',
    code: 2,
    stderr: () => 'realname: the phone on stdin is not valid (length); the value is not shown\n' + usage('realname audit search [options]'),
  },
  {
    what: 'audit search by a bank card failing its checks',
    args: () => ['audit', 'search', '--bank-card', '-', '--data', store],
    stdin: '62220212345678x0\n',
    code: 2,
    stderr: () => 'realname: the bank card on stdin is not valid (charset at character 15); the value is not shown\n' + usage('realname audit search [options]'),
  },
  {
    what: 'usage --app of an app that never existed',
    args: () => ['usage', '--app', '9999999999', '--data', store],
    code: 1,
    stderr: () => 'realname: no app 9999999999 (realname apps list shows the apps)\n',
  },
  {
    what: 'usage --app abc (a malformed appid)',
    args: () => ['usage', '--app', 'abc', '--data', store],
    code: 1,
    stderr: () => 'realname: no app abc (realname apps list shows the apps)\n',
  },
  {
    what: 'audit search --app nonsense',
    args: () => ['audit', 'search', '--app', 'nonsense', '--data', store],
    code: 1,
    stderr: () => 'realname: no app nonsense (realname apps list shows the apps)\n',
  },
  {
    what: 'audit export --app nonsense',
    args: () => ['audit', 'export', '--app', 'nonsense', '--data', store],
    code: 1,
    stderr: () => 'realname: no app nonsense (realname apps list shows the apps)\n',
  },
  {
    what: 'audit search --dialect nope',
    args: () => ['audit', 'search', '--dialect', 'nope', '--data', store],
    code: 2,
    stderr: () => "realname: option '--dialect <name>' argument 'nope' is invalid. expected one of tencent-image, submail, tencentcloud, rest, rest-batch\n" + usage('realname audit search [options]'),
  },
  {
    what: 'audit search --kind nope',
    args: () => ['audit', 'search', '--kind', 'nope', '--data', store],
    code: 2,
    stderr: () => "realname: option '--kind <kind>' argument 'nope' is invalid. expected one of idcard2, bankcard2, bankcard3, bankcard4, phone3\n" + usage('realname audit search [options]'),
  },
  {
    what: 'audit purge --older-than 1d (under the six-month minimum)',
    args: () => ['audit', 'purge', '--older-than', '1d', '--yes', '--data', store],
    code: 2,
    stderr: () => 'realname: --older-than 1d is under the six-month minimum the Cybersecurity Law asks (180d): pass --force to purge anyway\n' + usage('realname audit purge --older-than <days> [options]'),
  },
  {
    what: 'audit purge off a terminal without --yes',
    args: () => ['audit', 'purge', '--older-than', '400d', '--data', store],
    code: 2,
    stderr: () => 'realname: a purge removes audit records for good: confirm with --yes (on a terminal, without --yes, you are asked)\n' + usage('realname audit purge --older-than <days> [options]'),
  },
  {
    what: 'audit purge --older-than 0d (says the minimum)',
    args: () => ['audit', 'purge', '--older-than', '0d', '--yes', '--data', store],
    code: 2,
    stderr: () =>
      "realname: option '--older-than <days>' argument '0d' is invalid. expected a number of days such as 400d (at least 180d, the six-month legal minimum; 1d with --force)\n" +
      usage('realname audit purge --older-than <days> [options]'),
  },
  {
    what: 'registry remove with nothing on stdin',
    args: () => ['registry', 'remove', '--id-number', '-', '--data', store],
    code: 2,
    stderr: () => 'realname: no ID number on stdin: write them to stdin, one a line\n' + usage('realname registry remove --id-number <value> [options]'),
  },
];

describe('every expected failure is one line (usage errors: and the usage line)', () => {
  it.each(CASES)('$what', async ({ args, env, stdin, code, stderr }) => {
    const run = await realname(args(), { ...(env ? { env } : {}), ...(stdin === undefined ? {} : { stdin }) });
    expect(run.stderr).toEqual(stderr());
    expect(run.code).toBe(code);
    expect(run.stderr).not.toContain('    at ');
  });

  it('a reader that closes the pipe early (| head) ends the output quietly: exit 0, no stack trace', async () => {
    const child = spawn(process.execPath, [BIN, 'apps', 'list', '--json', '--data', store], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });

  it('serve --retention-days under six months warns in one line; the metrics port 404s like the main port, echoing nothing', async () => {
    const server = await realnameListening(['serve', '--port', '0', '--metrics-port', '0', '--retention-days', '30', '--data', store]);
    try {
      const metricsAt = /realname metrics at (\S+)/.exec(server.output())![1]!;
      const reply = await fetch(`${metricsAt}/secret-path-xyz`);
      expect(reply.status).toBe(404);
      const body = await reply.text();
      expect(JSON.parse(body)).toEqual({ error: 'not found', message: 'no such route: this port answers GET /metrics only' });
      expect(body).not.toContain('secret-path-xyz');
      expect(server.output()).toContain(
        'realname: warning: --retention-days 30 keeps audit records under the six-month minimum the Cybersecurity Law asks (180 days)\n',
      );
    } finally {
      server.child.kill('SIGTERM');
      await exited(server.child);
    }
  });

  it('registry generate --help states the seed default once', async () => {
    const help = await realname(['registry', 'generate', '--help']);
    expect(help.stdout).toMatch(/--seed <s> +seed \(default: 1\)\n/);
  });

  it('leaves nothing behind when a command that would create a store fails', async () => {
    for (const args of [
      (dir: string) => ['serve', '--init', '--port', String(port), '--data', dir],
      (dir: string) => ['registry', 'import', join(root, 'broken.csv'), '--data', dir],
      (dir: string) => ['apps', 'create', '--name', 'x', '--bucket', 'Not A Bucket', '--data', dir],
    ]) {
      const dir = fresh();
      const run = await realname(args(dir));
      expect(run.code).toBe(1);
      expect(run.stderr).not.toContain('created a new store');
      expect(existsSync(dir)).toBe(false);
    }
    // a data dir that was there stays, empty as it was
    const there = fresh();
    mkdirSync(there);
    expect((await realname(['registry', 'import', join(root, 'broken.csv'), '--data', there])).code).toBe(1);
    expect(readdirSync(there)).toEqual([]);
  });

  it('imports nothing and leaves no .partial file when --rejects cannot be written', async () => {
    const before = (await realname(['registry', 'count', '--data', store])).stdout;
    const dir = join(root, 'a-directory');
    expect((await realname(['registry', 'import', join(root, 'one-bad.csv'), '--rejects', dir, '--data', store])).code).toBe(2);
    expect((await realname(['registry', 'count', '--data', store])).stdout).toBe(before);
    expect(existsSync(`${dir}.partial`)).toBe(false);
    // the rejects file of a successful import is there, and its .partial is not
    const rejects = join(root, 'kept.csv');
    expect((await realname(['registry', 'import', join(root, 'one-bad.csv'), '--rejects', rejects, '--data', store])).code).toBe(1);
    expect(readFileSync(rejects, 'utf8')).toMatch(/^3,idNumber,/m);
    expect(existsSync(`${rejects}.partial`)).toBe(false);
  });

  it('prints the stack trace with --debug (or REALNAME_DEBUG=1), after the line', async () => {
    const run = await realname(['apps', 'list', '--debug', '--data', join(root, 'typo')]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^realname: no store at .*\n.*Error: no store at[^]*\n {4}at /);
    const env = await realname(['apps', 'list', '--data', join(root, 'typo')], { env: { REALNAME_DEBUG: '1' } });
    expect(env.stderr).toContain('    at ');
  });
});
