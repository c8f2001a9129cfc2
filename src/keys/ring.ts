import { createHmac, timingSafeEqual } from 'node:crypto';
import type { KeyStore, StoredKey } from '../store/types.ts';
import { deriveKey, keyIdOf, type KeyPurpose } from './derive.ts';
import type { MasterKeys } from './master.ts';
import { open, sealedKeyId, sealWithId } from './seal.ts';
import { createHashWrap, type HashWrap } from './wrap.ts';

/**
 * Key identity and rotation. Every process of a store holds the store's master keys (the key file,
 * one key a line, or REALNAME_MASTER_KEY); the store keeps, per key, only its id and a proof (a MAC of
 * a fixed text under the key's 'key-check' derived key). A process whose keys do not match refuses to
 * start, and a server that stops matching (a rotation elsewhere) stops saying it is ready.
 *
 * Every derived key is looked up by key id, and everything made under a key names it: registry rows
 * carry `key_id`, sealed values are 'v2.<key id>.…' (a 'v1.' value belongs to the store's first key).
 * So rows made under an old key stay readable, and a record made under a key can be checked with that
 * key as long as the key is held — retired keys included.
 *
 * Registry hashes: the store's first key hashes plainly (HMAC under its 'registry-hmac' key, the
 * "pepper"); a key rotated in after it wraps that HMAC with a keyed permutation (src/keys/wrap.ts),
 * which is what lets `realname keys rewrap` re-key rows without any plaintext. The pepper is kept in
 * the store sealed under each live key, so it survives the first key's retirement.
 */

/** A key problem the user must fix (a mismatch, a key this node lacks): one line, exit status 1. */
export class KeyError extends Error {}

const CHECK_TEXT = 'realname store key v1';

/** The master keys this process holds, by id. */
export class KeyRing {
  private byId = new Map<string, Buffer>();
  private readonly derived = new Map<string, Buffer>();
  private reloadedAt = -Infinity;

  constructor(
    private source: MasterKeys,
    /** Reads the keys again (a key file can gain a key while a server runs). */
    private readonly reload?: () => MasterKeys,
  ) {
    this.index();
  }

  static of(...keys: Buffer[]): KeyRing {
    return new KeyRing({ keys, origin: 'the given keys', created: false });
  }

  private index(): void {
    this.byId = new Map(this.source.keys.map((k) => [keyIdOf(k), k]));
  }

  get origin(): string {
    return this.source.origin;
  }

  get file(): string | undefined {
    return this.source.file;
  }

  get created(): boolean {
    return this.source.created;
  }

  /** Oldest first, as the key file or REALNAME_MASTER_KEY lists them. */
  ids(): string[] {
    return [...this.byId.keys()];
  }

  holds(keyId: string): boolean {
    return this.byId.has(keyId);
  }

  /** The key with this id. A miss re-reads the key file (at most once a second): a rotation elsewhere may have added it. */
  material(keyId: string): Buffer {
    let key = this.byId.get(keyId);
    if (!key && this.reload && Date.now() - this.reloadedAt >= 1000) {
      this.refresh();
      key = this.byId.get(keyId);
    }
    if (!key) throw new KeyError(`this node does not hold master key ${keyId} (${this.origin} holds ${this.describeIds()})`);
    return key;
  }

  derive(keyId: string, purpose: KeyPurpose): Buffer {
    const memo = `${keyId}/${purpose}`;
    let key = this.derived.get(memo);
    if (!key) this.derived.set(memo, (key = deriveKey(this.material(keyId), purpose)));
    return key;
  }

  /** The proof the store keeps that a node holds this very key. */
  check(keyId: string): string {
    return checkOf(this.material(keyId));
  }

  /** Holds the key the record names, and it is that key (not another with the same short id). */
  matches(stored: StoredKey): boolean {
    if (!this.holds(stored.keyId)) return false;
    const mine = Buffer.from(this.check(stored.keyId), 'hex');
    const theirs = Buffer.from(stored.check, 'hex');
    return mine.length === theirs.length && timingSafeEqual(mine, theirs);
  }

  /** Reads the key file again; true when it now holds a key it did not. */
  refresh(): boolean {
    if (!this.reload) return false;
    const before = new Set(this.byId.keys());
    this.reloadedAt = Date.now();
    try {
      this.source = this.reload();
    } catch {
      // A key file being rewritten, or made unreadable: keep the keys held until it reads again.
      return false;
    }
    this.index();
    return this.ids().some((id) => !before.has(id));
  }

  describeIds(): string {
    const ids = this.ids();
    return ids.length === 0 ? 'no key' : ids.length === 1 ? `key ${ids[0]}` : `keys ${ids.join(', ')}`;
  }
}

export function checkOf(master: Buffer): string {
  return createHmac('sha256', deriveKey(master, 'key-check')).update(CHECK_TEXT).digest('hex');
}

/** The record of a key the store has not seen: the first key of a store, or one being rotated in. */
export function keyRecord(ring: KeyRing, keyId: string, options: { wraps: boolean; pepper: Buffer; now: number }): StoredKey {
  return {
    keyId,
    state: 'current',
    check: ring.check(keyId),
    wraps: options.wraps,
    pepperSealed: sealWithId(ring.derive(keyId, 'secret-seal'), keyId, options.pepper.toString('base64')),
    createdAt: options.now,
    retiredAt: null,
  };
}

/** Seals with the current key; opens with whichever key a value names. */
export interface Sealer {
  seal(plaintext: string): string;
  open(sealed: string): string;
  /** The id of the key a value was sealed under. */
  keyIdOf(sealed: string): string;
}

export interface StoreKeysOptions {
  /** Where a server re-reads the store's key records (at most once per ttlMs). */
  store?: KeyStore;
  clock?: () => number;
  ttlMs?: number;
}

/**
 * The store's keys as this process can use them: which is current, which are still live, the
 * registry's pepper and each key's wrap. Built after the store's records were checked against the ring.
 */
export class StoreKeys {
  private stored: StoredKey[];
  /** The ids of stored's current and previous keys: read on every check, so made once per read of the store. */
  private live: string[];
  private readAt: number;
  private refreshing: Promise<void> | undefined;
  private readonly wraps = new Map<string, HashWrap>();
  readonly pepper: Buffer;
  readonly sealer: Sealer;
  private readonly clock: () => number;

  constructor(
    readonly ring: KeyRing,
    stored: StoredKey[],
    private readonly options: StoreKeysOptions = {},
  ) {
    this.clock = options.clock ?? Date.now;
    this.stored = stored;
    this.live = liveOf(stored);
    this.readAt = this.clock();
    this.pepper = this.findPepper();
    this.sealer = {
      seal: (plaintext) => sealWithId(this.ring.derive(this.currentId, 'secret-seal'), this.currentId, plaintext),
      open: (sealed) => open(this.ring.derive(this.sealedUnder(sealed), 'secret-seal'), sealed),
      keyIdOf: (sealed) => this.sealedUnder(sealed),
    };
  }

  /** One key and no store: what a test or a tool that never rotates uses. */
  static single(master: Buffer, now = 0): StoreKeys {
    const ring = KeyRing.of(master);
    const id = keyIdOf(master);
    return new StoreKeys(ring, [keyRecord(ring, id, { wraps: false, pepper: deriveKey(master, 'registry-hmac'), now })]);
  }

  get records(): StoredKey[] {
    return this.stored.map((k) => ({ ...k }));
  }

  get currentId(): string {
    const current = this.stored.find((k) => k.state === 'current');
    if (!current) throw new KeyError('the store names no current master key');
    return current.keyId;
  }

  /** The store's first key: the one whose registry hashes are not wrapped, and under which v1 values were sealed. */
  get firstId(): string {
    const first = this.stored.find((k) => !k.wraps);
    if (!first) throw new KeyError('the store names no first master key');
    return first.keyId;
  }

  /** Current and previous keys: those rows may be made under. Kicks a background re-read when stale. */
  liveIds(): readonly string[] {
    this.refreshIfStale();
    return this.live;
  }

  /** The permutation a key applies to registry hashes; undefined for the store's first key (plain). */
  wrapOf(keyId: string): HashWrap | undefined {
    if (keyId === this.firstId) return undefined;
    let wrap = this.wraps.get(keyId);
    if (!wrap) this.wraps.set(keyId, (wrap = createHashWrap(this.ring.derive(keyId, 'registry-wrap'))));
    return wrap;
  }

  /** A registry hash made under `from`, as `to` would have made it. */
  translate(hash: Buffer, from: string, to: string): Buffer {
    if (from === to) return hash;
    const plain = this.wrapOf(from)?.unwrap(hash) ?? hash;
    return this.wrapOf(to)?.wrap(plain) ?? plain;
  }

  /**
   * Why this process cannot work with the store, or undefined when it can: it must hold the current
   * key, and (unless `currentOnly`) every key rows may still be made under.
   */
  problem(options: { currentOnly?: boolean } = {}): string | undefined {
    return keyProblem(this.ring, this.stored, options);
  }

  /** Re-reads the store's records (at most once per ttl), then throws KeyError when this process no longer fits. */
  async assertUsable(): Promise<void> {
    if (this.clock() - this.readAt >= (this.options.ttlMs ?? 1000)) await this.refresh();
    const problem = this.problem();
    if (problem) throw new KeyError(problem);
  }

  private refreshIfStale(): void {
    if (this.options.store && this.clock() - this.readAt >= (this.options.ttlMs ?? 1000)) void this.refresh().catch(() => undefined);
  }

  private refresh(): Promise<void> {
    const store = this.options.store;
    if (!store) return Promise.resolve();
    return (this.refreshing ??= (async () => {
      try {
        const stored = await store.list();
        // A key rotated in elsewhere may have been added to the key file since this process read it.
        if (stored.some((k) => k.state !== 'retired' && !this.ring.holds(k.keyId))) this.ring.refresh();
        this.stored = stored;
        this.live = liveOf(stored);
        this.readAt = this.clock();
      } finally {
        this.refreshing = undefined;
      }
    })());
  }

  private sealedUnder(sealed: string): string {
    return sealedKeyId(sealed) ?? this.firstId;
  }

  private findPepper(): Buffer {
    const first = this.stored.find((k) => !k.wraps);
    if (first && this.ring.holds(first.keyId)) return this.ring.derive(first.keyId, 'registry-hmac');
    for (const k of this.stored) {
      if (k.pepperSealed === null || !this.ring.holds(k.keyId)) continue;
      return Buffer.from(open(this.ring.derive(k.keyId, 'secret-seal'), k.pepperSealed), 'base64');
    }
    throw new KeyError(`this node holds none of the store's live master keys (${this.ring.origin} holds ${this.ring.describeIds()})`);
  }
}

const liveOf = (stored: StoredKey[]) => stored.filter((k) => k.state !== 'retired').map((k) => k.keyId);

/** The hint every key message ends with: how a node is given the store's keys. */
function howToGive(ring: KeyRing): string {
  const file = ring.file ? ` (${ring.file})` : '';
  return `copy the key file${file} from a node that runs against this store, or set REALNAME_MASTER_KEY to its keys (comma-separated)`;
}

export function keyProblem(ring: KeyRing, stored: StoredKey[], options: { currentOnly?: boolean } = {}): string | undefined {
  const current = stored.find((k) => k.state === 'current');
  if (!current) return 'the store names no current master key';
  if (!ring.matches(current)) {
    if (ring.ids().length === 0) return `no master key: this store belongs to master key ${current.keyId}; ${howToGive(ring)}`;
    if (ring.holds(current.keyId)) {
      return `the master key ${current.keyId} from ${ring.origin} is not the key this store knows by that id; ${howToGive(ring)}`;
    }
    return `this store belongs to master key ${current.keyId}, but ${ring.origin} holds ${ring.describeIds()}: every node of a store needs its key; ${howToGive(ring)}, or point --data/--store at the store this key belongs to`;
  }
  if (options.currentOnly) return undefined;
  const missing = stored.filter((k) => k.state === 'previous' && !ring.matches(k)).map((k) => k.keyId);
  if (missing.length === 0) return undefined;
  const which = missing.length === 1 ? `key ${missing[0]}` : `keys ${missing.join(', ')}`;
  return (
    `this store still holds data under master ${which} (rotated out, not yet retired), which ${ring.origin} lacks: ` +
    `add it to the key ring (${howToGive(ring)}), or finish the rotation where it is held: realname keys rewrap, then realname keys retire ${missing[0]}`
  );
}
