import { useRef, useState, type FormEvent } from 'react';
import { post } from '../api.ts';
import { useT } from '../i18n.ts';
import { RecordsTable, type AuditView } from '../records.tsx';
import { Problem, Section, when } from '../ui.tsx';

interface Report {
  idNumber: string;
  records: AuditView[];
  registry: { rows: number; withCard: number; withPhone: number };
  erasures: Array<{ at: string; records: number; by: unknown }>;
  lookups: Array<{ at: string; command: string; by: unknown }>;
}

interface Erased {
  registryRows: number;
  cachedAnswers: number | string;
  auditRecords: number;
}

const who = (by: unknown) => String((by as { user?: unknown } | null)?.user ?? '—');

/**
 * Report on or erase one person. The ID number typed is POSTed (never in the URL, never in browser
 * storage), and the field is cleared as soon as it is sent; the page keeps only the masked form.
 */
export function Subjects({ admin }: { admin: boolean }) {
  const { t, lang } = useT();
  const input = useRef<HTMLInputElement>(null);
  const pending = useRef<string>('');
  const [report, setReport] = useState<Report | null>(null);
  const [erased, setErased] = useState<Erased | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const [error, setError] = useState<unknown>();
  if (!admin) return (<><h1 data-ready="yes">{t('subjects')}</h1><p role="alert">{t('adminOnly')}</p></>);

  const take = () => {
    const value = input.current?.value ?? '';
    if (input.current) input.current.value = '';
    return value;
  };
  const run = async (work: () => Promise<void>) => {
    try {
      setError(undefined);
      await work();
    } catch (err) {
      setError(err);
    }
  };
  const onReport = (e: FormEvent) => {
    e.preventDefault();
    const idNumber = take();
    setErased(null);
    return run(async () => setReport(await post<Report>('/api/subjects/report', { idNumber })));
  };
  const onErase = () => {
    pending.current = take();
    return run(async () => {
      // The report first: the confirmation names the person by their masked number only.
      const r = await post<Report>('/api/subjects/report', { idNumber: pending.current });
      setReport(r);
      setConfirming(r.idNumber);
    });
  };
  const confirm = () =>
    run(async () => {
      const idNumber = pending.current;
      pending.current = '';
      setConfirming(null);
      setErased(await post<Erased>('/api/subjects/erase', { idNumber, confirm: true }));
      setReport(null);
    });
  const cancel = () => {
    pending.current = '';
    setConfirming(null);
  };
  return (
    <>
      <h1 data-ready="yes">{t('subjects')}</h1>
      <Section title={t('report')} id="subject-form">
        <form onSubmit={onReport} className="grid" aria-label={t('report')} autoComplete="off">
          <div className="field">
            <label htmlFor="subject-id">{t('idNumber')}</label>
            <input id="subject-id" ref={input} name="subject-id" autoComplete="off" spellCheck={false} inputMode="text" maxLength={40} required />
          </div>
          <div className="row">
            <button type="submit">{t('report')}</button>
            <button type="button" className="danger" onClick={onErase}>
              {t('erase')}
            </button>
          </div>
        </form>
        <Problem error={error} />
      </Section>
      {confirming && (
        <div role="alertdialog" aria-modal="true" aria-labelledby="confirm-text" className="once" onKeyDown={(e) => e.key === 'Escape' && cancel()}>
          <p id="confirm-text">{t('confirmErase', { id: confirming })}</p>
          <div className="row">
            <button type="button" className="danger" onClick={confirm}>
              {t('confirm')}
            </button>
            <button type="button" onClick={cancel} autoFocus>
              {t('cancel')}
            </button>
          </div>
        </div>
      )}
      {report && (
        <Section title={report.idNumber} id="subject-report">
          <dl className="tiles">
            <div className="tile">
              <dt>{t('registryRows')}</dt>
              <dd data-testid="subject-rows">{report.registry.rows}</dd>
            </div>
            <div className="tile">
              <dt>{t('withCard')}</dt>
              <dd>{report.registry.withCard}</dd>
            </div>
            <div className="tile">
              <dt>{t('withPhone')}</dt>
              <dd>{report.registry.withPhone}</dd>
            </div>
          </dl>
          <h3>{t('auditRecords')}</h3>
          <RecordsTable records={report.records} testId="subject-records" />
          {report.erasures.length > 0 && (
            <>
              <h3>{t('erasures')}</h3>
              <ul>
                {report.erasures.map((e, i) => (
                  <li key={i}>
                    {when(Date.parse(e.at), lang)} · {who(e.by)} · {e.records}
                  </li>
                ))}
              </ul>
            </>
          )}
          <h3>{t('lookups')}</h3>
          <ul data-testid="subject-lookups">
            {report.lookups.map((l, i) => (
              <li key={i}>
                {when(Date.parse(l.at), lang)} · {who(l.by)} · {l.command}
              </li>
            ))}
          </ul>
        </Section>
      )}
      {erased && <p role="status">{t('erased', { rows: erased.registryRows, cache: erased.cachedAnswers, records: erased.auditRecords })}</p>}
    </>
  );
}
