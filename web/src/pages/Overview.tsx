import { useState } from 'react';
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { get } from '../api.ts';
import { term } from '../terms.ts';
import { useT, type Key } from '../i18n.ts';
import { fen, Problem, Section, useLoad } from '../ui.tsx';

interface Bucket {
  start: number;
  total: number;
  byOutcome: Record<string, number>;
  byDialect: Record<string, number>;
}

interface OverviewData {
  read: number;
  complete: boolean;
  minutes: Bucket[];
  hours: Bucket[];
  days: Bucket[];
  last24h: { checks: number; billed: number; refused: number; p50Ms: number | null; p99Ms: number | null; refusals: Record<string, number> };
  cost: { todayFen: number; monthFen: number; sources: Array<{ name: string; state: string; costTodayFen: number; costMonthFen: number; callsToday: number }> };
}

// Colours with at least 3:1 against the white card (WCAG's non-text contrast), told apart by hue.
const COLOURS: Record<string, string> = { match: '#1a7f37', mismatch: '#b35900', not_found: '#6639ba', invalid: '#7d4e00', unavailable: '#57606a', refused: '#cf222e', billed: '#0969da', unbilled: '#57606a' };
const PALETTE = ['#0969da', '#8250df', '#bf3989', '#1a7f37', '#9a6700', '#cf222e'];

function Chart({ buckets, by, label, format, name }: { name: (code: string) => string;  buckets: Bucket[]; by: 'byOutcome' | 'byDialect'; label: string; format: (ms: number) => string }) {
  const keys = [...new Set(buckets.flatMap((b) => Object.keys(b[by])))].sort();
  const data = buckets.map((b) => ({ at: format(b.start), ...b[by] }));
  return (
    <figure className="chart">
      <figcaption>{label}</figcaption>
      <div role="img" aria-label={`${label}: ${keys.map((k) => `${name(k)} ${buckets.reduce((s, b) => s + (b[by][k] ?? 0), 0)}`).join(', ') || '0'}`}>
        <ResponsiveContainer width="100%" height={220}>
          <BarChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: -16 }}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="at" tick={{ fontSize: 11 }} minTickGap={12} />
            <YAxis allowDecimals={false} tick={{ fontSize: 11 }} />
            <Tooltip />
            <Legend />
            {keys.map((k, i) => (
              <Bar key={k} dataKey={k} name={name(k)} stackId="a" fill={COLOURS[k] ?? PALETTE[i % PALETTE.length]} isAnimationActive={false} />
            ))}
          </BarChart>
        </ResponsiveContainer>
      </div>
    </figure>
  );
}

const clock = (ms: number) => new Date(ms).toTimeString().slice(0, 5);
const day = (ms: number) => new Date(ms + 8 * 3600_000).toISOString().slice(5, 10);

export function Overview() {
  const { t, lang } = useT();
  const name = (code: string) => term(lang, code);
  const { data, error } = useLoad(() => get<OverviewData>('/api/overview'), [], 5000);
  const [span, setSpan] = useState<'minutes' | 'hours' | 'days'>('minutes');
  const spans: Array<{ key: typeof span; label: Key; format: (ms: number) => string }> = [
    { key: 'minutes', label: 'perMinute', format: clock },
    { key: 'hours', label: 'perHour', format: clock },
    { key: 'days', label: 'perDay', format: day },
  ];
  const current = spans.find((s) => s.key === span)!;
  const ms = (v: number | null) => (v === null ? '—' : `${v.toFixed(1)} ms`);
  return (
    <>
      <h1 data-ready={data ? 'yes' : undefined}>{t('overview')}</h1>
      <p className="muted">{t('refresh')}</p>
      <Problem error={error} />
      {data && (
        <>
          <dl className="tiles" data-testid="tiles">
            {(
              [
                ['checksLast24h', String(data.last24h.checks), 'checks'],
                ['billed', String(data.last24h.billed), 'billed'],
                ['refused', String(data.last24h.refused), 'refused'],
                ['p50', ms(data.last24h.p50Ms), 'p50'],
                ['p99', ms(data.last24h.p99Ms), 'p99'],
                ['costToday', fen(data.cost.todayFen), 'cost-today'],
                ['costMonth', fen(data.cost.monthFen), 'cost-month'],
              ] as Array<[Key, string, string]>
            ).map(([label, value, id]) => (
              <div key={id} className="tile">
                <dt>{t(label)}</dt>
                <dd data-testid={`tile-${id}`}>{value}</dd>
              </div>
            ))}
          </dl>
          {!data.complete && <p className="muted">{t('partial', { n: data.read })}</p>}
          <div className="tabs" role="group" aria-label={t('overview')}>
            {spans.map((s) => (
              <button key={s.key} type="button" aria-pressed={span === s.key} onClick={() => setSpan(s.key)}>
                {t(s.label)}
              </button>
            ))}
          </div>
          <div className="charts">
            <Chart buckets={data[span]} by="byOutcome" label={`${t('byOutcome')} — ${t(current.label)}`} format={current.format} name={name} />
            <Chart buckets={data[span]} by="byDialect" label={`${t('byDialect')} — ${t(current.label)}`} format={current.format} name={name} />
          </div>
          <div className="charts">
            <Section title={t('refusals')} id="refusals">
              {Object.keys(data.last24h.refusals).length === 0 ? (
                <p>{t('none')}</p>
              ) : (
                <div className="scroll" tabIndex={0}>
                <table>
                  <thead>
                    <tr>
                      <th scope="col">{t('refusal')}</th>
                      <th scope="col">#</th>
                    </tr>
                  </thead>
                  <tbody>
                    {Object.entries(data.last24h.refusals)
                      .sort((a, b) => b[1] - a[1])
                      .map(([reason, n]) => (
                        <tr key={reason}>
                          <td>{name(reason)}</td>
                          <td>{n}</td>
                        </tr>
                      ))}
                  </tbody>
                </table>
                </div>
              )}
            </Section>
            <Section title={t('sources')} id="costs">
              {data.cost.sources.length === 0 ? (
                <p>{t('noSources')}</p>
              ) : (
                <div className="scroll" tabIndex={0}>
                <table>
                  <thead>
                    <tr>
                      <th scope="col">{t('source')}</th>
                      <th scope="col">{t('state')}</th>
                      <th scope="col">{t('callsToday')}</th>
                      <th scope="col">{t('costToday')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.cost.sources.map((s) => (
                      <tr key={s.name}>
                        <td>{s.name}</td>
                        <td>{name(s.state)}</td>
                        <td>{s.callsToday}</td>
                        <td>{fen(s.costTodayFen)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
                </div>
              )}
            </Section>
          </div>
        </>
      )}
    </>
  );
}
