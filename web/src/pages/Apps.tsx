import { useState, type FormEvent } from 'react';
import { get, post } from '../api.ts';
import { useT } from '../i18n.ts';
import { Field, Problem, Section, useLoad } from '../ui.tsx';

interface AppRow {
  appid: string;
  name: string;
  qps: number | null;
  quota: number | null;
  checks: string[] | null;
  ip: string[] | null;
  suspended: boolean;
  secrets: Array<{ secretId: string; revoked: boolean }>;
  month: { billed: number; unbilled: number; refused: number } | null;
}

/** Credentials the server hands over once: shown until the operator says they have kept them, then forgotten. */
function ShownOnce({ values, onDone }: { values: Record<string, string>; onDone: () => void }) {
  const { t } = useT();
  return (
    <div className="once" role="status" data-testid="shown-once">
      <p>
        <strong>{t('shownOnce')}</strong>
      </p>
      <dl>
        {Object.entries(values).map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd>
              <code data-testid={`once-${k}`}>{v}</code>
            </dd>
          </div>
        ))}
      </dl>
      <button type="button" onClick={onDone}>
        {t('kept')}
      </button>
    </div>
  );
}

const limitText = (v: number | null) => (v === null ? 'unlimited' : String(v));

function Limits({ app, onSaved }: { app: AppRow; onSaved: () => void }) {
  const { t } = useT();
  const [error, setError] = useState<unknown>();
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const data = new FormData(e.currentTarget);
    // Only what the admin changed: the quota is what is left, and the checks billed since the form opened stay billed.
    const opened: Record<string, string> = { qps: limitText(app.qps), quota: limitText(app.quota), checks: app.checks?.join(',') ?? 'all', ip: app.ip?.join(',') ?? 'any' };
    const body: Record<string, string> = {};
    for (const [k, was] of Object.entries(opened)) {
      const now = String(data.get(k) ?? '');
      if (now.trim() !== was) body[k] = now;
    }
    if (body.quota !== undefined) body.expectedQuota = opened.quota!;
    if (Object.keys(body).length === 0) {
      setError(undefined);
      onSaved();
      return;
    }
    try {
      await post(`/api/apps/${app.appid}/limits`, body);
      setError(undefined);
      onSaved();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form onSubmit={submit} className="grid" aria-label={t('edit', { name: app.name })}>
      <Field label={t('qps')} name="qps" defaultValue={limitText(app.qps)} help={t('limitHelp')} />
      <Field label={t('quota')} name="quota" defaultValue={limitText(app.quota)} help={t('limitHelp')} />
      <Field label={t('checks')} name="checks" defaultValue={app.checks?.join(',') ?? 'all'} help={t('checksHelp')} />
      <Field label={t('ipAllow')} name="ip" defaultValue={app.ip?.join(',') ?? 'any'} help={t('ipHelp')} />
      <div className="row">
        <button type="submit">{t('save')}</button>
      </div>
      <Problem error={error} />
    </form>
  );
}

export function Apps({ admin }: { admin: boolean }) {
  const { t } = useT();
  const { data, error, reload } = useLoad(() => get<{ apps: AppRow[] }>('/api/apps'), []);
  const [once, setOnce] = useState<Record<string, string> | null>(null);
  const [problem, setProblem] = useState<unknown>();
  const [open, setOpen] = useState<string | null>(null);
  const act = async (work: () => Promise<unknown>) => {
    try {
      await work();
      setProblem(undefined);
    } catch (err) {
      setProblem(err);
    }
    reload();
  };
  const create = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const data = new FormData(form);
    await act(async () => {
      const body: Record<string, unknown> = { name: data.get('name') };
      for (const k of ['qps', 'quota', 'checks', 'ip']) if (data.get(k)) body[k] = data.get(k);
      const { created } = await post<{ created: Record<string, string> }>('/api/apps', body);
      setOnce(created);
      form.reset();
    });
  };
  return (
    <>
      <h1 data-ready={data ? 'yes' : undefined}>{t('apps')}</h1>
      <Problem error={error ?? problem} />
      {once && <ShownOnce values={once} onDone={() => setOnce(null)} />}
      {admin && (
        <Section title={t('createApp')} id="create-app">
          <form onSubmit={create} className="grid" aria-label={t('createApp')}>
            <Field label={t('appName')} name="name" required maxLength={64} />
            <Field label={t('qps')} name="qps" placeholder="unlimited" help={t('limitHelp')} />
            <Field label={t('quota')} name="quota" placeholder="unlimited" help={t('limitHelp')} />
            <Field label={t('checks')} name="checks" placeholder="all" help={t('checksHelp')} />
            <Field label={t('ipAllow')} name="ip" placeholder="any" help={t('ipHelp')} />
            <div className="row">
              <button type="submit">{t('create')}</button>
            </div>
          </form>
        </Section>
      )}
      <Section title={t('apps')} id="app-list">
        {data && data.apps.length === 0 && <p>{t('noApps')}</p>}
        {data && data.apps.length > 0 && (
          <div className="scroll" tabIndex={0}>
            <table data-testid="apps-table">
              <thead>
                <tr>
                  <th scope="col">{t('appid')}</th>
                  <th scope="col">{t('appName')}</th>
                  <th scope="col">{t('qps')}</th>
                  <th scope="col">{t('quota')}</th>
                  <th scope="col">{t('checks')}</th>
                  <th scope="col">{t('ipAllow')}</th>
                  <th scope="col">{t('monthUsage')}</th>
                  <th scope="col">{t('state')}</th>
                  {admin && <th scope="col">{t('actions')}</th>}
                </tr>
              </thead>
              <tbody>
                {data.apps.map((a) => (
                  <tr key={a.appid} data-appid={a.appid}>
                    <td>
                      <code>{a.appid}</code>
                    </td>
                    <td>{a.name}</td>
                    <td>{a.qps ?? t('unlimited')}</td>
                    <td>{a.quota ?? t('unlimited')}</td>
                    <td>{a.checks?.join(', ') ?? t('all')}</td>
                    <td>{a.ip?.join(', ') ?? t('any')}</td>
                    <td data-testid="app-month">{a.month ? `${a.month.billed} / ${a.month.unbilled} / ${a.month.refused}` : '—'}</td>
                    <td data-testid="app-state">{a.suspended ? t('suspended') : t('active')}</td>
                    {admin && (
                      <td className="buttons">
                        {a.suspended ? (
                          <button type="button" onClick={() => act(() => post(`/api/apps/${a.appid}/resume`))} aria-label={`${t('resume')} ${a.name}`}>
                            {t('resume')}
                          </button>
                        ) : (
                          <button type="button" onClick={() => act(() => post(`/api/apps/${a.appid}/suspend`))} aria-label={`${t('suspend')} ${a.name}`}>
                            {t('suspend')}
                          </button>
                        )}
                        <button type="button" aria-expanded={open === a.appid} onClick={() => setOpen(open === a.appid ? null : a.appid)} aria-label={t('edit', { name: a.name })}>
                          {t('limits')}
                        </button>
                        <button
                          type="button"
                          aria-label={`${t('rotateSecret')} ${a.name}`}
                          onClick={() => act(async () => setOnce((await post<{ added: Record<string, string> }>(`/api/apps/${a.appid}/secrets`)).added))}
                        >
                          {t('rotateSecret')}
                        </button>
                        <button
                          type="button"
                          aria-label={`${t('rotateAppkey')} ${a.name}`}
                          onClick={() => act(async () => setOnce((await post<{ rotated: Record<string, string> }>(`/api/apps/${a.appid}/appkey`)).rotated))}
                        >
                          {t('rotateAppkey')}
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
      {admin && data?.apps.filter((a) => a.appid === open).map((a) => (
        <Section key={a.appid} title={t('edit', { name: a.name })} id="edit-app">
          <Limits app={a} onSaved={reload} />
          <h3>{t('secrets')}</h3>
          <ul>
            {a.secrets.map((s) => (
              <li key={s.secretId} className="secret" data-secret={s.secretId}>
                <code>{s.secretId}</code> {s.revoked ? `(${t('revoked')})` : ''}
                {!s.revoked && a.secrets.filter((x) => !x.revoked).length > 1 && (
                  <button type="button" className="danger" aria-label={`${t('revoke')} ${s.secretId}`} onClick={() => act(() => post(`/api/apps/${a.appid}/secrets/${s.secretId}/revoke`))}>
                    {t('revoke')}
                  </button>
                )}
              </li>
            ))}
          </ul>
        </Section>
      ))}
    </>
  );
}
