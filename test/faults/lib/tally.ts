import { appendFileSync, existsSync, readFileSync } from 'node:fs';

/**
 * The fault suite's one table: each scenario adds what it counted; the reporter (../reporter.ts) prints
 * the sums per backend when the run ends. Test files run in separate processes, so the counts go to one
 * file named by REALNAME_FAULTS_TALLY (set by vitest.config.ts).
 */
export const METRICS = [
  { key: 'fuzzed', label: 'requests fuzzed', must: '> 0' },
  { key: '5xx', label: '5xx (HTTP 5xx, or the internal-error code)', must: '0' },
  { key: 'undocumented', label: 'codes outside the README tables', must: '0' },
  { key: 'hangs', label: 'hangs and lost answers (none within the deadline + 2 s)', must: '0' },
  { key: 'second', label: 'second answers to one request', must: '0' },
  { key: 'survived', label: 'crashes survived (SIGKILL, restart, answers)', must: 'every kill' },
  { key: 'deaths', label: 'service deaths nobody asked for', must: '0' },
  { key: 'missing', label: 'records missing (an answer without its audit record)', must: '0' },
  { key: 'quota', label: 'quota units lost or doubled', must: '0' },
  { key: 'replays', label: 'replays accepted (beyond each single-use signature\'s one use)', must: '0' },
  { key: 'forgeries', label: 'forged signatures accepted', must: '0' },
  { key: 'crossTenant', label: "one app's credentials acting for another", must: '0' },
  { key: 'plaintext', label: 'plaintext hits (every file, dump and log)', must: '0' },
] as const;

export type MetricKey = (typeof METRICS)[number]['key'] | 'kills' | 'bursts';

interface Entry {
  backend: string;
  metric: MetricKey;
  n: number;
}

const file = () => process.env.REALNAME_FAULTS_TALLY;

export function tally(backend: string, metric: MetricKey, n: number): void {
  const path = file();
  if (path) appendFileSync(path, `${JSON.stringify({ backend, metric, n } satisfies Entry)}\n`);
}

/** The sums per backend and metric, or undefined when no fault test ran. */
export function readTally(path = file()): Map<string, Map<MetricKey, number>> | undefined {
  if (!path || !existsSync(path)) return undefined;
  const sums = new Map<string, Map<MetricKey, number>>();
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line) continue;
    const { backend, metric, n } = JSON.parse(line) as Entry;
    const of = sums.get(backend) ?? new Map<MetricKey, number>();
    of.set(metric, (of.get(metric) ?? 0) + n);
    sums.set(backend, of);
  }
  return sums;
}

/** The table as text: one row per metric, a column per backend, and what it must be. */
export function renderTally(sums: Map<string, Map<MetricKey, number>>, title: string): string {
  const backends = [...sums.keys()].sort();
  const cell = (backend: string, key: MetricKey) => {
    const of = sums.get(backend)!;
    const n = of.get(key) ?? 0;
    if (key === 'survived') return `${n} of ${of.get('kills') ?? 0}`;
    if (key === 'replays') return `${n} (${of.get('bursts') ?? 0} bursts)`;
    return String(n);
  };
  const rows = [['', ...backends, 'must be'], ...METRICS.map((m) => [m.label, ...backends.map((b) => cell(b, m.key)), m.must])];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => `| ${r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  const rule = `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`;
  return [title, line(rows[0]!), rule, ...rows.slice(1).map(line)].join('\n');
}
