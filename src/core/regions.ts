/**
 * GB/T 2260 region codes since 1980, with the name in force per year (generated table, loaded once).
 * An ID number keeps the code in force when it was first issued, so every code that ever existed is valid.
 */
import table from './tables/regions.json' with { type: 'json' };

/** [fromYear, toYear, name]; null = unknown start / open or unknown end. */
type Interval = readonly [number | null, number | null, string];

export interface Region {
  code: string;
  province: string | null;
  /** null where the level is absent or only a placeholder (市辖区, 省直辖…). */
  prefecture: string | null;
  /** null for province- and prefecture-level codes. */
  county: string | null;
  /** Full name, e.g. 上海市黄浦区. */
  name: string;
  /** Not in today's table. */
  abolished: boolean;
  /** Codes that took over an abolished code, where known. */
  successors?: string[];
}

const intervalsByCode = new Map<number, readonly Interval[]>();
for (const [code, intervals] of Object.entries(table.regions)) {
  intervalsByCode.set(Number(code), intervals as unknown as Interval[]);
}
const successorsByCode = new Map<number, string[]>();
for (const [code, successors] of Object.entries(table.abolished)) successorsByCode.set(Number(code), Object.freeze(successors) as string[]);

/** What naming a code takes: its intervals and those of its province and prefecture codes. */
interface Levels {
  own: readonly Interval[];
  province: readonly Interval[] | undefined;
  prefecture: readonly Interval[] | undefined;
  /** No level has more than one interval, so the birth year cannot change the region. */
  yearless: boolean;
  /** The region of a yearless code, once built. */
  region: Region | undefined;
}
const levelsByCode = new Map<number, Levels>();
for (const [code, own] of intervalsByCode) {
  const province = intervalsByCode.get(code - (code % 10000));
  const prefecture = intervalsByCode.get(code - (code % 100));
  const yearless = [own, province, prefecture].every((intervals) => (intervals?.length ?? 1) === 1);
  levelsByCode.set(code, { own, province, prefecture, yearless, region: undefined });
}

/** Level names that are placeholders, not places, and are left out of a full name. */
function isPlaceholder(name: string): boolean {
  return name === '市辖区' || name === '县' || name === '市区' || name.includes('直辖');
}

/** True if the 6-digit code (as a number) ever existed in the table. */
export function isRegionCodeNumber(code: number): boolean {
  return levelsByCode.has(code);
}

export function isRegionCode(code: string): boolean {
  return /^\d{6}$/.test(code) && intervalsByCode.has(Number(code));
}

/** Index of the interval in force in `year`, else of the nearest; without a year, the latest. */
function indexAt(intervals: readonly Interval[], year: number | undefined): number {
  if (intervals.length === 1 || year === undefined) return intervals.length - 1;
  let best = 0;
  let bestDistance = Infinity;
  for (let i = 0; i < intervals.length; i++) {
    const from = intervals[i]![0] ?? -Infinity;
    const to = intervals[i]![1] ?? Infinity;
    const distance = year < from ? from - year : year > to ? year - to : 0;
    // Ties go to the later interval: a code reused later is more likely what a newer card carries.
    if (distance <= bestDistance) {
      best = i;
      bestDistance = distance;
    }
  }
  return best;
}

function nameAt(intervals: readonly Interval[], year: number | undefined): string {
  return intervals[indexAt(intervals, year)]![2];
}

function levelName(code: number, year: number | undefined): string | null {
  const intervals = intervalsByCode.get(code);
  return intervals ? nameAt(intervals, year) : null;
}

/**
 * Built regions, shared: a region depends only on which interval of the code, its prefecture and
 * its province is chosen, so the cache stays as small as the table (no per-call allocation).
 */
const cache = new Map<number, Region>();

function intervalIndex(intervals: readonly Interval[] | undefined, year: number | undefined): number {
  return intervals ? indexAt(intervals, year) : 0;
}

function buildRegion(code: number, year: number | undefined): Region | undefined {
  const own = intervalsByCode.get(code);
  if (!own) return undefined;
  const provinceCode = code - (code % 10000);
  const prefectureCode = code - (code % 100);
  const province = levelName(provinceCode, year);
  let prefecture = prefectureCode === provinceCode ? null : levelName(prefectureCode, year);
  if (prefecture !== null && (isPlaceholder(prefecture) || prefecture === province)) prefecture = null;
  const county = prefectureCode === code ? null : nameAt(own, year);
  let name: string;
  if (code === provinceCode) name = nameAt(own, year);
  else if (code === prefectureCode) name = (province ?? '') + (prefecture ?? '');
  else name = (province ?? '') + (prefecture ?? '') + (county && !isPlaceholder(county) ? county : '');
  const successors = successorsByCode.get(code);
  const region: Region = {
    code: String(code).padStart(6, '0'),
    province,
    prefecture,
    county,
    name,
    abolished: successors !== undefined,
  };
  if (successors && successors.length > 0) region.successors = successors;
  return region;
}

function cachedRegion(code: number, birthYear: number | undefined, levels: Levels): Region {
  // Fewer than 10 intervals per code (scripts/gen-regions.ts checks), so one digit per level.
  const key =
    code * 1000 +
    intervalIndex(levels.province, birthYear) * 100 +
    intervalIndex(levels.prefecture, birthYear) * 10 +
    intervalIndex(levels.own, birthYear);
  let region = cache.get(key);
  if (!region) cache.set(key, (region = Object.freeze(buildRegion(code, birthYear)!)));
  return region;
}

/**
 * The region of a 6-digit code, named as in `birthYear` when given (the name in force that year,
 * else the nearest). Returned objects are shared: treat them as read-only.
 */
export function regionOfNumber(code: number, birthYear?: number): Region | undefined {
  const levels = levelsByCode.get(code);
  if (levels === undefined) return undefined;
  if (levels.region !== undefined) return levels.region;
  const region = cachedRegion(code, birthYear, levels);
  if (levels.yearless) levels.region = region;
  return region;
}

export function regionOf(code: string, birthYear?: number): Region | undefined {
  if (!/^\d{6}$/.test(code)) return undefined;
  return regionOfNumber(Number(code), birthYear);
}

/** Every code in the table (for generators and tests). */
export function allRegionCodes(): string[] {
  return [...intervalsByCode.keys()].map((c) => String(c).padStart(6, '0'));
}

/** Years a code was in force per the table, as [from, to] pairs (null = unknown or open). */
export function regionIntervals(code: string): readonly Interval[] | undefined {
  return intervalsByCode.get(Number(code));
}
