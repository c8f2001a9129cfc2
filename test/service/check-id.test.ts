import { describe, expect, it } from 'vitest';
import { newCheckId } from '../../src/service/assemble.ts';

describe('check ids', () => {
  it('are 32 lowercase hex characters and never repeat, across many refills of the random pool', () => {
    const ids = Array.from({ length: 5000 }, newCheckId);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(new Set(ids).size).toBe(ids.length);
    // Every hex digit turns up in every position: the bytes are random, not a counter.
    for (let i = 0; i < 32; i++) expect(new Set(ids.map((id) => id[i])).size).toBe(16);
  });
});
