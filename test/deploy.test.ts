import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validate } from 'dockerfile-utils';
import { describe, expect, it } from 'vitest';

/**
 * The packaging, checked as far as this machine allows: no Docker daemon here, so the Dockerfile is
 * linted (dockerfile-utils, the linter of the VS Code Docker extension) and its stages read; the
 * systemd unit goes through `systemd-analyze verify`.
 */

const ROOT = join(import.meta.dirname, '..');
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');

/** Instructions, continuation lines joined, comments dropped: [keyword, rest]. */
function instructions(dockerfile: string): [string, string][] {
  return dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const [keyword = '', ...rest] = line.split(/\s+/);
      return [keyword.toUpperCase(), rest.join(' ')];
    });
}

describe('Dockerfile', () => {
  const text = read('Dockerfile');
  const all = instructions(text);
  const stages: [string, string][][] = [];
  for (const instruction of all) {
    if (instruction[0] === 'FROM') stages.push([]);
    stages.at(-1)?.push(instruction);
  }
  const run = stages.at(-1)!;
  const find = (stage: [string, string][], keyword: string) => stage.filter(([k]) => k === keyword).map(([, rest]) => rest);

  it('passes the linter without a warning', () => {
    expect(validate(text)).toEqual([]);
  });

  it('builds in one stage and runs from another, on Node 20, as a user that is not root', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(find(stages[0]!, 'FROM')[0]).toMatch(/^node:20\S* AS build$/);
    expect(find(stages[0]!, 'RUN').join(' ')).toContain('npm ci && npm run build');
    expect(find(run, 'FROM')[0]).toMatch(/^node:20\S*$/);
    const user = find(run, 'USER');
    expect(user).toHaveLength(1);
    expect(user[0]).not.toMatch(/^(root|0)(:|$)/);
    // the run stage takes what it runs from the build stage, never the build context
    for (const copy of find(run, 'COPY')) expect(copy).toMatch(/^--from=build /);
  });

  it('keeps its data in a volume, checks /readyz, and runs `node bin/realname.js serve`', () => {
    expect(find(run, 'VOLUME')).toEqual(['["/data"]']);
    expect(find(run, 'ENV').join(' ')).toContain('REALNAME_DATA=/data');
    expect(find(run, 'HEALTHCHECK')[0]).toContain('/readyz');
    expect(JSON.parse(find(run, 'ENTRYPOINT')[0]!)).toEqual(['node', 'bin/realname.js']);
    expect(JSON.parse(find(run, 'CMD')[0]!)).toEqual(['serve']);
    expect(find(run, 'EXPOSE')).toEqual(['8080']);
  });

  it('sends no data dir, key or dependency tree into the build', () => {
    const ignored = read('.dockerignore').split('\n');
    for (const entry of ['node_modules', 'data', 'demo-data', '.bench-cache', '.env']) expect(ignored).toContain(entry);
  });
});

const analyze = spawnSync('systemd-analyze', ['--version']);
const haveAnalyze = analyze.status === 0;
if (!haveAnalyze) {
  if (process.env.CI === 'true') throw new Error('CI=true: systemd-analyze is missing (apt-get install systemd)');
  console.warn('SKIPPED the systemd unit check: systemd-analyze is not installed (apt-get install systemd)');
}

describe.skipIf(!haveAnalyze)('deploy/realname.service', () => {
  it('passes systemd-analyze verify without a word', () => {
    const result = spawnSync('systemd-analyze', ['verify', join(ROOT, 'deploy', 'realname.service')], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('runs serve as its own user, stops on SIGTERM, keeps state in its state directory', () => {
    const unit = read('deploy/realname.service');
    expect(unit).toMatch(/^User=realname$/m);
    expect(unit).toMatch(/^ExecStart=\/usr\/bin\/node \/opt\/realname\/bin\/realname\.js serve$/m);
    expect(unit).toMatch(/^KillSignal=SIGTERM$/m);
    expect(unit).toMatch(/^StateDirectory=realname$/m);
    expect(unit).toMatch(/^Environment=REALNAME_DATA=\/var\/lib\/realname$/m);
  });
});

describe('.gitignore', () => {
  it('keeps data dirs, the build and the bench cache out of git', () => {
    const paths = ['data/master.key', 'demo-data/demo.json', 'dist/cli/main.js', '.bench-cache/master.key'];
    const ignored = execFileSync('git', ['check-ignore', ...paths], { cwd: ROOT, encoding: 'utf8' }).trim().split('\n');
    expect(ignored).toEqual(paths);
  });
});
