import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Tests that spawn `bin/realname.js` run the compiled build: before any test runs, dist/ is rebuilt
 * when it is missing or older than a source file (`npm test` builds first anyway; this covers
 * `npx vitest run …` during work).
 */
const root = join(import.meta.dirname, '..');

function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

export default function setup(): void {
  let built = 0;
  try {
    built = statSync(join(root, 'dist', 'cli', 'main.js')).mtimeMs;
  } catch {
    // no build yet
  }
  if (built < newest(join(root, 'src'))) execFileSync('npm', ['run', '-s', 'build'], { cwd: root, stdio: 'inherit' });
  // The console's front end (web/dist), which `serve --console-port` serves: rebuilt the same way.
  let page = 0;
  try {
    page = statSync(join(root, 'web', 'dist', 'index.html')).mtimeMs;
  } catch {
    // not built yet
  }
  if (page < newest(join(root, 'web', 'src'))) execFileSync('npm', ['run', '-s', 'build:console'], { cwd: root, stdio: 'inherit' });
}
