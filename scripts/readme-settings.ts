// Regenerates the settings table in README.md from SETTINGS in src/config.ts — every flag, environment
// variable, config-file key and default in one place — so the documented settings can never drift from
// the ones the CLI takes. `npm run gen:readme`; a test checks it.
import { readFileSync, writeFileSync } from 'node:fs';
import { flagOf, OTHER_SETTINGS, SETTINGS } from '../src/config.ts';
import { README } from './readme-codes.ts';

const OPEN = '<!-- settings -->';
const CLOSE = '<!-- /settings -->';

const cell = (text: string) => text.replace(/\|/g, '\\|');
const code = (text: string) => (text === '—' ? text : `\`${text}\``);

/** "every command" as the table says it: the two commands that open no store take none of these. */
const scopeText = (scope: string) => (scope === 'every command' ? 'every command but `registry generate` and `inspect`' : scope);

export function renderSettings(): string {
  const rows = [
    ...SETTINGS.map((s) => [code(`${flagOf(s.key)} <${s.arg}>`), code(s.env), code(s.key), s.defaultText, scopeText(s.scope), s.meaning]),
    ...OTHER_SETTINGS.map((s) => [code(s.flag), code(s.env), s.key, s.defaultText, scopeText('every command'), s.meaning]),
  ];
  return [
    '| flag | environment | config key | default | for | meaning |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
  ].join('\n');
}

/** README text with the `<!-- settings -->…<!-- /settings -->` block filled from SETTINGS. */
export function withSettingsTable(readme: string): string {
  const start = readme.indexOf(OPEN);
  const end = readme.indexOf(CLOSE);
  if (start < 0 || end < start) throw new Error(`README.md lacks the ${OPEN} … ${CLOSE} markers`);
  return `${readme.slice(0, start + OPEN.length)}\n${renderSettings()}\n${readme.slice(end)}`;
}

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  writeFileSync(README, withSettingsTable(readFileSync(README, 'utf8')));
}
