import { describe, expect, it } from 'vitest';
import { openMemoryStore } from '../../src/store/memory.ts';
import type { Store } from '../../src/store/types.ts';
import { httpRequest, wire } from '../helpers/wire.ts';
import { listening } from './server.ts';

/**
 * No answer leaves before its audit record is stored, so a process killed right after answering has
 * the record (the crash tests of the fault suite prove it with SIGKILL). Here the store holds the
 * records back until told to go on.
 */
describe('an answer and its audit record', () => {
  it('leaves only once the audit sink says every record written so far is stored', async () => {
    const memory = openMemoryStore();
    const held: Array<() => void> = [];
    let written = 0;
    const store: Store = {
      ...memory,
      audit: {
        ...memory.audit,
        write: (record) => {
          written++;
          memory.audit.write(record);
        },
        whenStored: (done) => void held.push(done),
      },
    };
    const http = await listening(undefined, store);
    try {
      const answer = wire(http.port, httpRequest('POST', '/auth/idcard', { 'content-type': 'application/json' }, '{}'), { responses: 1, waitMs: 5000 });
      let answered = false;
      void answer.then(() => (answered = true));
      await expect.poll(() => held.length).toBe(1);
      expect(written).toBe(1);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(answered).toBe(false);
      held.shift()!();
      const result = await answer;
      expect(result.responses.map((r) => r.status)).toEqual([200]);
      expect(JSON.parse(result.responses[0]!.body.toString()).code).toBe(21);
    } finally {
      for (const done of held) done();
      await http.close();
    }
  });
});
