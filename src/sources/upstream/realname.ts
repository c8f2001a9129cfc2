import type { Adapter } from './adapter.ts';
import { faceidAdapter } from './tencentcloud.ts';

/**
 * Another Realname node through its FaceID dialect (a branch office asks headquarters; a test cluster
 * asks production), with an app's secretId/secretKey of that node. Its Results are read as Realname
 * documents them: 持卡人信息有误 is its no-record of a card (billed), and a phone mismatch's ResultDetail
 * names the factors its record disagrees with.
 */
export const realnameAdapter: Adapter = faceidAdapter('realname');
