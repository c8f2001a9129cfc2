import type { Adapter } from './adapter.ts';
import { aliyunAdapter } from './aliyun.ts';
import { submailAdapter } from './submail.ts';
import { tencentImageAdapter } from './tencent-image.ts';

/** Every upstream adapter by type: a new vendor is one module and one line here. */
export const ADAPTERS: Readonly<Record<string, Adapter>> = {
  'tencent-image': tencentImageAdapter,
  submail: submailAdapter,
  aliyun: aliyunAdapter,
};

export const SOURCE_TYPES = Object.keys(ADAPTERS);
