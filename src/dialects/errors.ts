/** An error for the log without its message: messages can quote input, and input may be personal data. */
export function describeError(err: unknown): { name: string; code?: string; stack?: string } {
  if (!(err instanceof Error)) return { name: typeof err };
  const frames = err.stack?.split('\n').filter((line) => line.trimStart().startsWith('at ')).join('\n');
  const code = (err as { code?: unknown }).code;
  return { name: err.name, ...(typeof code === 'string' ? { code } : {}), ...(frames ? { stack: frames } : {}) };
}
