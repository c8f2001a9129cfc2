import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.ts';

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
});
