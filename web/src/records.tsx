import { useT } from './i18n.ts';
import { term } from './terms.ts';
import { when } from './ui.tsx';

/** An audit record as the console's API answers it (src/audit/search.ts's AuditView): masked factors only. */
export interface AuditView {
  checkId: string;
  at: string;
  appid: string | null;
  dialect: string;
  kind: string | null;
  verdict: string | null;
  refusal: string | null;
  code: string;
  source: string | null;
  billed: boolean;
  latencyMs: number;
  masked: Record<string, string>;
}

export function RecordsTable({ records, testId }: { records: AuditView[]; testId?: string }) {
  const { t, lang } = useT();
  return (
    <div className="scroll" tabIndex={0}>
      <table data-testid={testId}>
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
          {records.map((r) => (
            <tr key={`${r.checkId}${r.at}`}>
              <td>{when(Date.parse(r.at), lang)}</td>
              <td>{r.appid ?? '—'}</td>
              <td>{r.dialect}</td>
              <td>{r.kind ?? '—'}</td>
              <td data-testid="audit-outcome">{r.refusal ? `${t('refusal')}: ${term(lang, r.refusal)}` : r.verdict && term(lang, r.verdict)}</td>
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
  );
}
