import { describe, expect, it } from 'vitest';
import { csvRow, type AuditView } from '../../src/audit/search.ts';

/** CSV cells as a spreadsheet opens them: a formula never runs, a number stays a number. */

const view = (code: string, clientIp: string | null = null): AuditView => ({
  checkId: 'ab'.repeat(16), at: '2026-12-01T00:00:00.000Z', appid: '1250000000', dialect: 'submail', route: null, kind: 'idcard2',
  verdict: 'mismatch', refusal: null, code, source: 'registry', billed: true, latencyMs: 1, clientIp, masked: { name: '张*' }, anonymised: false,
});

describe('audit CSV cells', () => {
  it('guards a cell a spreadsheet would run as a formula, and leaves a signed number as it is', () => {
    expect(csvRow(view('=HYPERLINK("x")'))).toContain(`,"'=HYPERLINK(""x"")",`);
    expect(csvRow(view('+cmd|x'))).toContain(",'+cmd|x,");
    expect(csvRow(view('-2+3'))).toContain(",'-2+3,");
    expect(csvRow(view('@SUM(A1)'))).toContain(",'@SUM(A1),");
    expect(csvRow(view('-5803'))).toContain(',-5803,');
    expect(csvRow(view('+1.5'))).toContain(',+1.5,');
  });
});
