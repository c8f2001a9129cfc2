import { submail } from './submail.ts';
import { tencentImage } from './tencent-image.ts';
import { tencentCloud } from './tencentcloud.ts';
import type { DialectUnderTest } from './types.ts';

/** Every dialect the fault suite fuzzes, crashes and replays. A new dialect joins with one descriptor here. */
export const DIALECTS: readonly DialectUnderTest[] = [tencentImage, submail, tencentCloud];

export type { DialectUnderTest } from './types.ts';
