import { useState, type FormEvent } from 'react';
import { get } from '../api.ts';
import { useT } from '../i18n.ts';
import { Field, Problem, Section, useLoad, when } from '../ui.tsx';

interface AuditRecord {
  checkId: string;
  at: number;
  appid: string | null;
  dialect: string;
  kind: string | null;
  verdict: string | null;
  refusal: string | null;
  code: string;
  masked: Record<string, string>;
  source: string | null;
  billed: boolean;
  latencyMs: number;
}

interface Action {
  at: number;
  operator: string;
  action: string;
  target: string;
  ok: boolean;
}

const FILTERS = ['app', 'since', 'until', 'verdict', 'refusal', 'dialect', 'checkId'] as const;

/** Filters as a query string: none of them is a factor (a person is looked up on the subjects page, by POST). */
function query(filters: Record<string, string>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(filters)) {
    if (!v) continue;
    params.set(k, k === 'since' || k === 'until' ? new Date(v).toISOString() : v);
  }
  return params.toString();
}

export function Audit() {
  const { t } = useT();
  const [filters, setFilters] = useState<Record<string, string>>({});
  const { data, error } = useLoad(() => get<{ records: AuditRecord[]; scanned: number; truncated: boolean }>(`/api/audit?${query(filters)}`), [JSON.stringify(filters)]);
  const actions = useLoad(() => get<{ actions: Action[] }>('/api/operators/actions'), [data]);
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    setFilters(Object.fromEntries(FILTERS.map((k) => [k, String(form.get(k) ?? '').trim()])));
  };
  const labels = { app: t('app'), since: t('since'), until: t('until'), verdict: t('verdict'), refusal: t('refusal'), dialect: t('dialect'), checkId: t('checkId') };
  return (
    <>
      <h1>{t('audit')}</h1>
      <Section title={t('search')} id="audit-search">
        <form onSubmit={submit} className="grid" aria-label={t('search')}>
          {FILTERS.map((k) => (
            <Field key={k} label={labels[k]} name={k} type={k === 'since' || k === 'until' ? 'datetime-local' : 'text'} list={k === 'verdict' ? 'verdicts' : undefined} />
          ))}
          <datalist id="verdicts">
            {['match', 'mismatch', 'not_found', 'invalid', 'unavailable'].map((v) => (
              <option key={v} value={v} />
            ))}
          </datalist>
          <div className="row">
            <button type="submit">{t('search')}</button>
            <a className="button" href={`/api/audit/export?${query({ ...filters, format: 'csv' })}`} download>
              {t('exportCsv')}
            </a>
            <a className="button" href={`/api/audit/export?${query({ ...filters, format: 'jsonl' })}`} download>
              {t('exportJsonl')}
            </a>
          </div>
        </form>
      </Section>
      <Problem error={error} />
      {data && (
        <Section title={t('results', { n: data.records.length })} id="audit-results">
          {data.truncated && <p className="muted">{t('truncated', { n: data.scanned })}</p>}
          <div className="scroll" tabIndex={0}>
            <table data-testid="audit-table">
              <thead>
                <tr>
                  <th scope="col">{t('time')}</th>
                  <th scope="col">{t('app')}</th>
                  <th scope="col">{t('dialect')}</th>
                  <th scope="col">{t('kind')}</th>
                  <th scope="col">{t('outcome')}</th>
                  <th scope="col">{t('code')}</th>
                  <th scope="col">{t('source')}</th>
                  <th scope="col">{t('latency')}</th>
                  <th scope="col">{t('factors')}</th>
                  <th scope="col">{t('checkId')}</th>
                </tr>
              </thead>
              <tbody>
                {data.records.map((r) => (
                  <tr key={`${r.checkId}${r.at}`}>
                    <td>{when(r.at)}</td>
                    <td>{r.appid ?? '—'}</td>
                    <td>{r.dialect}</td>
                    <td>{r.kind ?? '—'}</td>
                    <td data-testid="audit-outcome">{r.refusal ? `${t('refusal')}: ${r.refusal}` : r.verdict}</td>
                    <td>{r.code}</td>
                    <td>{r.source ?? '—'}</td>
                    <td>{r.latencyMs.toFixed(1)} ms</td>
                    <td>{Object.values(r.masked).join(' ')}</td>
                    <td>
                      <code>{r.checkId}</code>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </Section>
      )}
      {actions.data && (
        <Section title={t('consoleActions')} id="console-actions">
          <div className="scroll" tabIndex={0}>
            <table>
              <thead>
                <tr>
                  <th scope="col">{t('time')}</th>
                  <th scope="col">{t('operator')}</th>
                  <th scope="col">{t('action')}</th>
                  <th scope="col">{t('target')}</th>
                  <th scope="col">{t('result')}</th>
                </tr>
              </thead>
              <tbody>
                {actions.data.actions.slice(0, 50).map((a, i) => (
                  <tr key={i}>
                    <td>{when(a.at)}</td>
                    <td>{a.operator}</td>
                    <td>{a.action}</td>
                    <td>{a.target}</td>
                    <td>{a.ok ? t('ok') : t('failed')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </Section>
      )}
    </>
  );
}
