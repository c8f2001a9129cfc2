import type { Dialect } from './define.ts';
import { rest } from './rest/index.ts';
import { submail } from './submail/index.ts';
import { tencentCloud } from './tencentcloud/index.ts';
import { tencentImage } from './tencent-image/index.ts';

/** Every dialect the server speaks: server.ts registers them and scripts/readme-codes.ts documents their codes. */
export const DIALECTS: ReadonlyArray<Dialect<object>> = [tencentImage, submail, tencentCloud, rest];

export { defineDialect, type Dialect, type DialectDefinition } from './define.ts';
