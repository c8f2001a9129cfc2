import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { StoreKeys } from '../../src/keys/ring.ts';
import { createIdempotency } from '../../src/service/idempotency.ts';
import { memoryIdempotency } from '../../src/store/memory-rest.ts';

const hashKey = randomBytes(32);
const sealer = StoreKeys.single(randomBytes(32)).sealer;
const mac = (label: string, data: string | Buffer) => createHmac('sha256', hashKey).update(label).update(data).digest('hex');

describe('idempotency', () => {
  it('a key another process is still answering: waits, then says busy; once it answers, its answer', async () => {
    const store = memoryIdempotency();
    let now = 1_000_000;
    const idem = createIdempotency(store, sealer, hashKey, () => now, { waitMs: 50, pollMs: 5 });
    const body = Buffer.from('{"a":1}');
    // Another process holds the claim (as its store row says).
    expect(await store.claim('app', mac('key\u0000', 'k'), mac('request\u0000', body), 30_000, now)).toEqual({ claimed: true });
    let ran = 0;
    const tick = setInterval(() => (now += 10), 5);
    try {
      expect(await idem.run('app', 'k', body, async () => ++ran, () => true)).toEqual({ kind: 'busy' });
      await store.settle('app', mac('key\u0000', 'k'), sealer.seal(JSON.stringify(7)), now + 1000);
      expect(await idem.run('app', 'k', body, async () => ++ran, () => true)).toEqual({ kind: 'replay', value: 7 });
    } finally {
      clearInterval(tick);
    }
    expect(ran).toBe(0);
  });

  it('stores keys and requests as keyed hashes and answers sealed', async () => {
    const store = memoryIdempotency();
    const claims: string[] = [];
    const spy = { ...store, claim: (...a: Parameters<typeof store.claim>) => (claims.push(a[1], a[2]), store.claim(...a)), settle: (...a: Parameters<typeof store.settle>) => (claims.push(a[2]), store.settle(...a)) };
    const idem = createIdempotency(spy, sealer, hashKey, Date.now);
    await idem.run('app', 'order-123', Buffer.from('{"name":"张三"}'), async () => ({ name: '张三' }), () => true);
    expect(claims.join(' ')).not.toMatch(/order-123|张三/);
  });
});
