/**
 * `node --import tsx bench/profile-top.ts FILE.cpuprofile [N]`: the N functions with the most self
 * time in a V8 CPU profile (what `npm run bench -- --profile DIR` writes), as a markdown table.
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

const [file, count = '15'] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: bench/profile-top.ts FILE.cpuprofile [N]\n');
  process.exit(2);
}
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
const top = [...self].filter(([k]) => !idle(k)).sort((a, b) => b[1] - a[1]).slice(0, Number(count));
const lines = ['| self % of busy | function |', '|---:|---|'];
for (const [key, us] of top) lines.push(`| ${((100 * us) / busy).toFixed(1)} | \`${key}\` |`);
process.stdout.write(`${lines.join('\n')}\n\n(busy ${(busy / 1e6).toFixed(1)} s of ${(total / 1e6).toFixed(1)} s sampled)\n`);
