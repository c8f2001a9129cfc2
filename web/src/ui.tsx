import { useEffect, useId, useState, type InputHTMLAttributes, type ReactNode } from 'react';
import { ApiError } from './api.ts';
import { DICTIONARIES, useT, type Key, type Lang } from './i18n.ts';
import { LOCALES } from './terms.ts';

export function Field({ label, help, ...input }: { label: string; help?: string } & InputHTMLAttributes<HTMLInputElement>) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} aria-describedby={help ? `${id}-help` : undefined} {...input} />
      {help && (
        <small id={`${id}-help`} className="help">
          {help}
        </small>
      )}
    </div>
  );
}

export function Problem({ error }: { error: unknown }) {
  const { t } = useT();
  if (!error) return null;
  // The server's own line, unless the page has the refusal in the operator's language.
  const known = error instanceof ApiError ? (`err_${error.code}` as Key) : undefined;
  const message = known && known in DICTIONARIES.en ? t(known) : error instanceof ApiError ? error.message : String((error as Error).message ?? error);
  return (
    <p role="alert" className="problem">
      {t('error')}: {message}
    </p>
  );
}

/** Loads `load` now, again whenever `deps` change, and every `everyMs` (when given); `reload` loads again at once. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[], everyMs?: number) {
  const [data, setData] = useState<T | undefined>();
  const [error, setError] = useState<unknown>();
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    const run = () =>
      load().then(
        (d) => live && (setData(d), setError(undefined)),
        (e) => live && setError(e),
      );
    run();
    const timer = everyMs ? setInterval(run, everyMs) : undefined;
    return () => {
      live = false;
      if (timer) clearInterval(timer);
    };
  }, [...deps, tick]);
  return { data, error, reload: () => setTick((n) => n + 1) };
}

export function Section({ title, children, id }: { title: string; children: ReactNode; id?: string }) {
  return (
    <section className="card" aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {children}
    </section>
  );
}

export const fen = (n: number) => `¥${(n / 100).toFixed(2)}`;
/** A time as the language writes it (not the browser's locale: the page's language may differ). */
export const when = (ms: number, lang: Lang) => new Date(ms).toLocaleString(LOCALES[lang]);
