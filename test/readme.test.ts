import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { README, withCodeTables } from '../scripts/readme-codes.ts';

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
});
