import { useRef, useState, type FormEvent } from 'react';
import { post } from '../api.ts';
import { useT } from '../i18n.ts';
import { Problem, Section } from '../ui.tsx';

interface Report {
  idNumber: string;
  registry: { rows: number; withCard: number; withPhone: number };
}

/**
 * Report on or erase one person. The ID number typed is POSTed (never in the URL, never in browser
 * storage), and the field is cleared as soon as it is sent; the page keeps only the masked form.
 */
export function Subjects({ admin }: { admin: boolean }) {
  const { t } = useT();
  const input = useRef<HTMLInputElement>(null);
  const pending = useRef<string>('');
  const [report, setReport] = useState<Report | null>(null);
  const [erased, setErased] = useState<{ registryRows: number; cacheEntries: number } | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const [error, setError] = useState<unknown>();
  if (!admin) return (<><h1>{t('subjects')}</h1><p role="alert">{t('adminOnly')}</p></>);

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
      setErased(await post<{ registryRows: number; cacheEntries: number }>('/api/subjects/erase', { idNumber, confirm: true }));
      setReport(null);
    });
  const cancel = () => {
    pending.current = '';
    setConfirming(null);
  };
  return (
    <>
      <h1>{t('subjects')}</h1>
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
        <div role="alertdialog" aria-modal="true" aria-labelledby="confirm-text" className="once">
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
          <p className="muted">{t('auditPending')}</p>
        </Section>
      )}
      {erased && <p role="status">{t('erased', { rows: erased.registryRows, cache: erased.cacheEntries })}</p>}
    </>
  );
}
