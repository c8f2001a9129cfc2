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
  const { t } = useT();
  const { data, error, reload } = useLoad(() => get<{ rows: number; lastImport: { at: number; operator: string; file?: string; imported?: number } | null }>('/api/registry'), []);
  const [progress, setProgress] = useState<number | null>(null);
  const [writing, setWriting] = useState(false);
  const [summary, setSummary] = useState<Summary | null>(null);
  const [problem, setProblem] = useState<unknown>();
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const file = (form.elements.namedItem('file') as HTMLInputElement).files?.[0];
    if (!file) return;
    const replace = (form.elements.namedItem('replace') as HTMLInputElement).checked;
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
            <dd>{data.lastImport ? `${when(data.lastImport.at)} · ${data.lastImport.operator}${data.lastImport.file ? ` · ${data.lastImport.file}` : ''}` : t('never')}</dd>
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
