import { useState, type FormEvent } from 'react';
import { get, upload } from '../api.ts';
import { useT } from '../i18n.ts';
import { Problem, Section, useLoad, when } from '../ui.tsx';

interface Summary {
  read: number;
  imported: number;
  duplicates: number;
  rejected: number;
}

export function Registry({ admin }: { admin: boolean }) {
  const { t, lang } = useT();
  const { data, error, reload } = useLoad(() => get<{ rows: number; lastImport: { at: number; operator: string; file?: string; imported?: number } | null }>('/api/registry'), []);
  const [progress, setProgress] = useState<number | null>(null);
  const [writing, setWriting] = useState(false);
  const [summary, setSummary] = useState<Summary | null>(null);
  const [problem, setProblem] = useState<unknown>();
  // A replace swaps the registry the checks answer from: it waits for the admin's yes, as an erasure does.
  const [confirming, setConfirming] = useState<{ form: HTMLFormElement; file: File } | null>(null);
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const file = (form.elements.namedItem('file') as HTMLInputElement).files?.[0];
    if (!file) return;
    if ((form.elements.namedItem('replace') as HTMLInputElement).checked) setConfirming({ form, file });
    else void send(form, file, false);
  };
  const send = async (form: HTMLFormElement, file: File, replace: boolean) => {
    setConfirming(null);
    const type = /\.(jsonl|ndjson)$/i.test(file.name) ? 'application/x-ndjson' : 'text/csv';
    setProgress(0);
    setSummary(null);
    try {
      const params = new URLSearchParams({ file: file.name, ...(replace ? { replace: 'yes' } : {}) });
      // The file is hashed as it arrives; once it is all sent the rows are written (no figure for that: indeterminate).
      const answer = await upload<{ summary: Summary }>(`/api/registry/import?${params}`, file, type, (f) => {
        setProgress(f);
        if (f >= 1) setWriting(true);
      });
      setWriting(false);
      setSummary(answer.summary);
      setProblem(undefined);
      setProgress(1);
      form.reset();
    } catch (err) {
      setProblem(err);
      setWriting(false);
      setProgress(null);
    }
    reload();
  };
  return (
    <>
      <h1 data-ready={data ? 'yes' : undefined}>{t('registry')}</h1>
      <Problem error={error ?? problem} />
      {data && (
        <dl className="tiles">
          <div className="tile">
            <dt>{t('rows')}</dt>
            <dd data-testid="registry-rows">{data.rows.toLocaleString()}</dd>
          </div>
          <div className="tile wide">
            <dt>{t('lastImport')}</dt>
            <dd>{data.lastImport ? `${when(data.lastImport.at, lang)} · ${data.lastImport.operator}${data.lastImport.file ? ` · ${data.lastImport.file}` : ''}` : t('never')}</dd>
          </div>
        </dl>
      )}
      {admin && (
        <Section title={t('importFile')} id="registry-import">
          <form onSubmit={submit} className="grid" aria-label={t('importFile')}>
            <div className="field">
              <label htmlFor="registry-file">{t('file')}</label>
              <input id="registry-file" name="file" type="file" accept=".csv,.jsonl,.ndjson,text/csv" required />
            </div>
            <div className="field check">
              <input id="registry-replace" name="replace" type="checkbox" />
              <label htmlFor="registry-replace">{t('replace')}</label>
            </div>
            <div className="row">
              <button type="submit">{t('upload')}</button>
            </div>
          </form>
          {confirming && (
            <div role="alertdialog" aria-modal="true" aria-labelledby="replace-text" className="once" onKeyDown={(e) => e.key === 'Escape' && setConfirming(null)}>
              <p id="replace-text">{t('confirmReplace', { rows: (data?.rows ?? 0).toLocaleString(), file: confirming.file.name })}</p>
              <div className="row">
                <button type="button" className="danger" onClick={() => void send(confirming.form, confirming.file, true)}>
                  {t('replaceNow')}
                </button>
                <button type="button" onClick={() => setConfirming(null)} autoFocus>
                  {t('cancel')}
                </button>
              </div>
            </div>
          )}
          {progress !== null && (
            <div className="progress">
              <label htmlFor="registry-progress">{writing ? t('writing') : t('progress')}</label>
              {writing ? <progress id="registry-progress" /> : <progress id="registry-progress" max={1} value={progress} />}
            </div>
          )}
          {summary && <p role="status">{t('imported', { ...summary })}</p>}
        </Section>
      )}
    </>
  );
}
