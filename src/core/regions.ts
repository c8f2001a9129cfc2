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
for (const [code, successors] of Object.entries(table.abolished)) successorsByCode.set(Number(code), successors);

/** Level names that are placeholders, not places, and are left out of a full name. */
function isPlaceholder(name: string): boolean {
  return name === '市辖区' || name === '县' || name === '市区' || name.includes('直辖');
}

/** True if the 6-digit code (as a number) ever existed in the table. */
export function isRegionCodeNumber(code: number): boolean {
  return intervalsByCode.has(code);
}

export function isRegionCode(code: string): boolean {
  return /^\d{6}$/.test(code) && intervalsByCode.has(Number(code));
}

/** The name in force in `year`, else the one of the nearest interval; without a year, the latest. */
function nameAt(intervals: readonly Interval[], year: number | undefined): string {
  if (intervals.length === 1 || year === undefined) return intervals[intervals.length - 1]![2];
  let best = intervals[0]!;
  let bestDistance = Infinity;
  for (const interval of intervals) {
    const from = interval[0] ?? -Infinity;
    const to = interval[1] ?? Infinity;
    const distance = year < from ? from - year : year > to ? year - to : 0;
    // Ties go to the later interval: a code reused later is more likely what a newer card carries.
    if (distance <= bestDistance) {
      best = interval;
      bestDistance = distance;
    }
  }
  return best[2];
}

function levelName(code: number, year: number | undefined): string | null {
  const intervals = intervalsByCode.get(code);
  return intervals ? nameAt(intervals, year) : null;
}

/** Region names barely depend on the year for most codes: those results are built once and shared. */
const stableCache = new Map<number, Region>();

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

function isStable(code: number): boolean {
  return (
    (intervalsByCode.get(code)?.length ?? 0) <= 1 &&
    (intervalsByCode.get(code - (code % 100))?.length ?? 0) <= 1 &&
    (intervalsByCode.get(code - (code % 10000))?.length ?? 0) <= 1
  );
}

/**
 * The region of a 6-digit code, named as in `birthYear` when given (the name in force that year,
 * else the nearest). Returned objects may be shared: treat them as read-only.
 */
export function regionOfNumber(code: number, birthYear?: number): Region | undefined {
  const cached = stableCache.get(code);
  if (cached) return cached;
  if (!intervalsByCode.has(code)) return undefined;
  if (isStable(code)) {
    const region = buildRegion(code, undefined)!;
    stableCache.set(code, region);
    return region;
  }
  return buildRegion(code, birthYear);
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
