/** The service's public face: what the dialects are given. */
export type { Clock, Services } from './types.ts';
