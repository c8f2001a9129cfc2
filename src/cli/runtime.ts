import { openRuntime, type OpenOptions, type Runtime } from '../runtime.ts';
import { configFrom } from './options.ts';

/** A notice for the person at the terminal, never mixed into stdout (which scripts read). */
export const notice = (line: string): void => {
  process.stderr.write(`realname: ${line}\n`);
};

/**
 * Runs `work` with the store the command's options point at, then closes it. Commands that only read
 * (or change what exists) pass 'existing': a typo in --data is an error, never a new empty store.
 */
export async function withRuntime<T>(options: Record<string, unknown>, use: OpenOptions['store'], work: (runtime: Runtime) => Promise<T>, extra: Omit<OpenOptions, 'store'> = {}): Promise<T> {
  const runtime = await openRuntime(configFrom(options), { store: use, ...extra });
  let result: T;
  try {
    result = await work(runtime);
  } catch (error) {
    // A command that failed leaves no new store behind (a PostgreSQL one stays: say so).
    await runtime.discard();
    if (runtime.created && runtime.config.store === 'postgres') failureNotes.push(`${runtime.created} (left in place)`);
    throw error;
  }
  await runtime.close();
  if (runtime.created) notice(runtime.created);
  return result;
}

/** Lines main prints after a failure's own line. */
export const failureNotes: string[] = [];

/** One JSON object on a line with --json; the text otherwise. */
export function emit(options: { json?: boolean }, value: unknown, text: () => string): void {
  process.stdout.write(options.json ? `${JSON.stringify(value)}\n` : `${text()}\n`);
}
