import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';

const data = () => mkdtempSync(join(tmpdir(), 'realname-config-'));

describe('HTTP deadlines, the connection cap and the audit buffer as settings', () => {
  it('default to 10 / 30 / 5 s, 256 connections per client, 10,000 audit records and 30 s of shutdown grace', () => {
    expect(loadConfig({ data: data() }, {})).toMatchObject({
      headersTimeout: 10,
      requestTimeout: 30,
      keepAliveTimeout: 5,
      connectionsPerClient: 256,
      auditBuffer: 10_000,
      shutdownGrace: 30,
    });
  });

  it('come from REALNAME_* variables, and flags win over them', () => {
    const env = {
      REALNAME_HEADERS_TIMEOUT: '3',
      REALNAME_REQUEST_TIMEOUT: '7',
      REALNAME_KEEP_ALIVE_TIMEOUT: '2',
      REALNAME_CONNECTIONS_PER_CLIENT: '0',
      REALNAME_AUDIT_BUFFER: '500',
      REALNAME_SHUTDOWN_GRACE: '0',
    };
    expect(loadConfig({ data: data() }, env)).toMatchObject({ headersTimeout: 3, requestTimeout: 7, keepAliveTimeout: 2, connectionsPerClient: 0, auditBuffer: 500, shutdownGrace: 0 });
    expect(loadConfig({ data: data(), headersTimeout: 1, auditBuffer: 20 }, env)).toMatchObject({ headersTimeout: 1, auditBuffer: 20 });
  });

  it('refuse deadlines Node cannot keep and an audit buffer of nothing', () => {
    expect(() => loadConfig({ data: data() }, { REALNAME_HEADERS_TIMEOUT: '40' })).toThrow(/headersTimeout \(40 s\) cannot exceed requestTimeout \(30 s\)/);
    expect(() => loadConfig({ data: data() }, { REALNAME_KEEP_ALIVE_TIMEOUT: '0' })).toThrow(/keepAliveTimeout must be at least 1 second/);
    expect(() => loadConfig({ data: data() }, { REALNAME_AUDIT_BUFFER: '0' })).toThrow(/auditBuffer must be at least 1 record/);
  });
});
