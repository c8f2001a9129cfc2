import { useEffect, useRef, useState, type FormEvent } from 'react';
import { get, post, download } from '../api.ts';
import { useT } from '../i18n.ts';
import { RecordsTable, type AuditView } from '../records.tsx';
import { Field, Problem, Section, useLoad, when } from '../ui.tsx';

interface Action {
  at: number;
  operator: string;
  action: string;
  target: string;
  ok: boolean;
}

const FILTERS = ['app', 'since', 'until', 'verdict', 'refusal', 'dialect', 'kind', 'checkId'] as const;
type Filters = Partial<Record<(typeof FILTERS)[number], string>> & { factor?: { name: string; value: string } };

/** The form's filters as the API takes them; a factor (a person's value) goes in the POSTed body only. */
function filtersOf(form: HTMLFormElement): Filters {
  const data = new FormData(form);
  const filters: Filters = {};
  for (const k of FILTERS) {
    const v = String(data.get(k) ?? '').trim();
    if (v) filters[k] = k === 'since' || k === 'until' ? new Date(v).toISOString() : v;
  }
  const name = String(data.get('factor') ?? '');
  const value = form.elements.namedItem('factorValue') as HTMLInputElement;
  if (name && value.value) filters.factor = { name, value: value.value };
  // Sent once, then gone from the page.
  value.value = '';
  return filters;
}

export function Audit() {
  const { t, lang } = useT();
  const form = useRef<HTMLFormElement>(null);
  const [records, setRecords] = useState<AuditView[] | null>(null);
  const [error, setError] = useState<unknown>();
  const [searches, setSearches] = useState(0);
  const actions = useLoad(() => get<{ actions: Action[] }>('/api/operators/actions'), [searches]);
  const search = async (filters: Filters) => {
    try {
      setRecords((await post<{ records: AuditView[] }>('/api/audit/search', filters)).records);
      setError(undefined);
    } catch (err) {
      setError(err);
    }
    setSearches((n) => n + 1);
  };
  useEffect(() => {
    void search({});
  }, []);
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    void search(filtersOf(e.currentTarget));
  };
  const exportAs = async (format: 'csv' | 'jsonl') => {
    try {
      await download('/api/audit/export', { ...filtersOf(form.current!), format }, `realname-audit.${format}`);
    } catch (err) {
      setError(err);
    }
  };
  const labels = { app: t('app'), since: t('since'), until: t('until'), verdict: t('verdict'), refusal: t('refusal'), dialect: t('dialect'), kind: t('kind'), checkId: t('checkId') };
  return (
    <>
      <h1 data-ready={records && actions.data ? 'yes' : undefined}>{t('audit')}</h1>
      <Section title={t('search')} id="audit-search">
        <form ref={form} onSubmit={submit} className="grid" aria-label={t('search')} autoComplete="off">
          {FILTERS.map((k) => (
            <Field key={k} label={labels[k]} name={k} type={k === 'since' || k === 'until' ? 'datetime-local' : 'text'} list={k === 'verdict' ? 'verdicts' : undefined} />
          ))}
          <datalist id="verdicts">
            {['match', 'mismatch', 'not_found', 'invalid', 'unavailable'].map((v) => (
              <option key={v} value={v} />
            ))}
          </datalist>
          <div className="field">
            <label htmlFor="audit-factor">{t('factor')}</label>
            <select id="audit-factor" name="factor" defaultValue="">
              <option value="">{t('noFactor')}</option>
              <option value="idNumber">{t('idNumber')}</option>
              <option value="name">{t('personName')}</option>
              <option value="bankCard">{t('bankCard')}</option>
              <option value="phone">{t('phone')}</option>
            </select>
          </div>
          <Field label={t('factorValue')} name="factorValue" autoComplete="off" spellCheck={false} maxLength={100} />
          <div className="row">
            <button type="submit">{t('search')}</button>
            <button type="button" onClick={() => exportAs('csv')}>
              {t('exportCsv')}
            </button>
            <button type="button" onClick={() => exportAs('jsonl')}>
              {t('exportJsonl')}
            </button>
          </div>
        </form>
      </Section>
      <Problem error={error} />
      {records && (
        <Section title={t('results', { n: records.length })} id="audit-results">
          <RecordsTable records={records} testId="audit-table" />
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
                    <td>{when(a.at, lang)}</td>
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
