import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { get, post, setCsrf, ApiError, SIGNED_OUT } from './api.ts';
import { LangContext, translator, useT, type Key, type Lang } from './i18n.ts';
import { Field, Problem } from './ui.tsx';
import { Overview } from './pages/Overview.tsx';
import { Apps } from './pages/Apps.tsx';
import { Audit } from './pages/Audit.tsx';
import { Subjects } from './pages/Subjects.tsx';
import { Sources } from './pages/Sources.tsx';
import { Registry } from './pages/Registry.tsx';

export interface Operator {
  name: string;
  role: 'viewer' | 'admin';
}

const PAGES: Array<{ path: string; key: Key }> = [
  { path: 'overview', key: 'overview' },
  { path: 'apps', key: 'apps' },
  { path: 'audit', key: 'audit' },
  { path: 'subjects', key: 'subjects' },
  { path: 'sources', key: 'sources' },
  { path: 'registry', key: 'registry' },
];

const pageOf = () => {
  const path = location.hash.replace(/^#\/?/, '');
  return PAGES.some((p) => p.path === path) ? path : 'overview';
};

function SignIn({ onSignedIn }: { onSignedIn: (o: Operator) => void }) {
  const { t } = useT();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const data = new FormData(form);
    setBusy(true);
    try {
      const answer = await post<{ operator: Operator; csrf: string }>('/api/session', { name: data.get('name'), password: data.get('password') });
      setCsrf(answer.csrf);
      onSignedIn(answer.operator);
    } catch (err) {
      setError(err);
    } finally {
      const password = form.elements.namedItem('password') as HTMLInputElement | null;
      if (password) password.value = '';
      setBusy(false);
    }
  };
  return (
    <main id="main" className="signin">
      <h1>{t('title')}</h1>
      <form onSubmit={submit} className="card" aria-label={t('signIn')}>
        <Field label={t('operatorName')} name="name" autoComplete="username" required />
        <Field label={t('password')} name="password" type="password" autoComplete="current-password" required />
        <button type="submit" disabled={busy}>
          {t('signIn')}
        </button>
        <Problem error={error} />
      </form>
    </main>
  );
}

export function App() {
  const [lang, setLang] = useState<Lang>(() => (navigator.language.toLowerCase().startsWith('zh') ? 'zh' : 'en'));
  const value = useMemo(() => ({ lang, t: translator(lang) }), [lang]);
  const [operator, setOperator] = useState<Operator | null | undefined>();
  const [page, setPage] = useState(pageOf);
  useEffect(() => {
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
    document.title = value.t('title');
  }, [lang, value]);
  useEffect(() => {
    const onHash = () => setPage(pageOf());
    const onSignedOut = () => (setCsrf(''), setOperator(null));
    addEventListener('hashchange', onHash);
    addEventListener(SIGNED_OUT, onSignedOut);
    get<{ operator: Operator; csrf: string }>('/api/session').then(
      (s) => (setCsrf(s.csrf), setOperator(s.operator)),
      () => setOperator(null),
    );
    return () => {
      removeEventListener('hashchange', onHash);
      removeEventListener(SIGNED_OUT, onSignedOut);
    };
  }, []);
  const { t } = value;
  const languages = (
    <div className="lang" role="group" aria-label={t('language')}>
      <button type="button" aria-pressed={lang === 'en'} onClick={() => setLang('en')} lang="en">
        English
      </button>
      <button type="button" aria-pressed={lang === 'zh'} onClick={() => setLang('zh')} lang="zh-CN">
        中文
      </button>
    </div>
  );
  if (operator === undefined) return <LangContext.Provider value={value}><main id="main"><p>{t('loading')}</p></main></LangContext.Provider>;
  if (operator === null) {
    return (
      <LangContext.Provider value={value}>
        <header className="bar">{languages}</header>
        <SignIn onSignedIn={setOperator} />
      </LangContext.Provider>
    );
  }
  const signOut = async () => {
    await post('/api/session/end').catch((e: unknown) => e instanceof ApiError || Promise.reject(e));
    setCsrf('');
    setOperator(null);
  };
  const admin = operator.role === 'admin';
  return (
    <LangContext.Provider value={value}>
      <a className="skip" href="#main" onClick={(e) => (e.preventDefault(), document.getElementById('main')?.focus())}>
        {t('skip')}
      </a>
      <header className="bar">
        <span className="brand">{t('title')}</span>
        <span className="who">{t('signedInAs', { name: operator.name, role: operator.role })}</span>
        {languages}
        <button type="button" onClick={signOut}>
          {t('signOut')}
        </button>
      </header>
      <nav aria-label={t('nav')} className="nav">
        <ul>
          {PAGES.map((p) => (
            <li key={p.path}>
              <a href={`#/${p.path}`} aria-current={page === p.path ? 'page' : undefined}>
                {t(p.key)}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" tabIndex={-1}>
        {page === 'overview' && <Overview />}
        {page === 'apps' && <Apps admin={admin} />}
        {page === 'audit' && <Audit />}
        {page === 'subjects' && <Subjects admin={admin} />}
        {page === 'sources' && <Sources admin={admin} />}
        {page === 'registry' && <Registry admin={admin} />}
      </main>
    </LangContext.Provider>
  );
}
