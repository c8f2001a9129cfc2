/**
 * `node --import tsx bench/profile-top.ts FILE.cpuprofile... [N]`: the N functions with the most self
 * time in each V8 CPU profile (what `npm run bench -- --profile DIR` writes), as a markdown table.
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { ROOT } from './lib/proc.ts';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
}

// Several files are usual: a glob like CPU.*.cpuprofile also matches the profile of tsx's loader thread.
// (Taking the second file name as N used to print an empty table.)
const args = process.argv.slice(2);
const count = args.length > 1 && /^\d+$/.test(args.at(-1)!) ? Number(args.pop()) : 15;
if (args.length === 0) {
  process.stderr.write('usage: bench/profile-top.ts FILE.cpuprofile... [N]\n');
  process.exit(2);
}

function table(file: string): string {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const where = url ? `${relative(ROOT, url.replace(/^file:\/\//, ''))}:${lineNumber + 1}` : '';
    const key = `${functionName || '(anonymous)'} ${where}`.trim();
    self.set(key, (self.get(key) ?? 0) + dt);
    total += dt;
  });
  const idle = (k: string) => k.startsWith('(idle)');
  const busy = total - [...self].filter(([k]) => idle(k)).reduce((s, [, v]) => s + v, 0);
  const top = [...self].filter(([k]) => !idle(k)).sort((a, b) => b[1] - a[1]).slice(0, count);
  const lines = ['| self % of busy | function |', '|---:|---|'];
  for (const [key, us] of top) lines.push(`| ${((100 * us) / busy).toFixed(1)} | \`${key}\` |`);
  return `${lines.join('\n')}\n\n(busy ${(busy / 1e6).toFixed(1)} s of ${(total / 1e6).toFixed(1)} s sampled)\n`;
}

process.stdout.write(args.map((file) => (args.length > 1 ? `${file}\n\n${table(file)}` : table(file))).join('\n'));
