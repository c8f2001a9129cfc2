import { useState } from 'react';
import { get, post } from '../api.ts';
import { useT } from '../i18n.ts';
import { term } from '../terms.ts';
import { fen, Problem, Section, useLoad } from '../ui.tsx';

interface SourceRow {
  name: string;
  type: string;
  endpoint: string;
  kinds: string[];
  state: 'ok' | 'open' | 'disabled';
  callsToday: number;
  errorsToday: number;
  p50Ms?: number;
  p99Ms?: number;
  costTodayFen: number;
  costMonthFen: number;
  dailyBudgetFen: number | null;
}

const ms = (v: number | undefined | null) => (v === undefined || v === null ? '—' : `≤${v} ms`);

export function Sources({ admin }: { admin: boolean }) {
  const { t, lang } = useT();
  const { data, error, reload } = useLoad(() => get<{ sources: SourceRow[]; routes: Record<string, Array<{ source: string }>> }>('/api/sources'), [], 5000);
  const [problem, setProblem] = useState<unknown>();
  const toggle = async (s: SourceRow) => {
    try {
      await post(`/api/sources/${s.name}/${s.state === 'disabled' ? 'enable' : 'disable'}`);
      setProblem(undefined);
    } catch (err) {
      setProblem(err);
    }
    reload();
  };
  return (
    <>
      <h1 data-ready={data ? 'yes' : undefined}>{t('sources')}</h1>
      <Problem error={error ?? problem} />
      <Section title={t('sources')} id="source-list">
        {data && data.sources.length === 0 && <p>{t('noSources')}</p>}
        {data && data.sources.length > 0 && (
          <div className="scroll" tabIndex={0}>
            <table>
              <thead>
                <tr>
                  <th scope="col">{t('name')}</th>
                  <th scope="col">{t('type')}</th>
                  <th scope="col">{t('breaker')}</th>
                  <th scope="col">{t('callsToday')}</th>
                  <th scope="col">{t('errorsToday')}</th>
                  <th scope="col">{t('p50')}</th>
                  <th scope="col">{t('p99')}</th>
                  <th scope="col">{t('costTodayShort')}</th>
                  <th scope="col">{t('budget')}</th>
                  <th scope="col">{t('costMonthShort')}</th>
                  {admin && <th scope="col">{t('actions')}</th>}
                </tr>
              </thead>
              <tbody>
                {data.sources.map((s) => (
                  <tr key={s.name}>
                    <td>{s.name}</td>
                    <td>{s.type}</td>
                    <td data-testid="source-state">{term(lang, s.state)}</td>
                    <td>{s.callsToday}</td>
                    <td>{s.errorsToday}</td>
                    <td>{ms(s.p50Ms)}</td>
                    <td>{ms(s.p99Ms)}</td>
                    <td>{fen(s.costTodayFen)}</td>
                    <td>{s.dailyBudgetFen === null ? t('none') : fen(s.dailyBudgetFen)}</td>
                    <td>{fen(s.costMonthFen)}</td>
                    {admin && (
                      <td>
                        <button type="button" onClick={() => toggle(s)} aria-label={`${s.state === 'disabled' ? t('enable') : t('disable')} ${s.name}`}>
                          {s.state === 'disabled' ? t('enable') : t('disable')}
                        </button>
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Section>
      {data && (
        <Section title={t('routes')} id="routes">
          {Object.keys(data.routes).length === 0 ? (
            <p>{t('defaultRoutes')}</p>
          ) : (
            <ul>
              {Object.entries(data.routes).map(([kind, hops]) => (
                <li key={kind}>
                  <code>{kind}</code>: {hops.map((h) => h.source).join(' → ')}
                </li>
              ))}
            </ul>
          )}
        </Section>
      )}
    </>
  );
}
