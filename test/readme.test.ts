import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { README, withCodeTables } from '../scripts/readme-codes.ts';
import { withSettingsTable } from '../scripts/readme-settings.ts';
import { OTHER_SETTINGS, SETTINGS } from '../src/config.ts';

describe('README', () => {
  const readme = readFileSync(README, 'utf8');

  it('documents every code each dialect answers with, as served (npm run gen:readme regenerates it)', () => {
    expect(readme).toBe(withCodeTables(readme));
  });

  it('gives the two commands of a fresh machine on its first screen', () => {
    const firstScreen = readme.split('\n').slice(0, 25).join('\n');
    expect(firstScreen).toContain('npx realname demo');
    expect(firstScreen).toContain('npm test');
  });

  it('documents every setting (flag, environment, config key, default) as config.ts has it (npm run gen:readme regenerates it)', () => {
    expect(readme).toBe(withSettingsTable(readme));
    for (const s of SETTINGS) expect(readme).toContain(`| \`${s.env}\` | \`${s.key}\` | ${s.defaultText} |`);
    for (const s of OTHER_SETTINGS) expect(readme).toContain(`\`${s.env}\``);
  });

  it('names every command the CLI has in its command table', async () => {
    const { program } = await import('../src/cli/main.ts');
    const table = readme.slice(readme.indexOf('| command | what it does |'), readme.indexOf('### Settings'));
    const walk = (c: { name(): string; commands: readonly unknown[] }, path: string[]): string[] =>
      c.commands.length === 0 ? [path.join(' ')] : (c.commands as (typeof c)[]).filter((s) => s.name() !== 'help').flatMap((s) => walk(s, [...path, s.name()]));
    // A row whose command cell names the group and the command (not as a flag: --count is no `count`).
    const cells = table.split('\n').map((row) => row.split(' | ')[0] ?? '');
    for (const path of walk(program(), [])) {
      const [group, ...rest] = path.split(' ');
      const last = rest.at(-1);
      const named = cells.some((cell) => cell.includes(`realname ${group}`) && (!last || new RegExp(`(?<![-\\w])${last}\\b`).test(cell)));
      expect(named, path).toBe(true);
    }
  });
});
