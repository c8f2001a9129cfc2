import type { Adapter } from './adapter.ts';
import { aliyunAdapter } from './aliyun.ts';
import { realnameAdapter } from './realname.ts';
import { submailAdapter } from './submail.ts';
import { tencentImageAdapter } from './tencent-image.ts';
import { tencentcloudAdapter } from './tencentcloud.ts';

/** Every upstream adapter by type: a new vendor is one module and one line here. */
export const ADAPTERS: Readonly<Record<string, Adapter>> = {
  'tencent-image': tencentImageAdapter,
  submail: submailAdapter,
  aliyun: aliyunAdapter,
  tencentcloud: tencentcloudAdapter,
  realname: realnameAdapter,
};

export const SOURCE_TYPES = Object.keys(ADAPTERS);
