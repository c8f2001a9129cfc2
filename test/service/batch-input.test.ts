import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { batchRows, type BatchFormat } from '../../src/service/batches/input.ts';
import type { CheckKind } from '../../src/core/index.ts';

/** What an upload's lines become: a check each, or the reason it is not one — as one check through /v1/checks would be told. */

const ID = '11010519491231002X';
const CARD = '6222021234567890123';

async function rows(text: string, format: BatchFormat, kind: CheckKind | null = null) {
  const out = [];
  for await (const row of batchRows(Readable.from([Buffer.from(text)]), format, kind, 1 << 20)) out.push(row);
  return out;
}

describe('batch rows', () => {
  it('reads CSV headers in any case or spelling people use for a field', async () => {
    const csv = `Kind,Name,ID_Number,bank-card\nbankcard3,张三,${ID},${CARD}\nidcard2,张三,${ID},\n`;
    expect(await rows(csv, 'csv')).toEqual([
      { line: 2, kind: 'bankcard3', factors: { name: '张三', idNumber: ID, bankCard: CARD } },
      { line: 3, kind: 'idcard2', factors: { name: '张三', idNumber: ID } },
    ]);
  });

  it('reads the kind\'s factors only: a file\'s other columns (a reference, another kind\'s factor) ride along unread', async () => {
    const csv = `kind,name,idNumber,bankCard,ref\nidcard2,张三,${ID},${CARD},A-1\nbankcard3,张三,${ID},,A-2\n`;
    expect(await rows(csv, 'csv')).toEqual([
      { line: 2, kind: 'idcard2', factors: { name: '张三', idNumber: ID } },
      // An empty cell is no field.
      { line: 3, error: { reason: 'missing', field: 'bankCard' } },
    ]);
  });

  it('refuses a field given twice and a kind that is not text; a key that only resembles a field is not one', async () => {
    const jsonl = [
      `{"kind":"idcard2","name":"张三","idNumber":"${ID}","id_number":"${ID}"}`,
      `{"kind":"idcard2","name":"张三","idNumber":"${ID}","ID Number ${ID}":"${ID}"}`,
      `{"kind":"idcard2","factors":"张三"}`,
      `{"kind":7,"name":"张三","idNumber":"${ID}"}`,
      `{"kind":"idcard2","factors":{"name":"张三","idNumber":"${ID}"},"ref":"A-1"}`,
    ].join('\n');
    expect(await rows(jsonl, 'jsonl')).toEqual([
      { line: 1, error: { reason: 'duplicate', field: 'id_number' } },
      { line: 2, kind: 'idcard2', factors: { name: '张三', idNumber: ID } },
      { line: 3, error: { reason: 'missing', field: 'idNumber' } },
      { line: 4, error: { reason: 'type', field: 'kind' } },
      { line: 5, kind: 'idcard2', factors: { name: '张三', idNumber: ID } },
    ]);
  });
});
