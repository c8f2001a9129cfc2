import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

/** The house's arrows are checked by lint (.dependency-cruiser.cjs); these prove the check can fail. */
const ROOT = join(import.meta.dirname, '..');
const cruise = (cwd: string) =>
  promisify(execFile)(join(ROOT, 'node_modules', '.bin', 'depcruise'), ['src', '--config', join(ROOT, '.dependency-cruiser.cjs')], { cwd }).then(
    ({ stdout }) => ({ code: 0, stdout }),
    (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
  );

describe('the arrows', () => {
  it('fail the check on a forbidden import', async () => {
    const { code, stdout } = await cruise(join(ROOT, 'test', 'fixtures', 'arrows'));
    expect(code).not.toBe(0);
    expect(stdout).toContain('core-is-pure: src/core/pure.ts → src/dialects/toy/wire.ts');
    expect(stdout).toContain('dialects-through-public-faces: src/dialects/toy/wire.ts → src/access/gate.ts');
    expect(stdout).toContain('dialects-through-public-faces: src/dialects/toy/wire.ts → src/store/table.ts');
  });

  it('hold in the house itself', async () => {
    const { code, stdout } = await cruise(ROOT);
    expect(stdout).toContain('no dependency violations found');
    expect(code).toBe(0);
  });
});
