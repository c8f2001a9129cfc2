#!/usr/bin/env node
// The CLI runs the compiled JavaScript in dist/ (built by `npm ci` through the prepare script, or `npm run build`).
import { existsSync } from 'node:fs';

const main = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write('realname: the build is missing (dist/): run `npm run build` (npm ci builds it too)\n');
  process.exit(1);
}
// A reader that stops early (`realname audit export | head -1`) closes the pipe: that ends the output,
// it is no failure (and no stack trace).
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
  throw error;
});
const { main: run } = await import(main.href);
process.exitCode = await run(process.argv.slice(2));
