/**
 * Deterministic synthetic identities for demos, tests and benchmarks: structurally valid (real region
 * codes, valid check digits, real BINs with Luhn-valid numbers, real mobile segments) yet belonging
 * to nobody on purpose. The same seed always yields the same sequence.
 */
import { checkCharacter } from './id-number.ts';
import { allRegionCodes, regionIntervals } from './regions.ts';
import { allBins, findBin } from './bins.ts';
import { luhnCheckDigit } from './bank-card.ts';
import { validatePhone } from './phone.ts';
import { ymdFromDays } from './dates.ts';

export interface SyntheticIdentity {
  name: string;
  idNumber: string;
  bankCard: string;
  phone: string;
}

/** mulberry32: a tiny 32-bit PRNG, plenty for synthetic data (never for secrets). */
export function createRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a, so string seeds work too. */
function seedNumber(seed: number | string): number {
  if (typeof seed === 'number') return seed >>> 0;
  let h = 0x811c9dc5;
  for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

const SURNAMES = [...'王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤'];
const COMPOUND_SURNAMES = ['欧阳', '司马', '上官', '诸葛', '东方', '皇甫', '慕容', '尉迟', '令狐', '公孙', '夏侯', '端木', '司徒', '长孙', '宇文'];
const GIVEN = [...'伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂文辉建华玉梅红飞鹏宇浩然子涵欣怡梓轩诗雨萱博思佳嘉俊晨睿泽一鑫琳婷雪晶斌波宁凯健亮彬东丹慧瑶琪玲倩颖婉昊天志国海峰永新春荣德成林龙'];
/** Rare characters seen in real names, some outside the BMP (Extension A 䶮, Extension B 𠮷). */
const RARE_GIVEN = ['䶮', '𠮷', '堃', '喆', '犇', '淼', '昇', '翀'];
/** Parts of Uyghur and Kazakh names as written in Chinese, joined with U+00B7. */
const MINORITY_PARTS = ['阿卜杜', '热合曼', '买买提', '艾力', '古丽娜尔', '吐尔逊', '艾合买提', '努尔', '阿依古丽', '帕提古丽', '玉素甫', '阿不都', '克里木', '依明', '麦麦提', '图尔贡', '热依拉', '迪丽娜尔', '吾斯曼', '哈力克'];
const PHONE_SEGMENTS = ['130', '131', '132', '133', '135', '136', '137', '138', '139', '150', '151', '152', '153', '155', '156', '157', '158', '159', '166', '173', '175', '176', '177', '180', '181', '182', '183', '185', '186', '187', '188', '189', '191', '195', '198', '199'];

interface Pools {
  /** County-level codes: every current one, and every 20th abolished one (IDs keep abolished codes). */
  regions: string[];
  bins: ReturnType<typeof allBins>;
}
let pools: Pools | undefined;

/** County-level codes with a dated interval, split into current and abolished; built on first use. */
function getPools(): Pools {
  if (pools) return pools;
  const current: string[] = [];
  const abolished: string[] = [];
  for (const code of allRegionCodes().sort()) {
    if (code.endsWith('00') || code.startsWith('8')) continue;
    const intervals = regionIntervals(code)!;
    const last = intervals[intervals.length - 1]!;
    if (last[0] === null || /^(市辖区|市区|郊区)$/.test(last[2])) continue;
    (last[1] === null ? current : abolished).push(code);
  }
  const bins = allBins().sort((a, b) => (a.bin + a.length).localeCompare(b.bin + b.length));
  return (pools = { regions: [...current, ...abolished.filter((_, i) => i % 20 === 0)], bins });
}

function pick<T>(random: () => number, list: readonly T[]): T {
  return list[Math.floor(random() * list.length)]!;
}

function digits(random: () => number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += Math.floor(random() * 10);
  return s;
}

function syntheticName(random: () => number): string {
  const r = random();
  if (r < 0.08) {
    const parts = random() < 0.8 ? 2 : 3;
    return Array.from({ length: parts }, () => pick(random, MINORITY_PARTS)).join('\u00b7');
  }
  const surname = r < 0.14 ? pick(random, COMPOUND_SURNAMES) : pick(random, SURNAMES);
  const first = random() < 0.02 ? pick(random, RARE_GIVEN) : pick(random, GIVEN);
  return surname + first + (random() < 0.7 ? pick(random, GIVEN) : '');
}

/** Birth dates from 1950-01-01 to 2005-12-31, as days since 1970-01-01. */
const FIRST_BIRTH_DAY = -7305;
const BIRTH_DAYS = 20_454;
const SEQUENCES = 1000;

/**
 * ID numbers never repeat within a seed (the registry rejects a known ID number under another name):
 * the i-th identity takes slot (a·i + b) mod N of the N = regions × days × sequences possible bodies,
 * a permutation because a is coprime to N.
 */
function idNumberSlots(random: () => number, regions: number): (i: number) => [region: number, day: number, seq: number] {
  const n = BigInt(regions) * BigInt(BIRTH_DAYS) * BigInt(SEQUENCES);
  const draw = (): bigint => (BigInt(Math.floor(random() * 2 ** 26)) * BigInt(2 ** 26) + BigInt(Math.floor(random() * 2 ** 26))) % n;
  const gcd = (x: bigint, y: bigint): bigint => (y === 0n ? x : gcd(y, x % y));
  let a = draw() | 1n;
  while (gcd(a, n) !== 1n) a = (a + 2n) % n;
  const b = draw();
  return (i) => {
    const slot = (a * BigInt(i) + b) % n;
    const rest = Number(slot / BigInt(SEQUENCES));
    // Shifting the sequence by a hash of (region, day) keeps slots distinct and breaks the
    // stride a would leave in consecutive sequences (and so in the sexes).
    const seq = (Number(slot % BigInt(SEQUENCES)) + (mix(rest) % SEQUENCES)) % SEQUENCES;
    return [Math.floor(rest / BIRTH_DAYS), rest % BIRTH_DAYS, seq];
  };
}

/** A 32-bit integer hash (murmur3's finaliser). */
function mix(x: number): number {
  let h = x >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

function syntheticIdNumber(slot: [number, number, number], pools: Pools): string {
  const [region, day, seq] = slot;
  const body = pools.regions[region]! + ymdFromDays(FIRST_BIRTH_DAY + day) + String(seq).padStart(3, '0');
  return body + checkCharacter(body);
}

function syntheticBankCard(random: () => number, pools: Pools): string {
  for (;;) {
    const entry = pick(random, pools.bins);
    const body = entry.bin + digits(random, entry.length - entry.bin.length - 1);
    const card = body + luhnCheckDigit(body);
    // A longer BIN of another bank may cover this number with another length: draw again.
    if (findBin(card) !== undefined) return card;
  }
}

/** The carriers a synthetic phone's segment belongs to: the three networks (no MVNO, no 广电). */
export const SYNTHETIC_CARRIERS: readonly string[] = ['中国移动', '中国联通', '中国电信'];

/** A valid number whose segment is assigned to one of SYNTHETIC_CARRIERS (phone3 answers the carrier). */
function syntheticPhone(random: () => number): string {
  for (;;) {
    const phone = pick(random, PHONE_SEGMENTS) + digits(random, 8);
    const valid = validatePhone(phone);
    if (valid.ok && valid.carrier !== undefined && SYNTHETIC_CARRIERS.includes(valid.carrier)) return phone;
  }
}

/** `count` synthetic identities, the same for the same seed. */
export function* generateIdentities(count: number, seed: number | string = 1): Generator<SyntheticIdentity> {
  const random = createRandom(seedNumber(seed));
  const p = getPools();
  const slotOf = idNumberSlots(random, p.regions.length);
  for (let i = 0; i < count; i++) {
    yield {
      name: syntheticName(random),
      idNumber: syntheticIdNumber(slotOf(i), p),
      bankCard: syntheticBankCard(random, p),
      phone: syntheticPhone(random),
    };
  }
}
