import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, SETTINGS } from '../src/config.ts';

function dataDir(config?: object): string {
  const dir = mkdtempSync(join(tmpdir(), 'realname-config-'));
  if (config) writeFileSync(join(dir, 'realname.json'), JSON.stringify(config));
  return dir;
}

describe('configuration precedence: flags > REALNAME_* env > config file > defaults', () => {
  it('uses defaults when nothing is set', () => {
    const dir = dataDir();
    const config = loadConfig({ data: dir }, {});
    expect(config.port).toBe(8080);
    expect(config.host).toBe('127.0.0.1');
    expect(config.bodyLimit).toBe(16384);
    expect(config.keyFile).toBe(join(dir, 'master.key'));
    expect(config.timestampWindow).toBe(300);
  });

  it('lets the config file override defaults, env override the file, and flags override env', () => {
    const dir = dataDir({ port: 9001, host: '0.0.0.0', bodyLimit: 2048 });
    expect(loadConfig({ data: dir }, {}).port).toBe(9001);
    expect(loadConfig({ data: dir }, { REALNAME_PORT: '9002' }).port).toBe(9002);
    expect(loadConfig({ data: dir, port: 9003 }, { REALNAME_PORT: '9002' }).port).toBe(9003);
    expect(loadConfig({ data: dir }, { REALNAME_PORT: '9002' }).host).toBe('0.0.0.0');
  });

  it('takes the data dir from the environment', () => {
    const dir = dataDir({ port: 7000 });
    expect(loadConfig({}, { REALNAME_DATA: dir }).port).toBe(7000);
  });

  it('takes the SUBMAIL timestamp window in seconds', () => {
    expect(loadConfig({ data: dataDir() }, { REALNAME_TIMESTAMP_WINDOW: '60' }).timestampWindow).toBe(60);
    expect(() => loadConfig({ data: dataDir() }, { REALNAME_TIMESTAMP_WINDOW: '-1' })).toThrow(/timestampWindow must be/);
  });

  it('splits the trusted proxy list', () => {
    expect(loadConfig({ data: dataDir() }, { REALNAME_TRUST_PROXY: '10.0.0.0/8, 127.0.0.1' }).trustProxy).toEqual(['10.0.0.0/8', '127.0.0.1']);
  });

  it('rejects unknown settings, broken JSON, bad numbers and half a TLS pair', () => {
    expect(() => loadConfig({ data: dataDir({ prot: 1 }) }, {})).toThrow(/unknown setting "prot"/);
    const broken = dataDir();
    writeFileSync(join(broken, 'realname.json'), '{nope');
    expect(() => loadConfig({ data: broken }, {})).toThrow(ConfigError);
    expect(() => loadConfig({ data: dataDir() }, { REALNAME_PORT: 'eighty' })).toThrow(/port must be/);
    expect(() => loadConfig({ data: dataDir(), tlsCert: 'c.pem' }, {})).toThrow(/both a certificate and a key/);
    expect(() => loadConfig({ config: '/nonexistent/realname.json' }, {})).toThrow(/not found/);
  });

  it('holds every setting to its rule, whether it comes from the environment or the config file', () => {
    expect(() => loadConfig({ data: dataDir() }, { REALNAME_PORT: '65536' })).toThrow('REALNAME_PORT: port must be a whole number from 0 to 65,535, got "65536"');
    expect(() => loadConfig({ data: dataDir({ port: -1 }) }, {})).toThrow(/config file .*realname\.json: port must be a whole number from 0 to 65,535, got -1/);
    expect(() => loadConfig({ data: dataDir({ bodyLimit: 2 * 1024 * 1024 }) }, {})).toThrow(/bodyLimit must be a whole number from 1 to 1,048,576/);
    expect(() => loadConfig({ data: dataDir({ trustProxy: ['10.0.0.0/33'] }) }, {})).toThrow(/trustProxy: bad prefix length in 10\.0\.0\.0\/33/);
    expect(() => loadConfig({ data: dataDir() }, { REALNAME_LOG_LEVEL: 'loud' })).toThrow('logLevel: expected fatal, error, warn, info, debug, trace or silent');
    expect(() => loadConfig({ data: dataDir() }, { REALNAME_LOG_FORMAT: 'xml' })).toThrow('logFormat: expected pretty or json');
    expect(() => loadConfig({ data: dataDir() }, { REALNAME_STORE: 'mysql' })).toThrow('store: expected sqlite or postgres');
    expect(() => loadConfig({ data: dataDir({ data: '/elsewhere' }) }, {})).toThrow(/"data" cannot be set in the data dir's own config file/);
    expect(loadConfig({ data: dataDir({ port: '9000', sourceTimeoutMs: 50 }) }, {})).toMatchObject({ port: 9000, sourceTimeoutMs: 50 });
  });

  it('writes pretty logs to a terminal and JSON otherwise, unless told', () => {
    expect(loadConfig({ data: dataDir() }, {}, { terminal: true }).logFormat).toBe('pretty');
    expect(loadConfig({ data: dataDir() }, {}, { terminal: false }).logFormat).toBe('json');
    expect(loadConfig({ data: dataDir(), logFormat: 'json' }, {}, { terminal: true }).logFormat).toBe('json');
    expect(loadConfig({ data: dataDir() }, { REALNAME_LOG_FORMAT: 'pretty', REALNAME_LOG_LEVEL: 'debug' }, { terminal: false })).toMatchObject({ logFormat: 'pretty', logLevel: 'debug' });
  });

  it('has one spec for every setting of Config, each with its own environment variable', () => {
    const config = loadConfig({ data: dataDir(), tlsCert: 'c.pem', tlsKey: 'k.pem', store: 'postgres', postgresUrl: 'postgres://x', redisUrl: 'redis://x', redisPrefix: 'p:', metricsPort: '9100' }, {});
    expect(SETTINGS.map((s) => s.key).sort()).toEqual(Object.keys(config).sort());
    expect(new Set(SETTINGS.map((s) => s.env)).size).toBe(SETTINGS.length);
    for (const s of SETTINGS) expect(s.env).toBe(`REALNAME_${s.key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`);
  });
});
