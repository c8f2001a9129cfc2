/** The service's public face: what the dialects are given. */
export type { Clock, Services } from './types.ts';
export type { Idempotency, Idempotent } from './idempotency.ts';
export type { AuditReader, AuditedCheck } from '../audit/types.ts';
export { BATCH_DIALECT, BatchError, type Batches, type RowResult } from './batches/runner.ts';
export type { BatchFormat } from './batches/input.ts';
