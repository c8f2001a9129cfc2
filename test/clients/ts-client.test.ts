import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLIENT_DIR, clientFiles } from '../../scripts/gen-client.ts';

describe('clients/ts', () => {
  it('holds the OpenAPI document and the types generated from the server’s route schemas (npm run gen:client)', async () => {
    for (const [file, text] of Object.entries(await clientFiles())) {
      expect(readFileSync(join(CLIENT_DIR, file), 'utf8'), `${file} is stale: run npm run gen:client`).toBe(text);
    }
  });
});
